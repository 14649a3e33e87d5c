"""The outbox and its delivery: written with the event, sent at most once, retried with a
backoff then failed, preferences honoured, emergencies always sent, nothing readable stored."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from core import extensions
from core.audit.models import AuditEntry
from core.extensions import NotificationKind
from tenants.notifications import selectors, services
from tenants.notifications.models import (
    InboxItem,
    Message,
    OutboxMessage,
    OutboxStatus,
    Preference,
)
from tests.tenants.notifications.conftest import ANNOUNCEMENT, EMERGENCY

pytestmark = pytest.mark.django_db

BACKENDS = "tests.tenants.notifications.backends"


def test_notify_writes_message_inbox_and_outbox_with_nothing_readable(
    announce, owner, neighbour, chairman
):
    message = announce([owner, neighbour], path="/news/")
    assert InboxItem.objects.filter(message=message).count() == 2
    assert OutboxMessage.objects.filter(message=message, status="pending").count() == 2
    entry = AuditEntry.objects.get(action="notifications.queued")
    assert entry.details == {"kind": ANNOUNCEMENT, "recipients": 2}
    assert entry.actor_id == chairman.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, body FROM notifications_message")
        stored = " ".join(cursor.fetchone())
        cursor.execute("SELECT * FROM notifications_outboxmessage")
        outbox = repr(cursor.fetchall())
    assert "воды" not in stored and stored.startswith("e1.")
    assert "example.test" not in outbox and "http" not in outbox


def test_notify_rolls_back_with_the_event(announce, owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        announce([owner])
        raise RuntimeError("the event failed")
    assert not Message.objects.exists() and not OutboxMessage.objects.exists()


def test_unknown_kind_and_foreign_paths_are_programming_errors(announce, owner):
    with pytest.raises(LookupError):
        announce([owner], kind="nobody.declared")
    with pytest.raises(ValueError):
        announce([owner], path="https://evil.example/")


def test_delivery_sends_each_email_once(announce, owner, neighbour):
    announce([owner, neighbour])
    run = services.deliver_pending()
    assert run.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "neighbour@example.test",
        "owner-notify@example.test",
    ]
    # The task again (a retry, a duplicate): nothing is due, nothing is sent twice.
    assert services.deliver_pending().sent == 0
    assert len(mail.outbox) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_rows_of_a_dead_delivery_go_out_once_those_never_handed_over_are_sent(
    announce, owner, neighbour
):
    """A worker died mid-batch (its session lock went with its connection): the row it had
    given to the SMTP server may have gone out and is failed, never resent; the row it had only
    claimed goes out now."""
    announce([owner, neighbour])
    now = timezone.now()
    OutboxMessage.objects.update(status=OutboxStatus.SENDING, claimed_at=now)
    OutboxMessage.objects.filter(user=owner).update(handed_at=now)
    assert services.deliver_pending().sent == 1
    assert [m.to[0] for m in mail.outbox] == ["neighbour@example.test"]
    handed = OutboxMessage.objects.get(user=owner)
    assert (handed.status, handed.error_code) == ("failed", "interrupted")
    assert OutboxMessage.objects.get(user=neighbour).status == "sent"


def test_a_duplicate_task_waits_for_the_lock(announce, owner):
    announce([owner])
    assert services._try_lock()  # another delivery of this association is running
    try:
        from django.db import connections

        other = connections.create_connection("default")
        other.set_schema(connection.schema_name)
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [services._lock_id()])
            assert cursor.fetchone()[0] is False
        other.close()
    finally:
        services._unlock()


def test_an_abandoned_send_is_failed_never_resent(announce, owner):
    announce([owner])
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    OutboxMessage.objects.update(
        status=OutboxStatus.SENDING, claimed_at=long_ago, handed_at=long_ago
    )
    assert services.deliver_pending().sent == 0
    row = OutboxMessage.objects.get()
    assert (row.status, row.error_code) == ("failed", "interrupted")
    assert mail.outbox == []


def test_failed_smtp_retries_with_backoff_then_fails(announce, owner, caplog):
    """A temporary refusal (4xx) is retried with a doubling wait, then failed; a permanent one
    (5xx) is failed at once (tests/tenants/notifications/test_smtp.py)."""
    announce([owner])
    now = timezone.now()
    waits = []
    with override_settings(EMAIL_BACKEND=f"{BACKENDS}.BusyBackend"):
        for attempt in range(1, services.max_attempts() + 1):
            run = services.deliver_pending(now=now)
            row = OutboxMessage.objects.get()
            assert row.attempts == attempt and row.error_code == "smtp-450"
            if attempt < services.max_attempts():
                assert run.retried == 1 and row.status == "pending"
                waits.append(row.next_attempt_at - now)
                # Not due before its backoff is over.
                assert services.deliver_pending(now=now).retried == 0
                now = row.next_attempt_at
            else:
                assert run.failed == 1 and row.status == "failed"
    assert waits == [datetime.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert selectors.failed_count() == 1
    logged = caplog.text
    assert "owner-notify" not in logged and "example.test" not in logged
    assert "smtp-450" in logged


def test_a_lost_connection_puts_the_rest_back(announce, owner, neighbour):
    announce([owner, neighbour])
    with override_settings(EMAIL_BACKEND=f"{BACKENDS}.DisconnectingBackend"):
        run = services.deliver_pending()
    assert run.retried == 1
    rows = sorted(OutboxMessage.objects.values_list("attempts", "status"))
    assert rows == [(0, "pending"), (1, "pending")]
    assert services.deliver_pending().sent == 1  # the untried one; the other waits its backoff


def test_switched_off_kind_is_not_written(announce, owner, neighbour):
    services.set_preference(actor=owner, user=owner, kind=ANNOUNCEMENT, enabled=False)
    message = announce([owner, neighbour])
    assert list(OutboxMessage.objects.filter(message=message).values_list("user", flat=True)) == [
        neighbour.pk
    ]
    assert not InboxItem.objects.filter(user=owner).exists()


def test_switched_off_after_writing_is_not_sent(announce, owner):
    announce([owner])
    services.set_preference(actor=owner, user=owner, kind=ANNOUNCEMENT, enabled=False)
    run = services.deliver_pending()
    assert (run.sent, run.dropped) == (0, 1)
    assert mail.outbox == []


def test_emergency_is_always_sent_and_cannot_be_switched_off(announce, owner):
    with pytest.raises(ValidationError):
        services.set_preference(actor=owner, user=owner, kind=EMERGENCY, enabled=False)
    Preference.objects.create(user=owner, kind=EMERGENCY, enabled=False)  # even if one existed
    announce([owner], kind=EMERGENCY, subject="Прорыв трубы в подвале")
    assert services.deliver_pending().sent == 1
    email = mail.outbox[0]
    assert "List-Unsubscribe" not in email.extra_headers
    assert "нельзя отключить" in email.body


def test_a_kind_off_by_default_goes_only_to_who_asked(announce, owner, neighbour, monkeypatch):
    digest = NotificationKind("test.digest", "Digest", default=False)
    declared = extensions.notification_kinds()
    monkeypatch.setattr(extensions, "notification_kinds", lambda: [*declared, digest])
    services.set_preference(actor=owner, user=owner, kind="test.digest", enabled=True)
    message = announce([owner, neighbour], kind="test.digest")
    assert list(OutboxMessage.objects.filter(message=message).values_list("user", flat=True)) == [
        owner.pk
    ]


def test_closed_logins_are_left_out(announce, owner, neighbour):
    neighbour.is_active = False
    neighbour.save(update_fields=["is_active"])
    assert announce([neighbour]) is None
    assert not Message.objects.exists()


def test_email_carries_one_click_unsubscribe(announce, owner):
    announce([owner], path="/news/")
    services.deliver_pending()
    email = mail.outbox[0]
    link = email.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http://alpha.") and "/notifications/unsubscribe/" in link
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in email.body
    assert "/news/" in email.body and "ТСЖ «Альфа»" in email.from_email
    assert "отказаться одним нажатием" in email.body.lower()


def test_mass_send_reaches_those_the_kind_concerns(in_alpha, chairman, owner, neighbour):
    message = services.notify_members(actor=chairman, kind=ANNOUNCEMENT, subject="Собрание")
    assert OutboxMessage.objects.filter(message=message).count() == 3


def test_mass_send_is_paced(in_alpha, chairman, owner, neighbour, monkeypatch):
    services.notify_members(actor=chairman, kind=ANNOUNCEMENT, subject="Собрание")
    again = services.deliver_paced(rate=0.1, window=20)  # two emails per window
    assert len(mail.outbox) == 2 and again is not None and again > 0
    assert services.deliver_paced(rate=0.1, window=20) is None  # within the window: nothing
    assert len(mail.outbox) == 2


def test_purge_keeps_the_board_failures_and_drops_delivered_rows(announce, owner, neighbour):
    announce([owner, neighbour])
    services.deliver_pending()
    later = timezone.now() + datetime.timedelta(days=3)
    OutboxMessage.objects.filter(user=neighbour).update(status="failed")
    counts = services.purge(now=later)
    assert counts["sent_purged"] == 1
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["failed"]
    assert InboxItem.objects.count() == 2  # the portal copy stays longer


def test_erasure_forgets_the_closed_logins(announce, owner, neighbour):
    """By the closed logins' ids: the registry anonymises them (new email indexes) before the
    apps' hooks run."""
    import uuid

    from core.extensions import HolderErasure
    from tenants.notifications.declaration import forget_notifications

    announce([owner, neighbour])
    counts = forget_notifications(
        HolderErasure(holding_id=uuid.uuid4(), premises_id=None, closed_login_ids=(owner.pk,))
    )
    assert counts["notifications_of_closed_logins"] == 2
    assert not InboxItem.objects.filter(user=owner).exists()
    assert InboxItem.objects.filter(user=neighbour).exists()


def test_inbox_selector_and_mark_read_are_the_readers_own(announce, owner, neighbour):
    announce([owner, neighbour])
    assert selectors.unread_count(owner) == 1
    services.mark_read(actor=owner, items=list(selectors.inbox(neighbour)))
    assert selectors.unread_count(neighbour) == 1
    services.mark_read(actor=owner, items=list(selectors.inbox(owner)))
    assert selectors.unread_count(owner) == 0


@pytest.fixture(autouse=True)
def _quiet(caplog):
    caplog.set_level(logging.WARNING, logger="tenants.notifications.services")


def test_delivery_is_queued_on_commit_with_no_arguments(
    announce, owner, django_capture_on_commit_callbacks, monkeypatch
):
    from tenants.notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda **options: queued.append(options))
    with django_capture_on_commit_callbacks(execute=True):
        announce([owner])
    assert queued == [{"countdown": 0}]


def test_the_task_run_twice_sends_once(announce, owner):
    from tenants.notifications import tasks

    announce([owner])
    tasks.deliver()
    tasks.deliver()  # a duplicate delivery of the same task
    tasks.deliver_due()
    assert len(mail.outbox) == 1


def test_demo_welcomes_everyone_once(in_alpha, owner, neighbour):
    from tenants.notifications.declaration import _demo

    assert _demo()
    assert _demo() == ""
    assert Message.objects.count() == 1 and InboxItem.objects.count() == 2
