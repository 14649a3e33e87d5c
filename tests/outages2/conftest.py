"""Outages of the moving parts around a task: a Celery worker killed mid-task, an SMTP server
refusing mail, a payment provider timing out (issue 19, "Real outages").

Every test here commits: a worker is another process with its own connection. Each test gets
an association of its own (``scratch``), deleted afterwards with everything in its schema. The
folder runs on one pytest-xdist worker (``xdist_group``): the worker subprocesses share that
worker's Redis database and test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection

from tests.billing.payments.conftest import member  # noqa: F401 - fixtures of other folders
from tests.billing.plans.conftest import localstripe  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
#: The broker gives a killed worker's message to the next worker after this many seconds.
VISIBILITY_TIMEOUT = 2


def _database_url() -> str:
    """The run's ``DATABASE_URL`` with the test database's name in it."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _purge_broker() -> None:
    """Forget queued and unacknowledged messages (a failed test's must not reach the next)."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


class Workers:
    """Real ``celery worker`` processes (solo pool) on the test database and Redis database."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.running: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(
        self,
        *,
        hang: str = "",
        hang_at: int = 1,
        when: str = "before",
        pool: str = "solo",
        **extra,
    ):
        """Start a worker; with ``hang`` (``module:attr``) it hangs at that call (see
        ``hanging_worker``). Returns the process and the file that says it hangs."""
        mark = self.tmp / f"hang-{uuid.uuid4().hex}"
        log = self.tmp / f"worker-{len(self.logs)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "TSZH_CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'platform'}",
            "TSZH_OUTAGE_HANG": hang,
            "TSZH_OUTAGE_HANG_AT": str(hang_at),
            "TSZH_OUTAGE_HANG_WHEN": when,
            "TSZH_OUTAGE_MARK": str(mark),
            **extra,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.outages2.hanging_worker",
                    "worker",
                    "--pool",
                    pool,
                    "--concurrency",
                    "1",
                    "--queues",
                    "celery",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "warning",
                    "--hostname",
                    f"outages2-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.running.append(process)
        self.logs.append(log)
        return process, mark

    def wait_hanging(self, process, mark: Path, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if mark.exists():
                return
            if process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the worker never reached its hang point:\n{self.output()}")

    def kill(self, process) -> None:
        """SIGKILL: no shutdown, no acknowledgement, connections dropped as a crash drops them."""
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def kill_pool_process(self, mark: Path) -> None:
        """SIGKILL the pool process running the task (its id is in the mark), as the kernel's
        OOM killer would: the worker itself lives on and starts another pool process."""
        os.kill(int(mark.read_text()), signal.SIGKILL)

    def output(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-3000:] for log in self.logs)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path, scratch):
    _purge_broker()
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        _purge_broker()


def wait_until(check, *, timeout: float = 180, what: str = "", workers: Workers | None = None):
    """Poll ``check()`` until it returns something true; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    more = f"\n{workers.output()}" if workers is not None else ""
    raise AssertionError(f"timed out waiting for {what}{more}")


@pytest.fixture
def scratch(django_db_setup, django_db_blocker):
    """A committed association of this test's own, in whose schema the test runs; deleted after
    (schema, keys, domains), as an operator deletes one."""
    from associations.services import create_association
    from console import services as console
    from core.crypto import keyring
    from tests.factories import UserFactory

    slug = f"out2-{uuid.uuid4().hex[:6]}"
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_schema_to_public()
        association = create_association(name="ТСЖ «Сбой»", slug=slug)
        connection.set_schema_to_public()
        operator = UserFactory(roles=[], is_staff=True)
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        connection.set_tenant(association)
        try:
            yield association
        finally:
            connection.set_schema_to_public()
            association.refresh_from_db()
            if association.status != "suspended":
                console.suspend_association(association, reason="cleanup", actor=operator)
            console.delete_association(association, confirmation=slug, actor=operator)
            connection.set_schema_to_public()
            # The key job, as after a real deletion: no destruction request is left for the
            # console's tests on this worker's database to count.
            keyring.destroy_requested_keys()
            Session.objects.exclude(session_key__in=sessions_before).delete()
            with connection.cursor() as cursor:
                # The cleanup's own public audit entries (suspended, deleted) go with its
                # operator: the console's tests on this worker's database count those actions.
                cursor.execute("DELETE FROM audit_auditentry WHERE actor_id = %s", [operator.pk])
                cursor.execute("DELETE FROM access_user WHERE id = %s", [operator.pk])
            cache.clear()
