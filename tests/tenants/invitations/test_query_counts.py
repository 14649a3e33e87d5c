"""Pinned query counts of the invitation pages (tests/query_counts.py): the list and the invite
form cost the same for one invitation (or premises) and twenty."""

from __future__ import annotations

import pytest
from django.core import mail

from tenants.invitations import services
from tests.query_counts import counts_at, query_count
from tests.tenants.invitations.helpers import link_in, make_owner, make_premises, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow_to(register, chairman):
    """``grow_to(n)``: n pending invitations of owners of the register's flat."""
    from tenants.invitations.models import Invitation

    def grow(size):
        for index in range(Invitation.objects.count(), size):
            owner = make_owner(
                register.flat, number=f"3000{index}", full_name=f"Owner {index}", share=(1, 100)
            )
            services.invite(
                email=f"owner{index}@example.test",
                premises=register.flat,
                kind="owner",
                owner=owner,
                actor=chairman,
                site_url="http://alpha.test",
            )

    return grow


def test_the_list(board, grow_to):
    found = counts_at((1, 20), grow_to, lambda: query_count(board, "/invitations/"))
    # A signed-in page's base of 2 (tests/query_counts.py), the count and the page of invitations.
    assert found == {1: 4, 20: 4}


def test_the_accept_page(alpha, client_of, grow_to):
    visitor = client_of(alpha)

    def measure():
        first = path_of(link_in(mail.outbox[0]))
        return query_count(visitor, first)

    assert counts_at((1, 20), grow_to, measure) == {1: 5, 20: 5}


def test_the_invite_form(alpha, register, board):
    def grow_to(size):
        for index in range(2, size):  # the register has two premises
            make_premises(register.building, f"{100 + index}")

    found = counts_at((2, 20), grow_to, lambda: query_count(board, "/invitations/new/"))
    assert found == {2: 4, 20: 4}
