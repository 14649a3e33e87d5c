"""Pinned query counts (tests/query_counts.py): the submission page costs the same for one
meter and for many, and so does the board's list for one premises and for many."""

from __future__ import annotations

import datetime

import pytest

from tenants.meters.models import MeterKind
from tests.factories import UserFactory
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.meters.support import add_meter, history, home_of
from tests.tenants.residents.factories import BuildingFactory, make_premises

pytestmark = pytest.mark.django_db
MAY = datetime.date(2026, 5, 1)


def test_the_submission_page(in_alpha, alpha, client_of, today):
    today(datetime.date(2026, 5, 20))
    member = UserFactory(roles=["owner"])
    premises, (first,) = home_of(member)
    history(first, ["1", "2"], until=MAY)
    client = client_of(alpha, member)

    def grow_to(size):
        from tenants.meters.models import Meter

        for index in range(Meter.objects.count(), size):
            meter = add_meter(premises, kind=MeterKind.HOT_WATER if index % 2 else "gas")
            history(meter, ["3", "4"], until=MAY)

    found = counts_at((1, 8), grow_to, lambda: query_count(client, "/meters/"))
    # The signed-in base of 2, the readings window's settings, the meters, their registers,
    # their readings.
    assert found == {1: 6, 8: 6}, queries_text(client, "/meters/")


def test_the_boards_list(in_alpha, alpha, client_of, today):
    today(datetime.date(2026, 5, 20))
    chairman = UserFactory(roles=["chairman", "board_member"])
    building = BuildingFactory()
    client = client_of(alpha, chairman)

    def grow_to(size):
        from tenants.residents.models import Premises

        for _index in range(Premises.objects.count(), size):
            add_meter(make_premises(building))

    found = counts_at((1, 30), grow_to, lambda: query_count(client, "/meters/board/"))
    assert found == {1: 7, 30: 7}, queries_text(client, "/meters/board/")
