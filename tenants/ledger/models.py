"""The ledger of an association: services and tariffs, periods, accrual runs and the journal.

Money is ``Decimal`` roubles with kopecks (two places). Every amount the ledger computes is
quantized to kopecks with ``ROUND_HALF_UP`` (``money.kopecks``) once, at the end of a charge's
calculation, and the calculation says so ("Explain my bill").

**Sign convention of the journal** (``Entry.amount``): positive raises what the account owes
(charges, penalties, a recalculation up), negative lowers it (payments, a recalculation down, a
benefit given afterwards). An account's balance is the sum of its entries: positive is a debt,
negative a credit (overpayment). ``Balance`` keeps that sum for speed and is recomputable
(``services.recompute_balance``); it is never the only truth.

**Append-only**: an ``Entry`` is written once. ``Entry.save`` refuses to update, ``Entry.delete``
and the queryset's ``update``/``delete`` refuse, and a correction is a new entry (a
recalculation naming the period it corrects, with its reason and author).

Legal basis: ЖК РФ ст. 153–158 (duty to pay, structure of the payment, its amount), ст. 155
ч. 1 (due date, kept as data in ``tenants.profile.rules``), ст. 158 ч. 3 (capital-repair
arrears pass to the new owner, other debts stay with the former one), Правила 354 (metered,
per-resident and common-house charges, п. 40–44, appendix 2), 217-ФЗ ст. 14 (СНТ membership and
target contributions) and ст. 5 ч. 3 (individual gardeners pay the same).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(Exception):
    """A posted journal entry was about to be changed or deleted."""


# -- periods ------------------------------------------------------------------------------------


class Period(models.Model):
    """A billing month (its first day). Closed by the accountant: a closed month refuses new
    charges; corrections land as recalculations in the open month naming it."""

    month = models.DateField(_("month"), primary_key=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("billing period")
        verbose_name_plural = _("billing periods")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="ledger_period_first_day")
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


# -- services, tariffs, benefits ----------------------------------------------------------------


class Method(models.TextChoices):
    """How a service's monthly charge is calculated (see ``calculation.py``)."""

    AREA = "area", _("per m² of the premises' area")
    RESIDENT = "resident", _("per registered resident")
    METERED = "metered", _("per unit of metered consumption")
    COMMON_HOUSE = "common_house", _("common-house consumption (ОДН/СОИ) shared by area")
    HEATING = "heating", _("heating by the building's heat meter shared by area")
    FIXED = "fixed", _("fixed per premises")
    PLOT = "plot", _("per сотка of the plot")
    MEMBERSHIP = "membership", _("membership contribution per сотка (СНТ)")
    TARGET = "target", _("target contribution per plot (СНТ)")


class Service(models.Model):
    """A service charged to personal accounts, with its method and its payments' recipient."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    method = models.CharField(_("calculation method"), max_length=20, choices=Method.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    #: The meters' resource (``tenants.meters.models.MeterKind``) for metered, common-house and
    #: heating services.
    meter_kind = models.CharField(_("resource"), max_length=20, blank=True)
    #: Contributions for capital repairs: their arrears pass to a new owner (ЖК РФ ст. 158 ч. 3).
    is_capital_repair = models.BooleanField(_("capital repair contribution"), default=False)
    recipient = models.ForeignKey(
        "profile.PaymentRecipient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    is_active = models.BooleanField(_("charged"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Tariff(models.Model):
    """A service's rate from ``valid_from`` until the next tariff. History: a tariff is never
    rewritten; a new one starts on a date (``services.add_tariff`` refuses a past date once
    the month is charged)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tariffs", db_index=False
    )
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate, roubles per unit"), max_digits=12, decimal_places=4)
    #: Common-house services: the norm per m² of the premises a month (Правила 354 п. 44: the
    #: charge is capped by the norm); unused elsewhere.
    norm = models.DecimalField(
        _("norm per m²"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    basis = models.CharField(_("decision"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["service", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["service", "valid_from"], name="ledger_unique_tariff"),
            models.CheckConstraint(condition=Q(rate__gte=0), name="ledger_tariff_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Tariff {self.service_id} {self.valid_from}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("A tariff is never rewritten: add a new one from a date.")
        super().save(*args, **kwargs)


class BenefitKind(models.TextChoices):
    PERCENT = "percent", _("percent off")
    FIXED = "fixed", _("fixed reduction, roubles")


class Benefit(models.Model):
    """A benefit (льгота) of an account for a service over dates: a percent off or a fixed
    reduction of the monthly charge (never below zero)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "residents.PersonalAccount", on_delete=models.PROTECT, related_name="benefits"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="benefits")
    kind = models.CharField(_("kind"), max_length=10, choices=BenefitKind.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    started_on = models.DateField(pgettext_lazy("period", "from"))
    ended_on = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="ledger_benefit_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100),
                name="ledger_benefit_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Benefit {self.pk}"


# -- accrual runs -------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PREVIEWING = "previewing", _("Calculating the preview")
    PREVIEW = "preview", _("Preview ready")
    POSTING = "posting", _("Posting")
    POSTED = "posted", _("Posted")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


#: A run in one of these holds its period: no other run for the month may start.
ACTIVE_RUN_STATUSES = (
    RunStatus.QUEUED,
    RunStatus.PREVIEWING,
    RunStatus.PREVIEW,
    RunStatus.POSTING,
)


class AccrualRun(models.Model):
    """One monthly accrual run: a preview (totals per service, accounts that changed against
    last month), then posting. One active run per month (constraint); a later run of a posted
    month posts only what is missing (nothing, unless accounts or services were added)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    period = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    #: ``{"services": [{"service": id, "name": ..., "amount": "..", "accounts": n}], "amount":
    #: "..", "accounts": n, "changed": [{"account": id, "number": .., "before": .., "after": ..}]}``
    summary = models.JSONField(default=dict, blank=True)
    #: Lines of the run's log: ``[{"at": iso, "message": ...}]`` (no personal data).
    log = models.JSONField(default=list, blank=True)
    posted_entries = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("accrual run")
        verbose_name_plural = _("accrual runs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "previewing", "preview", "posting"]),
                name="ledger_one_active_run_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.period:%Y-%m} {self.status}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


# -- the journal --------------------------------------------------------------------------------


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    RECALCULATION = "recalculation", _("Recalculation")
    PAYMENT = "payment", _("Payment")
    PENALTY = "penalty", _("Penalty")
    #: Capital-repair arrears passing from a former holder to the new one (ЖК ст. 158 ч. 3):
    #: a pair of entries, minus on the former holding, plus on the new.
    TRANSFER = "transfer", _("Arrears passed to the new owner")


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Journal entries are never updated: post a recalculation.")

    def delete(self):
        raise AppendOnlyError("Journal entries are never deleted: post a recalculation.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Journal entries are never updated: post a recalculation.")


class Entry(models.Model):
    """One posted line of an account's journal; append-only (see the module's docstring)."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(
        "residents.PersonalAccount",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    #: The tenure the entry belongs to (whose debt it is).
    holding = models.ForeignKey(
        "residents.Holding", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    #: The month the entry is booked in (first day).
    period = models.DateField(_("month"))
    #: Recalculations: the (closed) month they correct.
    corrects_period = models.DateField(_("corrects month"), null=True, blank=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    #: The day the money moved (payments) or the entry was booked.
    booked_on = models.DateField(_("date"), default=timezone.localdate)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        AccrualRun, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    #: Where the entry came from (``accrual``, ``cash``, ``bank``, ``bank_statement``,
    #: ``online``, ``holder_change``...) and that source's own id: posted once (constraint).
    source = models.CharField(_("source"), max_length=30, blank=True)
    source_id = models.CharField(_("source's id"), max_length=120, blank=True)
    #: "Explain my bill": base, tariff and its date, benefit, rounding (``calculation.py``).
    calculation = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["account", "period", "id"]
        indexes = [
            models.Index(fields=["account", "period"], name="ledger_entry_account_period"),
            models.Index(fields=["period", "kind"], name="ledger_entry_period_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="ledger_entry_posted_once",
            ),
            # One charge per account, holding, service and month: the accrual run's guard.
            models.UniqueConstraint(
                fields=["account", "holding", "service", "period"],
                condition=Q(kind="charge"),
                nulls_distinct=False,
                name="ledger_one_charge_per_month",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="ledger_entry_first_day"),
            models.CheckConstraint(
                condition=~Q(kind="recalculation") | Q(corrects_period__isnull=False),
                name="ledger_recalculation_names_period",
            ),
        ]

    def __str__(self) -> str:
        return f"Entry {self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Journal entries are never updated: post a recalculation.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Journal entries are never deleted: post a recalculation.")


class Balance(models.Model):
    """The running balance of an account (sum of its journal), kept for speed and updated in
    the posting's transaction under the row's lock; recomputable from the journal."""

    account = models.OneToOneField(
        "residents.PersonalAccount",
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="ledger_balance",
    )
    amount = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")

    def __str__(self) -> str:
        return f"Balance {self.account_id}"


# Payments, bank statements, instalment plans and the penalty tables live in their own module;
# imported here so the app registers them.
from tenants.ledger.payments.models import (  # noqa: E402, F401
    Allocation,
    BankStatement,
    CharterPenalty,
    InstalmentItem,
    InstalmentPlan,
    KeyRate,
    Payment,
    PenaltyLimit,
)
from tenants.ledger.receipts.models import ReceiptBatch, ReceiptNotice  # noqa: E402, F401
