"""The person's pages (the bell, the list, the settings) and the board's deliveries page."""

from __future__ import annotations

import pytest

from tenants.notifications import services
from tenants.notifications.models import OutboxMessage, Preference
from tests.tenants.notifications.conftest import ANNOUNCEMENT, EMERGENCY

pytestmark = pytest.mark.django_db


def test_bell_counts_unread_and_the_list_marks_them_read(announce, owner, client_of, alpha):
    announce([owner], path="/news/")
    announce([owner], subject="Второе")
    client = client_of(alpha, owner)
    assert 'data-unread="2"' in client.get("/notifications/settings/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "Отключение воды 5 июня" in page and "Второе" in page and 'href="/news/"' in page
    assert page.count("notification unread") == 2
    assert 'data-unread="0"' in client.get("/notifications/settings/").content.decode()


def test_someone_elses_notifications_are_not_listed(announce, owner, neighbour, client_of, alpha):
    announce([neighbour], subject="Только соседу")
    assert "Только соседу" not in client_of(alpha, owner).get("/notifications/").content.decode()


def test_settings_switch_kinds_but_not_emergencies(in_alpha, owner, client_of, alpha):
    client = client_of(alpha, owner)
    page = client.get("/notifications/settings/").content.decode()
    assert "Объявления правления" in page and "Экстренные сообщения" in page
    response = client.post(
        "/notifications/settings/",
        {f"kind_{EMERGENCY}": ""},  # announcement unticked
    )
    assert response.status_code == 302
    assert Preference.objects.get(user=owner, kind=ANNOUNCEMENT).enabled is False
    assert not Preference.objects.filter(kind=EMERGENCY).exists()
    client.post("/notifications/settings/", {f"kind_{ANNOUNCEMENT}": "on"})
    assert Preference.objects.get(user=owner, kind=ANNOUNCEMENT).enabled is True


def test_board_sees_failed_deliveries_without_addresses(
    announce, owner, chairman, client_of, alpha
):
    announce([owner])
    OutboxMessage.objects.update(status="failed", attempts=5, error_code="smtp-550")
    page = client_of(alpha, chairman).get("/notifications/deliveries/").content.decode()
    assert 'data-count="failed">1<' in page and "smtp-550" in page
    assert "Объявления правления" in page
    assert "owner-notify" not in page and "Отключение воды" not in page
    services.purge()


def test_bell_is_absent_for_visitors(in_alpha, client_of, alpha):
    assert "data-unread" not in client_of(alpha).get("/accounts/login/").content.decode()


def test_the_bells_count_is_cached_and_follows_every_change(announce, owner, client_of, alpha):
    """``selectors.unread_count`` from the shared cache (read with the user's row): a warm page
    counts nothing in the database; a new notification, reading the list, the purge of old items
    each show at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(alpha, owner)
    page = "/notifications/settings/"
    assert 'data-unread="0"' in client.get(page).content.decode()
    with CaptureQueriesContext(connection) as captured:
        assert 'data-unread="0"' in client.get(page).content.decode()
    assert not any("notifications_inboxitem" in q["sql"] for q in captured.captured_queries)

    announce([owner])
    assert 'data-unread="1"' in client.get(page).content.decode()
    announce([owner], subject="Второе")
    assert 'data-unread="2"' in client.get(page).content.decode()
    # the list marks them read and its own bell says so at once
    assert 'data-unread="0"' in client.get("/notifications/").content.decode()
    assert 'data-unread="0"' in client.get(page).content.decode()

    from datetime import timedelta

    from django.utils import timezone

    announce([owner], subject="Старое")
    assert 'data-unread="1"' in client.get(page).content.decode()
    connection.set_tenant(alpha)
    services.purge(now=timezone.now() + timedelta(days=400))
    assert 'data-unread="0"' in client.get(page).content.decode()
