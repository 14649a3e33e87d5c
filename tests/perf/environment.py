"""What the benchmarks run against: their own database and a gunicorn server on loopback.

``BenchEnvironment`` prepares, lazily and once per run:

* a database of its own on the same PostgreSQL server as ``DATABASE_URL`` (``tszh_bench_<pid>``
  unless ``TSZH_BENCH_DATABASE`` names one), dropped and recreated, migrated
  (``migrate_schemas --shared``) and seeded with the demo association (``seed_demo``);
* gunicorn serving ``config.wsgi`` with ``tests.perf.settings`` (the app's settings plus a
  ``bench/hello/`` view behind the whole middleware stack) on ``127.0.0.1`` and a free port;
* the yardstick (``bare_server()``, ``yardstick()``): the same gunicorn command serving a bare
  Django hello-world view with no middleware (``tests.perf.bare_settings``) on another port.
  Every page's ratio is taken against it.

Leaving the ``with`` block stops the server and drops the database, on errors too.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from deploy.services import ROOT
from tests.real_server import Gunicorn, Response, cookies_set_by, fetch

SETTINGS_MODULE = "tests.perf.settings"
BARE_SETTINGS_MODULE = "tests.perf.bare_settings"
#: The yardstick: the bare hello-world view (``bare_server()``).
HELLO = "/bench/hello/"
DEMO_SLUG = "demo"
#: seconds, for each migrate / seed step (the demo seeds a year of money, requests, documents)
SETUP_TIMEOUT = 300
DATABASE_PREFIX = "tszh_bench_"


class BenchError(RuntimeError):
    pass


def bench_database_url(database_url: str, name: str) -> str:
    """The same server and credentials as ``database_url``, another database."""
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Session:
    """A signed-in browser, as far as the server can tell: its cookies and host."""

    host: str
    cookies: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        return headers


class Server(Gunicorn):
    """gunicorn on 127.0.0.1:<free port>, in a process group of its own."""

    def __init__(self, env: dict[str, str], log_path: Path, *, label: str = "portal"):
        super().__init__(log_path, error=BenchError)
        self.label = label
        self.launch(
            env,
            worker_class=os.environ.get("TSZH_BENCH_WORKER_CLASS", "gthread"),
            options=["--keep-alive", "5"],
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        self.wait_ready(
            lambda: self.request("GET", "/healthz", {"Host": "127.0.0.1"}).status == 200,
            timeout=timeout,
            pause=0.1,
            what=f"answer /healthz in {timeout:.0f} s",
        )

    def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> Response:
        return fetch(self.port, method, path, headers=headers, body=body, timeout=10)

    def stop(self) -> None:
        # The group is gunicorn's own (start_new_session): its master and workers.
        super().stop(with_signal=signal.SIGTERM, grace=10)


class BenchEnvironment:
    def __init__(self, *, seconds: float, concurrency: int):
        self.seconds = seconds
        self.concurrency = concurrency
        server_url = os.environ.get("DATABASE_URL")
        if not server_url:
            raise BenchError(
                "DATABASE_URL is not set: run the benchmarks with `make bench` "
                "(python -m deploy.services exec -- python -m tests.perf)"
            )
        self.server_database_url = server_url
        # One database per run (engineers and CI jobs may share a PostgreSQL server).
        self.database_name = (
            os.environ.get("TSZH_BENCH_DATABASE") or f"{DATABASE_PREFIX}{os.getpid()}"
        )
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", self.database_name):
            raise BenchError(
                f"TSZH_BENCH_DATABASE must be a plain name, not {self.database_name!r}"
            )
        self.database_url = bench_database_url(server_url, self.database_name)
        self._work_dir = tempfile.TemporaryDirectory(prefix="tszh-bench-")
        self._database_ready = False
        self._server: Server | None = None
        self._bare: Server | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> BenchEnvironment:
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            for server in (self._server, self._bare):
                if server is not None:
                    server.stop()
            self._server = self._bare = None
        finally:
            try:
                if self._database_ready:
                    self._drop_database()
            finally:
                self._work_dir.cleanup()

    @property
    def work_dir(self) -> Path:
        return Path(self._work_dir.name)

    def subprocess_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DATABASE_URL"] = self.database_url
        env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        env.setdefault("TSZH_ENV", "test")
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT), str(ROOT / "platform"), *filter(None, [env.get("PYTHONPATH")])]
        )
        env["PYTHONUNBUFFERED"] = "1"
        # The bench's keys live with its database and go with it, never in the dev key store.
        env["TSZH_KEY_DIR"] = str(self.work_dir / "keys")
        env["TSZH_MASTER_KEY_FILE"] = str(self.work_dir / "master.key")
        return env

    # --- database ----------------------------------------------------------------------------
    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server_database_url, autocommit=True) as connection:
            connection.execute(statement)

    def _drop_database(self, name: str | None = None) -> None:
        # Names are checked against a plain-identifier pattern (__init__, _drop_leftovers).
        self._admin(f'DROP DATABASE IF EXISTS "{name or self.database_name}" WITH (FORCE)')

    def _drop_leftovers(self) -> None:
        """Databases of earlier runs that were killed before they could drop theirs."""
        import psycopg

        with psycopg.connect(self.server_database_url, autocommit=True) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [DATABASE_PREFIX.replace("_", r"\_") + "%"],
                )
            ]
        for name in names:
            match = re.fullmatch(rf"{DATABASE_PREFIX}(\d+)", name)
            if match and name != self.database_name and not _process_alive(int(match.group(1))):
                self._drop_database(name)

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.subprocess_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
        )
        if result.returncode != 0:
            output = result.stdout[-2000:] + result.stderr[-3000:]
            raise BenchError(f"manage.py {' '.join(args)} failed:\n{output}")
        return result.stdout

    def run_python(self, *args: str, failure: str, timeout: float) -> str:
        """``python *args`` (a benchmark's script, or ``-m`` and its module) with this run's
        environment; its standard output. If it fails: ``BenchError`` with ``failure`` and the
        end of its standard error."""
        result = subprocess.run(
            [sys.executable, *args],
            env=self.subprocess_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise BenchError(f"{failure}:\n{result.stderr[-3000:]}")
        return result.stdout

    def ensure_database(self) -> None:
        """A fresh database with the shared schema and the demo association."""
        if self._database_ready:
            return
        self._drop_leftovers()
        self._drop_database()
        self._admin(f'CREATE DATABASE "{self.database_name}"')
        self._database_ready = True
        self.manage("migrate_schemas", "--shared", "-v", "0")
        self.manage("seed_demo")

    # --- server ------------------------------------------------------------------------------
    def server(self) -> Server:
        if self._server is None:
            self.ensure_database()
            self._server = Server(self.subprocess_env(), self.work_dir / "gunicorn.log")
        return self._server

    def bare_server(self) -> Server:
        """The yardstick's server: the same gunicorn command, a bare hello-world Django app."""
        if self._bare is None:
            env = self.subprocess_env()
            env["DJANGO_SETTINGS_MODULE"] = BARE_SETTINGS_MODULE
            self._bare = Server(env, self.work_dir / "gunicorn-bare.log", label="bare")
        return self._bare

    def yardstick(self):
        """The page every ratio is taken against: ``load.Page`` of the bare hello view."""
        from tests.perf.load import Page

        bare = self.bare_server()
        return Page(bare.port, HELLO, {"Host": "127.0.0.1"}, label="bare hello")

    def demo_host(self) -> str:
        return f"{DEMO_SLUG}.localhost:{self.server().port}"

    def demo_login(self, email: str, password: str) -> Session:
        """Sign in on the demo association's login page like a browser; return its cookies."""
        server = self.server()
        session = Session(host=self.demo_host())
        page = server.request("GET", "/accounts/login/", session.headers())
        if page.status != 200:
            raise BenchError(f"GET /accounts/login/ answered {page.status}")
        session.cookies.update(cookies_set_by(page))
        token = session.cookies.get("csrftoken")
        if not token:
            raise BenchError("the login page set no csrftoken cookie")
        body = urllib.parse.urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
        ).encode()
        headers = session.headers() | {"Content-Type": "application/x-www-form-urlencoded"}
        answer = server.request("POST", "/accounts/login/", headers, body)
        if answer.status != 302:
            raise BenchError(f"login as {email} failed: POST answered {answer.status}")
        session.cookies.update(cookies_set_by(answer))
        if "sessionid" not in session.cookies:
            raise BenchError("the login answer set no session cookie")
        return session


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def script(name: str) -> str:
    """The path of a script of the benchmarks (``tests/perf/<name>``)."""
    return str(ROOT / "tests" / "perf" / name)


def last_json(output: str):
    """The JSON a benchmark's script prints on its last line."""
    return json.loads(output.strip().splitlines()[-1])


def demo_credentials(role: str = "owner") -> tuple[str, str]:
    """The demo login for a role, as ``seed_demo`` creates it (its own constants)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    for path in (str(ROOT), str(ROOT / "platform")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()
    from associations.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

    for email, _name, roles in DEMO_USERS:
        if roles[0] == role:
            return email, DEMO_PASSWORD
    raise BenchError(f"seed_demo has no demo login whose first role is {role!r}")
