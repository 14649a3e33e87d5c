"""A real gunicorn serving ``config.wsgi`` on loopback, for the tests that need another process
to talk to: the outage stack (tests/outages/stack.py), the benchmarks and the concurrency tests
(tests/perf/environment.py).

* ``gunicorn_command``: the one command line (2 workers x 4 threads, gthread, a three-second
  graceful timeout), with a caller's extra options;
* ``Gunicorn``: that command in a process group of its own (``start_new_session``: its master and
  workers, so a stop reaches them all), its output in a log file; ``wait_ready`` polls a probe
  until it says the server serves, ``stop`` signals the group and kills what is left after a
  grace period;
* ``fetch`` and ``Response``: one request on a fresh connection and its answer, read whole;
  ``cookies_set_by`` reads the cookies an answer sets.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from deploy.services import ROOT, free_port


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def fetch(
    port: int, method: str, path: str, *, headers: dict, body=None, timeout: float
) -> Response:
    """One request to 127.0.0.1:``port`` on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        raw = connection.getresponse()
        return Response(raw.status, raw.headers, raw.read())
    finally:
        connection.close()


def cookies_set_by(response: Response) -> dict[str, str]:
    """The cookies the answer's ``Set-Cookie`` headers set (an empty value: one deleted)."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {key: morsel.value for key, morsel in jar.items()}


def gunicorn_command(port: int, *, worker_class: str = "gthread", options=()) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        worker_class,
        "--threads",
        "4",
        *options,
        "--graceful-timeout",
        "3",
        "--log-level",
        "warning",
    ]


class Gunicorn:
    """gunicorn on 127.0.0.1:``port`` (a free one unless given), started by ``launch``; its
    output goes to ``log_path`` (``append``: kept across launches). Failures to start raise
    ``error``."""

    def __init__(
        self,
        log_path: Path,
        *,
        port: int | None = None,
        append: bool = False,
        error: type[Exception] = RuntimeError,
    ):
        self.port = port or free_port()
        self.log_path = log_path
        self.error = error
        self.process: subprocess.Popen | None = None
        self._log = log_path.open("ab" if append else "wb")

    def launch(self, env: dict[str, str], *, worker_class: str = "gthread", options=()) -> None:
        self.process = subprocess.Popen(
            gunicorn_command(self.port, worker_class=worker_class, options=options),
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(
        self, serves: Callable[[], bool], *, timeout: float, pause: float, what: str
    ) -> None:
        """Poll ``serves()`` (connection errors count as not yet) until it is true; raise
        ``error`` if gunicorn exits, or does not ``what`` within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.error(f"gunicorn exited at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if serves():
                    return
            time.sleep(pause)
        raise self.error(f"gunicorn did not {what}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text("utf-8", "replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, *, with_signal: int = signal.SIGTERM, grace: float = 10) -> None:
        """``with_signal`` to the group, SIGKILL if it is still there after ``grace`` seconds;
        the log is closed."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, with_signal)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()
