"""The locks that hand out numbers (repair requests, meetings) serialise one association, not
the whole database: while a transaction of ``alpha`` holds one, ``beta`` takes its own at once,
and another ``alpha`` transaction waits (here: times out). Real connections, real threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections, transaction

from tenants.dispatch import services as dispatch
from tenants.voting import services as voting

pytestmark = pytest.mark.xdist_group("concurrency")


@pytest.mark.parametrize("next_number", [dispatch._next_number, voting._next_number])
def test_a_number_lock_holds_one_association_only(
    next_number, django_db_setup, django_db_blocker, alpha, beta
):
    held, done = threading.Event(), threading.Event()

    def holder():
        try:
            connection.set_tenant(alpha)
            with transaction.atomic():
                next_number()
                held.set()
                done.wait(30)
        finally:
            connections.close_all()

    def other(association):
        try:
            connection.set_tenant(association)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1500ms'")
                return next_number()
        except OperationalError as error:
            return error
        finally:
            connections.close_all()

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=2) as pool:
        holding = pool.submit(holder)
        assert held.wait(30)
        try:
            elsewhere = pool.submit(other, beta).result(30)
            same = pool.submit(other, alpha).result(30)
        finally:
            done.set()
            holding.result(30)
    assert isinstance(elsewhere, int)  # beta did not wait for alpha's lock
    assert isinstance(same, OperationalError)  # alpha's second transaction did
    assert "lock timeout" in str(same)
