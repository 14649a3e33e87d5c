"""Pinned query counts of the portal's dashboard and ``api/v1/me/`` (tests/query_counts.py): the
chairman's and an owner's, with one premises (owned by the owner) and twenty."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.residents.models import Premises
from tests.query_counts import counts_at, query_count
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "path", "pinned"),
    [
        (Role.CHAIRMAN, "/", 2),
        (Role.OWNER, "/", 2),
        (Role.CHAIRMAN, "/api/v1/me/", 2),
        (Role.OWNER, "/api/v1/me/", 2),
    ],
)
def test_the_dashboard_and_me(alpha, in_alpha, make_user, client_of, role, path, pinned):
    user = make_user(alpha, roles=[role])
    client = client_of(alpha, user)
    building = BuildingFactory()

    def grow_to(size):
        for n in range(Premises.objects.count(), size):
            make_owner(make_premises(building, number=str(n + 1)), user=user)

    assert counts_at((1, 20), grow_to, lambda: query_count(client, path)) == {
        1: pinned,
        20: pinned,
    }
