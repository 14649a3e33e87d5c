"""Run inside a Django process (see bench_meters): the meters' reminder to every member.

``python tests/perf/reminders_run.py SIZE...`` creates, for each SIZE, an association with SIZE
member logins, each living in a flat of its own with one cold-water meter and no reading yet;
then runs ``reminders.send_due_reminders`` at 10:00 local time two days before the readings
window closes (the "closes soon" reminder to all of them: the audience, the ledger rows, one
notification with its inbox and outbox rows), counting every SQL query; then runs it again (a
duplicated task: nothing is sent). Prints one JSON line per size.
"""

from __future__ import annotations

import datetime
import json
import sys
import time
import zoneinfo

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from associations.models import Association  # noqa: E402
from associations.services import create_association  # noqa: E402
from core.access.roles import Role  # noqa: E402
from tenants.meters import periods, reminders  # noqa: E402
from tenants.meters.models import Meter, Register  # noqa: E402
from tenants.notifications.models import OutboxMessage  # noqa: E402
from tenants.residents.models import Building, Premises, Residency  # noqa: E402

BATCH = 1000
ZONE = zoneinfo.ZoneInfo("Europe/Moscow")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _populate(size: int, since: datetime.date) -> None:
    User = get_user_model()
    building = Building.objects.create(name="Дом 1")
    for start in range(0, size, BATCH):
        numbers = range(start, min(size, start + BATCH))
        users = User.objects.bulk_create(
            User(
                email=f"member{n}@bench-meters.test",
                full_name=f"Житель {n}",
                roles=[Role.RESIDENT],
                password="!",
            )
            for n in numbers
        )
        flats = Premises.objects.bulk_create(
            Premises(building=building, number=str(n + 1), area="50.00") for n in numbers
        )
        Residency.objects.bulk_create(
            Residency(premises=flat, user=user, started_on=since)
            for flat, user in zip(flats, users, strict=True)
        )
        meters = Meter.objects.bulk_create(
            Meter(premises=flat, kind="cold_water", serial_number=f"B{n}", installed_on=since)
            for n, flat in zip(numbers, flats, strict=True)
        )
        Register.objects.bulk_create(
            Register(meter=meter, code="total", initial_value=0) for meter in meters
        )


def run(size: int) -> dict:
    slug = f"bench-meters-{size}"
    if Association.objects.filter(slug=slug).exists():
        raise SystemExit(f"the association {slug} exists: the benchmark needs an empty one")
    association = create_association(name=f"ТСЖ «Бенчмарк счётчиков {size}»", slug=slug)
    with tenant_context(association):
        today = datetime.datetime.now(ZONE).date()
        _opens, closes = periods.window_for(periods.month_of(today))
        day = closes - datetime.timedelta(days=reminders.CLOSING_DAYS)
        _populate(size, day - datetime.timedelta(days=400))
        now = datetime.datetime(day.year, day.month, day.day, 10, 5, tzinfo=ZONE)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            sent = reminders.send_due_reminders(now=now)
            seconds = time.perf_counter() - started
        queries = counter.count
        again = reminders.send_due_reminders(now=now + datetime.timedelta(hours=1))
        outbox = OutboxMessage.objects.count()
    return {
        "size": size,
        "sent": sent.get(reminders.WINDOW_CLOSING, 0),
        "outbox": outbox,
        "seconds": seconds,
        "queries": queries,
        "second_sent": again.get(reminders.WINDOW_CLOSING, 0),
    }


def main(sizes: list[int]) -> None:
    for size in sizes:
        print(json.dumps(run(size)), flush=True)


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]])
