"""The key store down while emails are delivered: the claimed rows go back to the queue with no
attempt spent, nothing is sent or failed; the next run sends them (tests/outages/ does it with
the real stand-in stopped)."""

from __future__ import annotations

import pytest
from django.core import mail

from core.crypto.errors import ProviderUnavailable


@pytest.mark.parametrize("where", ["_texts", "compose"])
def test_rows_wait_untouched_while_the_key_store_is_down(announce, owner, monkeypatch, where):
    from tenants.notifications import services
    from tenants.notifications.models import OutboxMessage, OutboxStatus

    announce([owner])

    def unavailable(*args, **kwargs):
        raise ProviderUnavailable("key store unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(services, where, unavailable)
        run = services.deliver_pending()
    assert run.sent == run.failed == 0 and run.connection_lost
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 0 and row.claimed_at is None
    assert mail.outbox == []

    assert services.deliver_pending().sent == 1
    assert len(mail.outbox) == 1
