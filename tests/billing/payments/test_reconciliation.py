"""The nightly reconciliation: the provider's records against the payments here and the
ledger; the differences listed for the accountant."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.utils import timezone

from billing.payments import services
from billing.payments.models import DifferenceKind, Reconciliation, Status


def _started(user, account, amount):
    payment = services.start_payment(actor=user, account_id=account.pk, amount=amount)
    services.checkout(actor=user, payment=payment, return_url="http://x/", notification_url="n")
    payment.refresh_from_db()
    return payment


def _notify(tbank, payment, status="CONFIRMED"):
    events, _new = services.receive(
        "tbank", json.dumps(tbank.notification(payment.provider_ref, status)).encode(), {}
    )
    for event in events:
        services.process_event(event.pk)


def test_reconciliation_lists_the_differences(member, tbank_provider, tbank):
    user, account = member
    fine = _started(user, account, "100.00")
    tbank.set_status(fine.provider_ref, "CONFIRMED")
    _notify(tbank, fine)

    # Paid at the bank, but its notification never came: not on the account.
    lost = _started(user, account, "200.00")
    tbank.set_status(lost.provider_ref, "CONFIRMED")

    # Posted here, but the bank later says it was reversed.
    reversed_there = _started(user, account, "300.00")
    tbank.set_status(reversed_there.provider_ref, "CONFIRMED")
    _notify(tbank, reversed_there)
    tbank.set_status(reversed_there.provider_ref, "REVERSED")

    # Refunded at the bank (its own cabinet), the notification lost.
    refunded = _started(user, account, "400.00")
    tbank.set_status(refunded.provider_ref, "CONFIRMED")
    _notify(tbank, refunded)
    tbank.set_status(refunded.provider_ref, "REFUNDED")

    # Never paid, never posted: no difference.
    _started(user, account, "500.00")

    run = services.reconcile()

    assert run.error == "" and run.checked == 5
    found = {(d.kind, d.online_payment_id) for d in run.differences.all()}
    assert found == {
        (DifferenceKind.NOT_POSTED, lost.pk),
        (DifferenceKind.NOT_PAID, reversed_there.pk),
        (DifferenceKind.REFUND_NOT_POSTED, refunded.pk),
    }
    lost_row = run.differences.get(kind=DifferenceKind.NOT_POSTED)
    assert lost_row.provider_amount == Decimal("200.00") and lost_row.ledger_amount is None


def test_reconciliation_with_the_provider_down_says_so(member, tbank_provider, tbank):
    user, account = member
    _started(user, account, "100.00")
    tbank.close()
    run = services.reconcile()
    assert run.error.startswith("tbank: GetState unreachable")
    assert not run.differences.exists()


def test_the_nightly_job_runs_once_a_night_after_three(member, tbank_provider, tbank, monkeypatch):
    night = timezone.make_aware(datetime.datetime(2026, 3, 2, 2, 30))
    monkeypatch.setattr(services, "association_today", lambda: night)
    assert services.reconcile_if_due() == "not due"
    night = night.replace(hour=3, minute=5)
    monkeypatch.setattr(services, "association_today", lambda: night)
    assert services.reconcile_if_due().endswith("differences")
    assert services.reconcile_if_due() == "done already"
    assert Reconciliation.objects.count() == 1


def test_the_beat_entry_fans_out(in_alpha):
    from core.extensions import beat_schedule

    entry = beat_schedule()["payments-reconcile"]
    assert entry["task"] == "core.tasks.fan_out"
    assert entry["args"] == ("billing.payments.tasks.reconcile",)


def test_a_ledger_statement_links_the_settled_online_payment(member, tbank_provider, tbank):
    """The bank settles the acquirer's money later: the statement row is linked, not posted."""
    from tenants.ledger.payments.models import Payment, PaymentStatus
    from tenants.ledger.payments.services import _online_twin

    user, account = member
    payment = _started(user, account, "700.00")
    _notify(tbank, payment)
    payment.refresh_from_db()
    assert payment.status == Status.SUCCEEDED
    twin, doubtful = _online_twin(
        account.pk, Decimal("700.00"), timezone.localdate(), f"Эквайринг {payment.provider_ref}"
    )
    assert twin is not None and not doubtful
    assert twin.pk == payment.ledger_payment_id
    assert Payment.objects.get(pk=twin.pk).status == PaymentStatus.POSTED
