"""Reading online payments, scoped to the reader: a member reads the payments of the accounts
they hold or live on (someone else's is a 404); the board and the accountant read them all."""

from __future__ import annotations

import datetime
import uuid

from django.http import Http404

from billing.payments.models import (
    EventStatus,
    OnlinePayment,
    ProviderSettings,
    Reconciliation,
    WebhookEvent,
)
from core import stamped
from core.access.roles import ACCOUNT_READERS, has_role
from tenants.ledger import selectors as ledger
from tenants.ledger.payments import selectors as ledger_payments


def settings_row() -> ProviderSettings | None:
    return ProviderSettings.objects.order_by("updated_at").first()


def active_provider() -> str:
    """The provider members pay through now ("" when online payments are off)."""
    row = settings_row()
    return row.provider if row else ""


#: The provider members pay through, in the shared cache (``core.stamped``) for the "Pay online"
#: button of every account page; a new stamp on every save or deletion of the settings row
#: (``PaymentsConfig.ready``). Payments themselves read the row (``active_provider``).
PROVIDER_KIND = "payments.provider"


def shown_provider() -> str:
    """``active_provider()`` from the shared cache: for showing the button, not for paying."""
    return stamped.lookup(PROVIDER_KIND, stamped.ASSOCIATION).get(active_provider)


def forget_provider(**kwargs) -> None:
    stamped.invalidate(PROVIDER_KIND, [stamped.ASSOCIATION])


def reads_all(user) -> bool:
    return has_role(user, *ACCOUNT_READERS)


def payable_account(user, pk):
    """An account ``user`` may pay for (holds or lives on), or 404."""
    return ledger.member_account_for(user, pk)


def payable_accounts(user):
    return ledger.member_accounts(user)


def amount_due(access) -> tuple:
    """What the account owes now (never below zero) and the months still owed, oldest first."""
    page = ledger.account_page(access)
    charges, _penalties = ledger_payments.outstanding(access.account.pk)
    months = sorted(month for month, owed in charges.items() if owed > 0)
    due = page.balance if page.balance > 0 else 0
    return due, months, page.balance


def payments_of(access, limit: int = 10):
    return OnlinePayment.objects.filter(account=access.account).order_by("-created_at")[:limit]


def payment_for(user, pk) -> OnlinePayment:
    """One payment the reader may read, or 404."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404 from None
    payment = OnlinePayment.objects.select_related("account").filter(pk=pk).first()
    if payment is None:
        raise Http404
    if reads_all(user) or payment.created_by_id == user.pk:
        return payment
    ledger.member_account_for(user, payment.account_id)  # 404 unless theirs
    return payment


def payments_visible_to(user, limit: int = 200):
    return payments_query(user)[:limit]


def payments_query(user):
    """The online payments a reader sees, newest first: every one for the board and the
    accountant, a member's those of the accounts they hold or live on."""
    rows = OnlinePayment.objects.select_related("account").order_by("-created_at", "id")
    if not reads_all(user):
        ids = [a.account.pk for a in payable_accounts(user)]
        rows = rows.filter(account_id__in=ids)
    return rows


def flagged_events(limit: int = 50):
    return WebhookEvent.objects.filter(status=EventStatus.FLAGGED).order_by("-received_at")[:limit]


def latest_reconciliations(limit: int = 10):
    return Reconciliation.objects.prefetch_related("differences__online_payment__account")[:limit]


def reconciled_on(day: datetime.date) -> bool:
    return Reconciliation.objects.filter(date_to=day).exists()
