"""Pinned query counts of the People pages (tests/query_counts.py): the list (with the latest
staff changes) with one member of staff and twenty, a person's page, the hand-over's form."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.staff import services
from tests.query_counts import counts_at, query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow_to(alpha, chairman, make_user):
    """``grow_to(n)``: n accountants, each given the role by the chairman (audited)."""
    staff = []

    def grow(size):
        while len(staff) < size:
            person = make_user(alpha, roles=[Role.OWNER])
            services.grant_roles(person, roles=[Role.ACCOUNTANT], actor=chairman)
            staff.append(person)

    grow.staff = staff
    return grow


@pytest.mark.parametrize(
    ("path", "pinned"),
    [
        (lambda staff: "/staff/", 7),
        (lambda staff: f"/staff/{staff[0].pk}/", 3),
        (lambda staff: "/staff/chair/", 4),
    ],
    ids=["people", "person", "handover"],
)
def test_the_people_pages(board, grow_to, path, pinned):
    found = counts_at((1, 20), grow_to, lambda: query_count(board, path(grow_to.staff)))
    assert found == {1: pinned, 20: pinned}
