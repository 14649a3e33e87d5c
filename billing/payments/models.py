"""Members' online payments (app ``payments``, in every association's schema).

* ``ProviderSettings``: the board's choice of the way members pay online (one row), with the
  provider's credentials and each webhook's own secret sealed under the association's key.
* ``OnlinePayment``: a member's attempt to pay an account: amount, the month named (or none:
  oldest debt first, ГК ст. 319.1 as the ledger allocates), status, the provider's reference.
  Posted on the account (``tenants.ledger`` ``Payment`` of source ``online``) once the provider
  confirms it, never before and never twice.
* ``WebhookEvent``: every notification a provider sent, stored once under ``(provider,
  event_id)`` (unique) before anything acts on it; processed by a Celery task, in any order.
* ``Refund``: money given back; the ledger's payment is reversed by a new entry with a reason.
* ``Reconciliation`` and ``Difference``: the nightly comparison of the provider's records with
  the ledger, listed for the accountant.

Money is ``Decimal`` roubles; providers speak kopecks (``Amount``) or the currency's minor unit.
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


class Provider(models.TextChoices):
    NONE = "", _("Off: the receipt's QR code only")
    TEST = "test", _("Test provider (demo, no money moves)")
    STRIPE = "stripe_connect", _("Stripe (Connect)")
    TBANK = "tbank", _("СБП through T-Bank (Internet Acquiring)")


class ProviderSettings(EncryptedModel):
    """The association's way to pay online (one row). Secrets sealed under its key."""

    provider = models.CharField(
        _("way to pay online"), max_length=20, choices=Provider.choices, blank=True
    )
    #: Stripe: the association's connected account (``acct_…``).
    stripe_account = models.CharField(_("Stripe connected account"), max_length=64, blank=True)
    #: Stripe: the signing secret of the association's own Connect webhook endpoint
    #: (``whsec_…``), for an association that registered one; optional since the platform's
    #: Connect endpoint routes every connected account's events (``billing.plans.connect``).
    stripe_webhook_secret = EncryptedTextField(_("Stripe webhook secret"), null=True, blank=True)
    #: Stripe: the account can take charges (``account.updated``'s ``charges_enabled``).
    stripe_charges_enabled = models.BooleanField(default=False)
    #: Stripe: the onboarding form was submitted (``details_submitted``).
    stripe_details_submitted = models.BooleanField(default=False)
    #: The ``created`` of the last ``account.updated`` applied (an older one changes nothing).
    stripe_account_state_at = models.BigIntegerField(default=0)
    #: The account was made by the platform's onboarding (Account Links), not typed in.
    stripe_onboarded = models.BooleanField(default=False)
    #: T-Bank: the terminal's key and password (the password signs requests and notifications).
    tbank_terminal_key = models.CharField(_("T-Bank terminal key"), max_length=64, blank=True)
    tbank_password = EncryptedTextField(_("T-Bank terminal password"), null=True, blank=True)
    #: The test provider's webhook secret (made when the provider is chosen).
    test_webhook_secret = EncryptedTextField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("online payment settings")
        verbose_name_plural = _("online payment settings")

    def __str__(self) -> str:
        return f"ProviderSettings {self.provider or '-'}"

    @property
    def stripe_state(self) -> str:
        """Stripe Connect onboarding: ``not_started``, ``pending`` (made by the platform, not
        yet taking charges), ``entered`` (an ``acct_…`` typed in, no word from Stripe yet) or
        ``enabled``."""
        if not self.stripe_account:
            return "not_started"
        if self.stripe_charges_enabled:
            return "enabled"
        return "pending" if self.stripe_onboarded else "entered"


class Status(models.TextChoices):
    CREATED = "created", _("Waiting for your confirmation")
    PENDING = "pending", _("Waiting for the payment service")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", pgettext_lazy("payment", "Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")


#: A payment in one of these is settled: a later "failed" or "cancelled" does not undo it.
PAID_STATUSES = (Status.SUCCEEDED, Status.REFUNDED, Status.PARTIALLY_REFUNDED)
FINAL_STATUSES = (*PAID_STATUSES, Status.FAILED, Status.CANCELLED)


class OnlinePayment(models.Model):
    """A member's online payment for one personal account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "residents.PersonalAccount", on_delete=models.PROTECT, related_name="online_payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    #: The month the member named; none: the ledger pays the oldest debt first.
    named_period = models.DateField(_("for the month"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    #: The provider's own id (PaymentIntent, T-Bank PaymentId), once it has one.
    provider_ref = models.CharField(_("provider's reference"), max_length=64, blank=True)
    #: Where the member was sent to pay (the provider's page or the СБП link).
    pay_url = models.URLField(max_length=500, blank=True)
    refunded = models.DecimalField(_("refunded"), max_digits=14, decimal_places=2, default=0)
    #: The ledger's ``Payment`` posted for it (a UUID; no foreign key across apps for writing).
    ledger_payment_id = models.UUIDField(null=True, blank=True)
    #: Why it failed, as the provider said (a code, no personal data).
    failure_code = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payments_provider_ref_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=models.F("amount")),
                name="payments_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payments_status")]

    def __str__(self) -> str:
        return f"OnlinePayment {self.pk}"

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES

    @property
    def idempotency_key(self) -> str:
        """The key of the call that creates the charge: the same payment never charges twice."""
        return f"tszh-pay-{self.pk}"


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    #: Arrived before what it follows (a refund before the payment's success): waits.
    WAITING = "waiting", _("Waiting for an earlier event")
    FLAGGED = "flagged", _("Flagged: nothing posted")
    IGNORED = "ignored", _("Not about payments")


class FlagReason(models.TextChoices):
    UNKNOWN_ASSOCIATION = "unknown_association", _("Another association's account or terminal")
    UNKNOWN_PAYMENT = "unknown_payment", _("No such payment or personal account here")
    AMOUNT_MISMATCH = "amount_mismatch", _("The amount differs from the payment's")


class WebhookEvent(EncryptedModel):
    """One provider notification, stored once (``provider`` + the provider's event id)."""

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    event_id = models.CharField(_("event id"), max_length=120)
    kind = models.CharField(_("event"), max_length=60)
    #: The provider's reference of the payment it is about, and our payment (when found).
    provider_ref = models.CharField(max_length=64, blank=True)
    online_payment = models.ForeignKey(
        OnlinePayment, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    #: The parsed event (``providers.base.Event`` as a dict): payloads may carry a payer's
    #: details (masked card, e-mail), so sealed under the association's key.
    data = EncryptedJSONField(null=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    flag = models.CharField(_("flag"), max_length=24, choices=FlagReason.choices, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payments_event_once")
        ]

    def __str__(self) -> str:
        return f"WebhookEvent {self.provider}:{self.event_id}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the payment service")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class Refund(models.Model):
    """Money given back for an online payment; reversed on the account when it succeeds."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    online_payment = models.ForeignKey(
        OnlinePayment, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_ref = models.CharField(_("provider's reference"), max_length=64, blank=True)
    #: The idempotency key of the call that asks the provider for it: the payment's id and
    #: the refund's number, so a retry after a lost answer asks for the same refund.
    key = models.CharField(max_length=80, unique=True)
    #: When the provider's notification of it arrived (a refund counts once).
    notified_at = models.DateTimeField(null=True, blank=True)
    #: The journal entry that reversed the payment (ledger ``Entry`` id).
    entry_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_positive"),
            models.UniqueConstraint(
                fields=["online_payment", "provider_ref"],
                condition=~Q(provider_ref=""),
                name="payments_refund_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk}"


class Reconciliation(models.Model):
    """One comparison of the provider's records with the ledger (nightly, or by hand)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    started_at = models.DateTimeField(default=timezone.now)
    date_from = models.DateField()
    date_to = models.DateField()
    checked = models.PositiveIntegerField(_("payments checked"), default=0)
    #: The provider could not be asked (network, credentials): nothing compared.
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Reconciliation {self.started_at:%Y-%m-%d}"


class DifferenceKind(models.TextChoices):
    NOT_POSTED = "not_posted", _("Paid at the provider, not on the account")
    NOT_PAID = "not_paid", _("On the account, not paid at the provider")
    AMOUNT = "amount", _("Amounts differ")
    REFUND_NOT_POSTED = "refund_not_posted", _("Refunded at the provider, not on the account")
    UNKNOWN = "unknown", _("At the provider, unknown here")


class Difference(models.Model):
    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="differences"
    )
    kind = models.CharField(_("difference"), max_length=20, choices=DifferenceKind.choices)
    online_payment = models.ForeignKey(
        OnlinePayment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider_ref = models.CharField(_("provider's reference"), max_length=64, blank=True)
    provider_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    ledger_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("difference")
        verbose_name_plural = _("differences")
        ordering = ["reconciliation", "id"]

    def __str__(self) -> str:
        return f"Difference {self.pk}"
