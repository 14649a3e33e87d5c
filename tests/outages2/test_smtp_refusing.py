"""An SMTP server refusing mail (aiosmtpd on loopback, the real SMTP backend): a temporary
refusal (451, 421) is retried with a growing backoff and the letter delivered once; a permanent
one (550) is not retried, and the board sees it on the deliveries page. No letter twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.access.roles import Role
from tenants.notifications import services
from tenants.notifications.declaration import ANNOUNCEMENT
from tenants.notifications.models import OutboxMessage
from tests.smtp_sink import Inbox, smtp_server, smtp_settings

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("outages2")]


class RefusingSome(Inbox):
    """Refuses every letter to ``refused`` for good (550 at RCPT), accepts the rest."""

    def __init__(self, refused: str):
        super().__init__()
        self.refused_address = refused
        self.refusals = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused_address:
            self.refusals += 1
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Scripted(Inbox):
    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.refusals = 0

    async def handle_DATA(self, server, session, envelope):
        if self.answers:
            self.refusals += 1
            return self.answers.pop(0)
        return await super().handle_DATA(server, session, envelope)


def smtp(controller):
    return smtp_settings(controller, NOTIFICATIONS_BACKOFF_SECONDS=60, NOTIFICATIONS_MAX_ATTEMPTS=5)


def test_temporary_refusals_are_retried_with_backoff_and_delivered_once(in_alpha, make_user):
    alpha = in_alpha
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    owner = make_user(alpha, roles=[Role.OWNER], email="temp-refused@example.test")
    handler = Scripted(["451 4.3.0 mailbox busy, try later", "421 4.3.2 shutting down"])
    controller = smtp_server(handler)
    start = timezone.now()
    try:
        services.notify(actor=chairman, kind=ANNOUNCEMENT, recipients=[owner], subject="Вода")
        with smtp(controller):
            first = services.deliver_pending(now=start)
            row = OutboxMessage.objects.get()
            assert first.retried == 1 and first.sent == 0
            assert (row.status, row.error_code, row.attempts) == ("pending", "smtp-451", 1)
            assert row.next_attempt_at == start + datetime.timedelta(seconds=60)

            early = services.deliver_pending(now=start + datetime.timedelta(seconds=30))
            assert early.sent == early.retried == 0 and handler.refusals == 1, "backoff kept"

            at = start + datetime.timedelta(seconds=61)
            second = services.deliver_pending(now=at)
            row.refresh_from_db()
            assert second.retried == 1 and second.connection_lost
            assert (row.status, row.error_code, row.attempts) == ("pending", "smtp-421", 2)
            assert row.next_attempt_at == at + datetime.timedelta(seconds=120), "doubled"

            later = at + datetime.timedelta(seconds=121)
            assert services.deliver_pending(now=later).sent == 1
            assert services.deliver_pending(now=later + datetime.timedelta(hours=1)).sent == 0
    finally:
        controller.stop()
    assert handler.recipients() == ["temp-refused@example.test"], "delivered once"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_permanent_refusal_is_not_retried_and_the_board_sees_it(in_alpha, make_user, client_of):
    alpha = in_alpha
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    gone = make_user(alpha, roles=[Role.OWNER], email="gone@example.test")
    here = make_user(alpha, roles=[Role.OWNER], email="here@example.test")
    handler = RefusingSome("gone@example.test")
    controller = smtp_server(handler)
    now = timezone.now()
    try:
        services.notify(
            actor=chairman, kind=ANNOUNCEMENT, recipients=[gone, here], subject="Собрание"
        )
        with smtp(controller):
            run = services.deliver_pending(now=now)
            assert (run.sent, run.failed, run.retried) == (1, 1, 0)
            for hours in (1, 2, 24):  # the periodic job comes back: nothing is tried again
                again = services.deliver_pending(now=now + datetime.timedelta(hours=hours))
                assert (again.sent, again.failed, again.retried) == (0, 0, 0)
    finally:
        controller.stop()
    assert handler.refusals == 1, "refused once, never retried"
    assert handler.recipients() == ["here@example.test"]
    failed = OutboxMessage.objects.get(user=gone)
    assert (failed.status, failed.error_code, failed.attempts) == ("failed", "smtp-550", 1)

    page = client_of(alpha, chairman).get("/notifications/deliveries/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="failed">1<' in text and "smtp-550" in text
    assert "gone@example.test" not in text, "no address on the page"
