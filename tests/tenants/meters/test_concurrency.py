"""100 submissions at once against the real PostgreSQL, in real threads that commit.

For 100 different meters, every reading is stored once; for one meter, every submission is kept
in the history, exactly one is current (the partial unique constraint and the register's row
lock), and it is the last one to commit. Each thread has its own connection in ``alpha``'s
schema; the test removes what it made (audit entries included).
"""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.utils import timezone

from tenants.meters import services
from tenants.meters.models import Reading
from tests.factories import UserFactory

SUBMISSIONS = 100
#: Threads at once (each holds a connection; the server is shared with other test runs).
WORKERS = 20
TODAY = datetime.date(2026, 5, 20)
MAY = datetime.date(2026, 5, 1)


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha, monkeypatch):
    """A member owning a flat with 100 meters, committed; everything removed afterwards."""
    from tests.tenants.meters.support import add_meter, audit_ids, home_of, remove_committed

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_tenant(alpha)
        audit_before = audit_ids()
        with transaction.atomic():
            member = UserFactory(roles=["owner"])
            premises, (first,) = home_of(member)
            meters = [first] + [add_meter(premises) for _ in range(SUBMISSIONS - 1)]
        try:
            yield member, meters
        finally:
            connection.set_tenant(alpha)
            remove_committed(premises, users=[member], audit_before=audit_before)
            connection.set_schema_to_public()
            cache.clear()


def run_all(alpha, work, arguments) -> list:
    def run(argument):
        try:
            connection.set_tenant(alpha)
            return work(argument)
        except Exception as error:  # noqa: BLE001 - the result under test
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, arguments))


def test_100_submissions_for_different_meters_are_all_stored(committed, alpha):
    member, meters = committed
    registers = [meter.registers.get() for meter in meters]

    def submit(register):
        return (
            services.submit_readings(actor=member, entries=[services.Entry(register, "12,5")])
            .readings[0]
            .pk
        )

    results = run_all(alpha, submit, registers)

    assert not [r for r in results if isinstance(r, Exception)], results
    connection.set_tenant(alpha)
    stored = Reading.objects.filter(meter__in=meters, period=MAY)
    assert stored.count() == SUBMISSIONS
    assert stored.filter(superseded_at__isnull=True).count() == SUBMISSIONS
    assert set(stored.values_list("pk", flat=True)) == set(results)


def test_100_submissions_for_one_meter_keep_all_and_the_last_counts(committed, alpha):
    member, meters = committed
    register = meters[0].registers.get()
    values = [str(10 + index) for index in range(SUBMISSIONS)]

    def submit(value):
        return (
            services.submit_readings(actor=member, entries=[services.Entry(register, value)])
            .readings[0]
            .pk
        )

    results = run_all(alpha, submit, values)

    assert not [r for r in results if isinstance(r, Exception)], results
    connection.set_tenant(alpha)
    rows = list(Reading.objects.filter(register=register, period=MAY))
    assert len(rows) == SUBMISSIONS  # none lost
    assert sorted(int(r.value) for r in rows) == sorted(int(v) for v in values)  # no duplicates
    current = [r for r in rows if r.superseded_at is None]
    assert len(current) == 1
    last = max(rows, key=lambda r: r.submitted_at)
    assert current[0].pk == last.pk  # the last one counts
    assert all(r.superseded_at >= r.submitted_at for r in rows if r.superseded_at)
