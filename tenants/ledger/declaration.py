"""What the ledger tells the platform (see ``core.extensions``).

The payments and receipts parts (their audit labels, notification kinds, periodic jobs) add to
this declaration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES, Role
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    ExportRules,
    HolderErasure,
    NotificationKind,
    PeriodicJob,
    TenantCount,
)


def keep_what_the_debt_needs(erasure: HolderErasure) -> dict[str, int]:
    """A former holder who still owes for their periods is not erased: collecting the debt is a
    lawful purpose (152-ФЗ ст. 6 ч. 1 п. 5 and 7; ЖК РФ ст. 155), and the debtor's name is
    under the holding's key that the erasure destroys. The refusal tells the board the amount
    and what is kept, until the debt is paid or written off; then the erasure goes ahead."""
    from django.core.exceptions import ValidationError
    from django.db.models import Sum

    from tenants.ledger.models import Entry

    owed = (
        Entry.objects.filter(holding_id=erasure.holding_id).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if owed > 0:
        raise ValidationError(
            _(
                "This former holder still owes %(amount)s ₽ for their periods. Collecting the "
                "debt needs their name, the account, the charges and payments of their periods: "
                "the portal keeps them (152-ФЗ ст. 6 ч. 1 п. 5) until the debt is paid or "
                "written off. Erase the holder afterwards."
            )
            % {"amount": owed}
        )
    return {"ledger_entries_kept": Entry.objects.filter(holding_id=erasure.holding_id).count()}


def seed_demo() -> str:
    from tenants.ledger.demo import seed_demo as seed

    return seed()


def _count_accounts_in_debt() -> int:
    from tenants.ledger.models import Balance

    return Balance.objects.filter(amount__gt=0).count()


def receipt_attachment(reference: str, user):
    """The receipt's PDF for the receipt-ready letter, made at delivery for its reader."""
    from tenants.ledger.receipts import services

    return services.receipt_attachment(reference, user)


#: Who keeps the ledger: services, tariffs, runs, periods.
LEDGER_KEEPERS = frozenset({Role.ACCOUNTANT})

declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "ledger-home",
            _("Payments and balance"),
            _("What you owe and why: charges and payments month by month, each charge explained."),
            MEMBER_ROLES,
            url_name="ledger:home",
            order=25,
        ),
        DashboardSection(
            "ledger-accruals",
            _("Accruals"),
            _("Services and tariffs, monthly accrual runs and their log, closing a month."),
            LEDGER_KEEPERS,
            url_name="ledger:accruals",
            order=40,
        ),
        DashboardSection(
            "ledger-finances",
            _("Finances"),
            _("Charged, paid and the collection rate by month; services, tariffs and runs."),
            BOARD,
            url_name="ledger:finances",
            order=41,
        ),
        DashboardSection(
            "ledger-payments",
            _("Payments"),
            _("Payments entered and imported from bank statements, the queue, instalment plans."),
            ACCOUNT_READERS,
            url_name="ledger:payments",
            order=42,
        ),
        DashboardSection(
            "ledger-debtors",
            _("Debtors"),
            _("Who owes and for how long, penalty calculations and court-order packages."),
            ACCOUNT_READERS,
            url_name="ledger:debtors",
            order=43,
        ),
    ),
    audit_labels={
        "ledger.period_closed": _("Month closed"),
        "ledger.charge_posted": _("Charge posted"),
        "ledger.recalculation_posted": _("Recalculation posted"),
        "ledger.payment_posted": _("Payment posted"),
        "ledger.penalty_posted": _("Penalty posted"),
        "ledger.transfer_posted": _("Arrears passed to the new owner"),
        "ledger.service_added": _("Service added"),
        "ledger.service_changed": _("Service changed"),
        "ledger.tariff_added": _("Tariff added"),
        "ledger.payment_recorded": _("Payment recorded"),
        "ledger.statement_uploaded": _("Bank statement uploaded"),
        "ledger.statement_imported": _("Bank statement imported"),
        "ledger.payment_assigned": _("Waiting payment assigned to an account"),
        "ledger.payment_linked": _("Payment linked to an online payment"),
        "ledger.payment_reversed": _("Payment given back (refund)"),
        "ledger.instalment_plan_agreed": _("Instalment plan agreed"),
        "ledger.benefit_added": _("Benefit added"),
        "ledger.run_started": _("Accrual run started"),
        "ledger.run_confirmed": _("Accrual run confirmed"),
        "ledger.run_discarded": _("Accrual run discarded"),
        "ledger.run_posted": _("Accrual run posted"),
        "ledger.receipts_batch_started": _("Receipts of the month requested as one PDF"),
        "ledger.receipts_notified": _("Members told their receipts are ready"),
    },
    erasure=Erasure(
        destroys="nothing of the journal: entries name the holding by id, never a person; "
        "payers' names in payments' purposes are under the association's key",
        keeps="the journal (charges, payments, penalties, recalculations: amounts, months, "
        "the holding's id), balances, runs: accounting records kept by law (402-ФЗ ст. 29). "
        "A former holder who still owes is not erased until the debt is paid or written off "
        "(the board is told why, with the amount)",
        hook=keep_what_the_debt_needs,
    ),
    export=ExportRules(),
    counts=(TenantCount("ledger-debtors", _("Accounts in debt"), _count_accounts_in_debt),),
    demo=seed_demo,
    notification_kinds=(
        NotificationKind(
            "ledger.receipt_ready",
            _("Receipt ready"),
            _("Your monthly receipt is ready: a link to it, or its PDF attached, as you choose."),
            roles=MEMBER_ROLES,
            attachment=receipt_attachment,
        ),
    ),
    periodic_jobs=(
        PeriodicJob("ledger-penalties", "tenants.ledger.payments.tasks.post_penalties", 24 * 3600),
        PeriodicJob("receipts-notify", "tenants.ledger.receipts.tasks.notify_ready", 6 * 3600),
        PeriodicJob(
            "receipts-purge",
            "tenants.ledger.receipts.tasks.purge_batches",
            3600,
            include_suspended=True,
        ),
    ),
)

#: Who reads the ledger of every account.
LEDGER_READERS = ACCOUNT_READERS
