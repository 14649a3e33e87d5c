"""Run inside a Django process (see bench_ledger): the monthly accrual run of 10,000 and 20,000
accounts × 5 services, and a bare COPY of the same number of rows.

``python tests/perf/accrual_run.py`` creates two associations (10,000 and 20,000 flats with
personal accounts, in 10 and 20 buildings), five services (per m², per resident, fixed, capital
repair per m², ОДН by the norm) with tariffs, then runs the accrual (the preview and the
posting, the Celery tasks' bodies in this process) for one month in each, and COPYs the same
number of rows into a temporary table. Prints one JSON line.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import resource
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from associations.services import create_association  # noqa: E402
from tenants.ledger import services  # noqa: E402
from tenants.ledger.models import Entry, Method  # noqa: E402
from tenants.residents.models import Building, PersonalAccount, Premises  # noqa: E402

MONTH = datetime.date(2025, 5, 1)
PER_BUILDING = 1_000


def _memory_mb(field: str = "VmHWM") -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def fill(accounts: int) -> None:
    with transaction.atomic():
        buildings = Building.objects.bulk_create(
            [Building(name=f"Дом {n}") for n in range(accounts // PER_BUILDING)]
        )
        premises = Premises.objects.bulk_create(
            [
                Premises(
                    building=buildings[n // PER_BUILDING],
                    kind="flat",
                    number=str(n),
                    area=Decimal(30 + n % 70) + Decimal("0.45"),
                    registered_residents=n % 5,
                )
                for n in range(accounts)
            ],
            batch_size=5000,
        )
        PersonalAccount.objects.bulk_create(
            [PersonalAccount(number=f"B{n:06d}", premises=p) for n, p in enumerate(premises)],
            batch_size=5000,
        )
        for code, method, rate, extra in [
            ("upkeep", Method.AREA, "31.47", {}),
            ("water", Method.RESIDENT, "215.30", {}),
            ("intercom", Method.FIXED, "55", {}),
            ("capital", Method.AREA, "15.10", {"is_capital_repair": True}),
            ("odn", Method.COMMON_HOUSE, "48.12", {"meter_kind": "cold_water"}),
        ]:
            service = services.create_service(
                actor=None, code=code, name=code, method=method, **extra
            )
            services.add_tariff(
                actor=None,
                service=service,
                valid_from=MONTH,
                rate=Decimal(rate),
                norm=Decimal("0.0300") if method == Method.COMMON_HOUSE else None,
            )


def bare_copy(rows: int) -> float:
    """COPY ``rows`` rows shaped like the run's (ids, amount, a calculation) into a temp table."""
    account, service = uuid.uuid4(), uuid.uuid4()
    calc = json.dumps(
        {
            "method": "area",
            "base": {"kind": "area", "value": "54.45"},
            "tariff": {"rate": "31.47", "valid_from": "2025-05-01"},
            "amount": "1713.54",
        },
        ensure_ascii=False,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_copy (account_id uuid, holding_id uuid, service_id uuid, "
            "amount numeric(14, 2), calculation jsonb) ON COMMIT DROP"
        )
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
            for _ in range(rows):
                copy.write_row((account, None, service, Decimal("1713.54"), calc))
        return time.perf_counter() - started


def run(accounts: int) -> dict:
    association = create_association(
        name=f"ТСЖ «Бенчмарк начислений {accounts}»", slug=f"bench-ledger-{accounts}-{os.getpid()}"
    )
    with schema_context(association.schema_name):
        fill(accounts)
        _reset_peak()
        started = time.perf_counter()
        result = services.accrue(MONTH, actor=None)
        total = time.perf_counter() - started
        peak = _memory_mb()
        entries = Entry.objects.filter(period=MONTH).count()
        copy_s = bare_copy(entries)
        again = time.perf_counter()
        second = services.accrue(MONTH, actor=None)
        again_s = time.perf_counter() - again
    return {
        "accounts": accounts,
        "entries": entries,
        "run_s": total,
        "copy_s": copy_s,
        "peak_mb": peak,
        "status": result.status,
        "second_posted": second.posted_entries,
        "second_s": again_s,
    }


if __name__ == "__main__":
    small = run(10_000)
    large = run(20_000)
    print(json.dumps({"small": small, "large": large}))
    sys.exit(0)
