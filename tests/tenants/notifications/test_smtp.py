"""Real SMTP: an aiosmtpd server on loopback receives what the outbox delivers."""

from __future__ import annotations

import pytest
from django.core import mail

from tenants.notifications import services
from tenants.notifications.models import OutboxMessage
from tests.smtp_sink import Inbox, smtp_server, smtp_settings

pytestmark = pytest.mark.django_db


class Refuser:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 no such user here"


def test_letters_reach_a_real_smtp_server(announce, owner, neighbour):
    inbox = Inbox()
    controller = smtp_server(inbox)
    try:
        announce([owner, neighbour], path="/news/")
        with smtp_settings(controller):
            assert services.deliver_pending().sent == 2
            assert services.deliver_pending().sent == 0
    finally:
        controller.stop()
    assert mail.outbox == []  # it went over SMTP, not to the test backend
    assert sorted(to[0] for to, _message in inbox.messages) == [
        "neighbour@example.test",
        "owner-notify@example.test",
    ]
    letter = next(message for to, message in inbox.messages if to == ["owner-notify@example.test"])
    assert str(letter["Subject"]) == "Отключение воды 5 июня"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in letter["List-Unsubscribe"]
    assert "С 10:00 до 14:00" in letter.get_content()


def test_a_permanent_refusal_fails_at_once(announce, owner):
    """550 (no such mailbox) cannot get better by retrying: failed, on the board's page."""
    controller = smtp_server(Refuser())
    try:
        announce([owner])
        with smtp_settings(controller):
            run = services.deliver_pending()
    finally:
        controller.stop()
    row = OutboxMessage.objects.get()
    assert run.failed == 1 and run.retried == 0
    assert (row.status, row.error_code, row.attempts) == ("failed", "smtp-550", 1)


def test_an_unreachable_server_means_retry(announce, owner):
    controller = smtp_server(Inbox())
    controller.stop()  # nobody listens on that port now
    announce([owner])
    with smtp_settings(controller):
        run = services.deliver_pending()
    row = OutboxMessage.objects.get()
    assert run.retried == 1 and (row.status, row.error_code) == ("pending", "connection")
