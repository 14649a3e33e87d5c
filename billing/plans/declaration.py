"""What billing's plans tell the platform (``core.extensions``): the board's warning letter,
audit labels and the daily job."""

from django.utils.translation import gettext_lazy as _

from billing.plans.demo import seed_demo
from core.access.roles import BOARD, Role
from core.extensions import AppDeclaration, NotificationKind, PeriodicJob

PAYMENT_DUE = "plans.payment_due"
#: The hook the association's online payment settings run (in its schema) when it connects a
#: Stripe account: the platform's Connect endpoint routes that account's events to it.
CONNECT_ACCOUNT = "plans.connect_account"
#: ``tenants.notifications``' declared hook that sends a kind to the people it concerns.
NOTIFY_MEMBERS = "notifications.notify_members"


def _connect_account(account_id: str):
    from billing.plans.connect import register_account

    return register_account(account_id)


declaration = AppDeclaration(
    audit_labels={
        "plans.plan_changed": _("Plan changed"),
        "plans.plan_granted": _("Plan granted by the operators"),
        "plans.trial_extended": _("Trial extended"),
        "plans.bank_payment_confirmed": _("Bank transfer confirmed"),
        "plans.statement_matched": _("Payment matched from the bank statement"),
    },
    notification_kinds=(
        NotificationKind(
            PAYMENT_DUE,
            _("The portal's plan is not paid"),
            _("Failed or missing payments for the association's plan."),
            roles=BOARD | {Role.ACCOUNTANT},
            can_opt_out=False,
        ),
    ),
    periodic_jobs=(PeriodicJob("plans-daily", "plans.daily", 24 * 3600, fan_out=False),),
    demo=seed_demo,
    operator_hooks={CONNECT_ACCOUNT: _connect_account},
)
