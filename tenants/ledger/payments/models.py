"""Payments, bank statements, instalment plans and the penalty tables (app ``ledger``).

Imported by ``tenants.ledger.models`` so Django registers them in the ledger app.

* ``KeyRate``, ``PenaltyLimit``, ``CharterPenalty``: the dated data the penalty rule reads
  (ЖК РФ ст. 155 ч. 14; ``tenants.ledger.penalties``): the Bank of Russia key rate, the
  government's caps and moratoria, a charter's own penalty (СНТ, 217-ФЗ ст. 14 ч. 9; none by
  default).
* ``BankStatement``: one uploaded bank statement (выписка банка, not an акт сверки), previewed
  then confirmed; its rows are sealed under the association's key until confirmed.
* ``Payment``: money received for a personal account, with its ``source`` and the source's own
  id (``source_id``), unique together, so nothing is posted twice. A payment that cannot be
  matched to one account waits in the queue (``status = queued``) for a person. Its journal
  entry is posted when it is matched; ``Allocation`` rows say which month's charges (or
  penalties) it paid (ЖК ст. 155, ГК ст. 319.1).
* ``InstalmentPlan`` and its ``InstalmentItem`` schedule (Правила 354 п. 72).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.crypto.fields import EncryptedJSONField, EncryptedModel, EncryptedTextField

# -- penalty tables -----------------------------------------------------------------------------


class KeyRate(models.Model):
    """The Bank of Russia key rate (percent a year) from ``starts_on`` until the next row."""

    starts_on = models.DateField(_("in force from"), unique=True)
    rate = models.DecimalField(_("key rate, % a year"), max_digits=6, decimal_places=2)
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        app_label = "ledger"
        verbose_name = _("key rate")
        verbose_name_plural = _("key rates")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"KeyRate {self.starts_on}"


class PenaltyLimit(models.Model):
    """A government measure for penalties on the days ``starts_on``..``ends_on`` inclusive:
    a cap on the rate, or (no cap) a moratorium with no penalties at all."""

    starts_on = models.DateField(pgettext_lazy("period", "from"))
    ends_on = models.DateField(pgettext_lazy("period", "to"))
    cap = models.DecimalField(
        _("highest rate, % a year"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField(_("basis"), max_length=200)

    class Meta:
        app_label = "ledger"
        verbose_name = _("penalty cap or moratorium")
        verbose_name_plural = _("penalty caps and moratoria")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="ledger_limit_dates"
            )
        ]

    def __str__(self) -> str:
        return f"PenaltyLimit {self.starts_on}–{self.ends_on}"


class CharterPenalty(models.Model):
    """A charter's own penalty (СНТ and others), from a date; no row: no penalty."""

    starts_on = models.DateField(_("in force from"), unique=True)
    daily_percent = models.DecimalField(_("% of the debt a day"), max_digits=6, decimal_places=4)
    grace_days = models.PositiveSmallIntegerField(_("days without penalty"), default=0)
    cap_percent = models.DecimalField(
        _("at most, % of the debt"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField(_("charter clause"), max_length=200)

    class Meta:
        app_label = "ledger"
        verbose_name = _("charter penalty")
        verbose_name_plural = _("charter penalties")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"CharterPenalty {self.starts_on}"


# -- bank statements ----------------------------------------------------------------------------


class StatementStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    CONFIRMED = "confirmed", _("Imported")


class BankStatement(EncryptedModel):
    """An uploaded bank statement (выписка банка); its parsed rows wait sealed until confirmed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.PREVIEW
    )
    file_format = models.CharField(_("format"), max_length=4)
    encoding = models.CharField(_("encoding"), max_length=10, blank=True)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    date_from = models.DateField(pgettext_lazy("period", "from"), null=True, blank=True)
    date_to = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)
    #: The parsed incoming payments (purposes and payers' details are personal data: sealed).
    rows = EncryptedJSONField(_("payments"), null=True)
    total_rows = models.PositiveIntegerField(_("payments"), default=0)
    new_rows = models.PositiveIntegerField(_("new"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("already imported"), default=0)
    matched_rows = models.PositiveIntegerField(_("matched"), default=0)
    queued_rows = models.PositiveIntegerField(_("waiting for a person"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        app_label = "ledger"
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"BankStatement {self.pk}"


# -- payments -----------------------------------------------------------------------------------


class PaymentSource(models.TextChoices):
    CASH = "cash", _("Cash desk")
    BANK = "bank", _("Bank (entered by hand)")
    STATEMENT = "bank_statement", _("Bank statement")
    ONLINE = "online", _("Online payment")


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    QUEUED = "queued", _("Waiting for a person")
    #: The same money as a payment already posted (an online payment settled by the bank).
    LINKED = "linked", _("Linked to a posted payment")


class Payment(EncryptedModel):
    """Money received for a personal account (or waiting to be assigned to one)."""

    source = models.CharField(_("source"), max_length=20, choices=PaymentSource.choices)
    #: The source's own id: the statement document's digest, the cash receipt's number, the
    #: acquirer's reference; unique with ``source``.
    source_id = models.CharField(_("source's id"), max_length=120)
    statement = models.ForeignKey(
        BankStatement, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices)
    account = models.ForeignKey(
        "residents.PersonalAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    #: The month the payer named ("за февраль 2025"), if any: paid first (ГК ст. 319.1).
    named_period = models.DateField(_("for the month"), null=True, blank=True)
    purpose = EncryptedTextField(_("purpose of payment"), null=True, blank=True)
    recipient_inn = models.CharField(_("recipient's ИНН"), max_length=12, blank=True)
    recipient_account = models.CharField(_("recipient's account"), max_length=20, blank=True)
    #: The acquirer's reference of an online payment (to find it again in a bank statement).
    acquirer_ref = models.CharField(_("acquirer's reference"), max_length=64, blank=True)
    linked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Why the payment waits (a code, see ``payments.matching``).
    queue_reason = models.CharField(_("why it waits"), max_length=20, blank=True)
    entry = models.OneToOneField(
        "ledger.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "ledger"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="ledger_payment_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_payment_positive"),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(account__isnull=False),
                name="ledger_posted_payment_has_account",
            ),
        ]
        indexes = [models.Index(fields=["status", "paid_on"], name="ledger_payment_status")]

    def __str__(self) -> str:
        return f"Payment {self.pk}"


class AllocationTarget(models.TextChoices):
    CHARGE = "charge", _("Charges")
    PENALTY = "penalty", _("Penalties")
    CREDIT = "credit", _("Credit (overpayment)")


class Allocation(models.Model):
    """Which month's charges or penalties a payment paid, as allocated when it was posted."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    target = models.CharField(_("paid"), max_length=10, choices=AllocationTarget.choices)
    period = models.DateField(_("month"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        app_label = "ledger"
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["payment", "id"]

    def __str__(self) -> str:
        return f"Allocation {self.pk}"


# -- instalment plans ---------------------------------------------------------------------------


class InstalmentPlan(models.Model):
    """An instalment plan (рассрочка, Правила 354 п. 72) the board agreed for an account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "residents.PersonalAccount", on_delete=models.PROTECT, related_name="instalment_plans"
    )
    agreed_on = models.DateField(_("agreed on"))
    decision = models.CharField(_("board's decision"), max_length=200)
    total = models.DecimalField(_("debt in instalments"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "ledger"
        verbose_name = _("instalment plan")
        verbose_name_plural = _("instalment plans")
        ordering = ["-agreed_on"]

    def __str__(self) -> str:
        return f"InstalmentPlan {self.pk}"


class InstalmentItem(models.Model):
    plan = models.ForeignKey(InstalmentPlan, on_delete=models.CASCADE, related_name="items")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        app_label = "ledger"
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["plan", "due_on"]

    def __str__(self) -> str:
        return f"InstalmentItem {self.pk}"
