"""Pinned query counts of the notification pages (tests/query_counts.py): the person's list and
settings with one notification and twenty, the board's failed deliveries with one and twenty."""

from __future__ import annotations

import pytest

from tenants.notifications.models import InboxItem, OutboxMessage
from tests.query_counts import counts_at, query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow_to(announce, owner):
    """``grow_to(n)``: n notifications to the owner, each with a failed email."""

    def grow(size):
        for n in range(InboxItem.objects.filter(user=owner).count(), size):
            announce([owner], subject=f"Объявление {n}")
        OutboxMessage.objects.update(status="failed", attempts=5, error_code="smtp-550")

    return grow


@pytest.mark.parametrize(
    ("path", "pinned"), [("/notifications/", 4), ("/notifications/settings/", 3)]
)
def test_the_persons_pages(alpha, owner, grow_to, client_of, path, pinned):
    client = client_of(alpha, owner)
    assert counts_at((1, 20), grow_to, lambda: query_count(client, path)) == {
        1: pinned,
        20: pinned,
    }


def test_the_failed_deliveries(alpha, chairman, grow_to, client_of):
    board = client_of(alpha, chairman)
    found = counts_at((1, 20), grow_to, lambda: query_count(board, "/notifications/deliveries/"))
    assert OutboxMessage.objects.filter(status="failed").count() == 20
    assert found == {1: 5, 20: 5}
