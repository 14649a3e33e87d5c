"""Pinned query counts of the new portal's first steps (tests/query_counts.py), with one premises
and twenty in the registry."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.residents.models import Premises
from tests.query_counts import counts_at, query_count
from tests.tenants.residents.factories import BuildingFactory, make_premises

pytestmark = pytest.mark.django_db


def test_the_first_steps(alpha, in_alpha, make_user, client_of):
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    building = BuildingFactory()

    def grow_to(size):
        for n in range(Premises.objects.count(), size):
            make_premises(building, number=str(n + 1))

    found = counts_at((1, 20), grow_to, lambda: query_count(client, "/welcome/first-steps/"))
    assert found == {1: 5, 20: 5}
