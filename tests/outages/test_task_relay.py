"""Redis stopped while the board starts background work: the month's receipts PDF and an
accrual run. The requests answer as usual (no 500), the work shows as accepted, the tasks the
broker refused are kept in the public schema (``core.relay``); Redis back, a worker that starts
relays them (its start hook, then beat's every-minute ``relay-deferred-tasks``), and each effect
happens once: one stored PDF with every receipt, one preview of the run.

The stack (tests/outages/stack.py) is used as it is; this test adds its own accountant, registry
and worker (a real ``celery worker`` process on the stack's PostgreSQL and Redis).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.factories import TEST_PASSWORD
from tests.outages.stack import SLUG

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTANT = "outage-accountant@example.test"

PRELUDE = f"""
import json
import django
django.setup()
from django.db import connection
from associations.models import Association
connection.set_tenant(Association.objects.get(slug={SLUG!r}))
"""

SEED = f"""
import datetime
from django.utils import timezone
from core.access.roles import Role
from tenants.ledger import services as ledger
from tenants.ledger.models import Method
from tenants.profile.models import PaymentRecipient
from tests.factories import UserFactory
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.residents.factories import BuildingFactory, make_premises

PaymentRecipient.objects.create(
    title="relay", recipient_name="ТСЖ «Авария»", account="40703810938000000001",
    bank_name="ПАО Сбербанк", bic="044525225", corr_account="30101810400000000225",
    is_main=True,
)
house = BuildingFactory(name="Дом «Реле»", address="г. Москва, ул. Релейная, д. 1")
for n in range(3):
    make_premises(house, number=f"{{n + 1}}", area=f"{{41 + n}}.00", account=f"R-{{n + 1}}")
add_service(Method.AREA, "10.00")
this_month = timezone.localdate().replace(day=1)
last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
ledger.accrue(last_month, actor=None)
accountant = UserFactory(email={ACCOUNTANT!r}, roles=[Role.ACCOUNTANT])
print(json.dumps({{"accountant": str(accountant.pk), "last_month": f"{{last_month:%Y-%m}}",
                  "this_month": f"{{this_month:%Y-%m}}"}}))
"""

SECOND_FACTOR = """
from importlib import import_module
from django.conf import settings
from core.access.twofactor import SESSION_KEY
store = import_module(settings.SESSION_ENGINE).SessionStore(session_key={key!r})
store[SESSION_KEY] = {user!r}
store.save()
"""

RESULT = """
import io
from pypdf import PdfReader
from tenants.files.models import StoredFile
from tenants.files.selectors import read_bytes
from tenants.ledger.receipts.models import ReceiptBatch
batch = ReceiptBatch.objects.get(pk={batch!r})
pages = len(PdfReader(io.BytesIO(read_bytes(batch.file))).pages) if batch.file_id else 0
files = StoredFile.objects.filter(purpose="ledger.receipts_batch").count()
print(json.dumps({{"status": batch.status, "total": batch.total, "pages": pages, "files": files}}))
"""

RENDER_AGAIN = """
from tenants.ledger.receipts import tasks
tasks.build_batch({batch!r})  # a second delivery of the same job
"""


def _env(stack, files_dir: Path) -> dict[str, str]:
    # The worker and the checks share one private-files directory (a test process makes its
    # own otherwise); gunicorn never reads the PDF here.
    return {**stack.env(), "TSZH_FILES_DIR": str(files_dir)}


def _django(stack, files_dir: Path, code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        env=_env(stack, files_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


@contextlib.contextmanager
def _worker(stack, files_dir: Path, log: Path):
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
            + ["--queues", "celery", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat", "--loglevel", "info", "--hostname", "relay@%h"],
            env=_env(stack, files_dir),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def _wait(check, *, what: str, log: Path, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-4000:]
    raise AssertionError(f"timed out waiting for {what}:\n{tail}")


def _tracebacks(stack) -> int:
    return stack.log_tail(100_000).count("Traceback")


def _deferred(stack) -> list[tuple]:
    return stack.sql("SELECT schema_name, task, args FROM public.relay_deferredtask ORDER BY id")


def test_work_started_while_redis_is_down_is_relayed_once_it_is_back(stack, tmp_path):
    files_dir = tmp_path / "files"
    facts = _django(stack, files_dir, SEED)
    schema = stack.facts["schema"]
    accountant = stack.browser()
    assert accountant.login(ACCOUNTANT, TEST_PASSWORD).status == 302
    _django(
        stack,
        files_dir,
        SECOND_FACTOR.format(key=accountant.cookies["sessionid"], user=facts["accountant"]),
    )
    assert accountant.get("/receipts/").status == 200
    before = len(_deferred(stack))
    tracebacks = _tracebacks(stack)

    stack.redis.stop()
    try:
        # The month's receipts: accepted, shown as queued with the promise, not a 500.
        started = time.monotonic()
        answer = accountant.post("/receipts/batches/start/", form={"month": facts["last_month"]})
        assert answer.status == 302, (answer.status, answer.text[:500])
        assert time.monotonic() - started < 10
        page = accountant.get(answer.headers["Location"])
        assert page.status == 200
        assert "Задание принято" in page.text
        batch = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        # An accrual run of this month: accepted the same way.
        answer = accountant.post("/ledger/runs/start/", form={"month": facts["this_month"]})
        assert answer.status == 302, (answer.status, answer.text[:500])
        run = answer.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        assert accountant.get(answer.headers["Location"]).status == 200

        kept = _deferred(stack)[before:]
        assert kept == [
            (schema, "tenants.ledger.receipts.tasks.build_batch", [batch]),
            (schema, "tenants.ledger.tasks.preview_run", [run]),
        ]
        assert stack.count("ledger_receiptbatch", "id = %s AND status = 'queued'", [batch]) == 1
    finally:
        stack.redis.start()

    # Redis is back, empty: what was refused is in the public schema only.
    assert stack.redis.client().llen("celery") == 0
    log = tmp_path / "worker.log"
    with _worker(stack, files_dir, log):
        # The worker's start hook relays at once; the PDF is rendered and the preview made.
        _wait(lambda: not _deferred(stack)[before:], what="the relay", log=log)
        done = _wait(
            lambda: (
                (r := _django(stack, files_dir, RESULT.format(batch=batch)))["status"]
                in ("ready", "failed")
                and r
            ),
            what="the receipts PDF",
            log=log,
        )
        assert done["status"] == "ready", done
        _wait(
            lambda: stack.count("ledger_accrualrun", "id = %s AND status = 'preview'", [run]),
            what="the run's preview",
            log=log,
        )
        # Beat's relay finds nothing more to send.
        relayed = stack.django("from core.relay import relay\nprint(relay())")
        assert "'sent': 0" in relayed

    # Once: one PDF with every receipt, even after a second delivery of the same job.
    assert done["files"] == 1 and done["pages"] == done["total"] >= 3
    _django(stack, files_dir, RENDER_AGAIN.format(batch=batch))
    again = _django(stack, files_dir, RESULT.format(batch=batch))
    assert again == done
    assert stack.count("ledger_accrualrun", "status = 'preview'") == 1
    assert _tracebacks(stack) == tracebacks, stack.log_tail()
