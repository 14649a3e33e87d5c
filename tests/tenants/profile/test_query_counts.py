"""Pinned query counts of the association's profile pages (tests/query_counts.py): the profile
with one payment recipient and twenty, and a recipient's page."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.profile.models import PaymentRecipient
from tests.query_counts import counts_at, query_count

pytestmark = pytest.mark.django_db


def grow_to(size):
    for n in range(PaymentRecipient.objects.count(), size):
        PaymentRecipient.objects.create(
            title=f"Счёт {n}",
            recipient_name="ТСЖ «Альфа»",
            account=f"4070381000000000{n:04d}",
            bank_name="ПАО Банк",
            bic="044525225",
            is_main=n == 0,
        )


@pytest.mark.parametrize(
    ("path", "pinned"),
    [
        # 7 -> 6: the operational settings rows from the shared cache (core.stamped)
        (lambda: "/settings/profile/", 6),
        (lambda: f"/settings/profile/recipients/{PaymentRecipient.objects.first().pk}/", 3),
        (lambda: "/settings/profile/legal/", 3),
        (lambda: "/settings/profile/contacts/", 3),
        # 4 -> 2: the settings rows from the shared cache, the legal form from the routed
        # association (core.legal_details.routed_kind)
        (lambda: "/settings/profile/operations/", 2),
        (lambda: "/settings/profile/logo/", 3),
    ],
    ids=["index", "recipient", "legal", "contacts", "operations", "logo"],
)
def test_the_profile_pages(alpha, in_alpha, make_user, client_of, path, pinned):
    board = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    assert counts_at((1, 20), grow_to, lambda: query_count(board, path())) == {
        1: pinned,
        20: pinned,
    }
