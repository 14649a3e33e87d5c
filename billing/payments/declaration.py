"""What online payments tell the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import ACCOUNT_READERS, BOARD, Role
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    ExportRules,
    PeriodicJob,
)

#: Who refunds and runs the reconciliation by hand: the accountant (as for the ledger).
PAYMENT_KEEPERS = frozenset({Role.ACCOUNTANT})


#: The hook the platform's Connect endpoint runs in this schema for an event of the
#: association's connected account (``billing.plans.connect``).
CONNECT_EVENT = "payments.connect_event"


def _connect_event(payload: dict) -> str:
    from billing.payments.services import connect_event

    return connect_event(payload)


def seed_demo() -> str:
    from billing.payments.demo import seed_demo as seed

    return seed()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "payments-board",
            _("Online payments"),
            _("Members' online payments, refunds and the nightly check against the provider."),
            ACCOUNT_READERS,
            url_name="payments:board",
            order=47,
        ),
        DashboardSection(
            "payments-settings",
            _("Online payment settings"),
            _("How members pay online: the provider and its keys."),
            BOARD,
            url_name="payments:settings",
            order=92,
        ),
    ),
    audit_labels={
        "payments.settings_changed": _("Online payment settings changed"),
        "payments.payment_started": _("Online payment started"),
        "payments.payment_sent": _("Online payment sent to the provider"),
        "payments.payment_succeeded": _("Online payment confirmed"),
        "payments.payment_failed": _("Online payment failed"),
        "payments.payment_cancelled": _("Online payment cancelled"),
        "payments.payment_refunded": _("Online payment refunded"),
        "payments.refund_requested": _("Refund asked for"),
        "payments.event_flagged": _("Payment notification flagged"),
        "payments.reconciled": _("Online payments reconciled"),
        "payments.stripe_connect_started": _("Stripe account created for the association"),
        "payments.stripe_connect_enabled": _("Stripe account can take payments"),
        "payments.stripe_connect_disabled": _("Stripe account can no longer take payments"),
    },
    operator_hooks={CONNECT_EVENT: _connect_event},
    periodic_jobs=(PeriodicJob("payments-reconcile", "billing.payments.tasks.reconcile", 3600.0),),
    # The providers' notifications are a delivery record, and the settings hold secrets.
    export=ExportRules(
        skip_models=frozenset({"webhookevent"}),
        skip_fields={
            "providersettings": frozenset(
                {"stripe_webhook_secret", "tbank_password", "test_webhook_secret"}
            )
        },
    ),
    erasure=Erasure(
        destroys="nothing: no holder's personal data is kept here (the sealed fields are the "
        "association's provider secrets and the providers' notifications, read down to ids, "
        "amounts and status codes)",
        keeps="online payments and refunds (account, amounts, dates, statuses, the provider's "
        "references): accounting records (402-ФЗ ст. 29), as the ledger keeps its payments",
    ),
    demo=seed_demo,
)
