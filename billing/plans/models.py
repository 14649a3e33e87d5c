"""Plans the platform sells to associations, each association's subscription, the platform's
invoices to it, payments received and the payment provider's webhook events (public schema).

Money is ``Decimal`` roubles; Stripe's amounts (kopecks, integers) are converted at the gateway.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """A plan: a monthly price for up to ``max_premises`` premises.

    ``name`` and ``features`` are English msgids translated when shown (the catalogue carries
    them), so the landing page and the portal read the same rows in either language.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    monthly_price = models.DecimalField(_("price a month"), max_digits=10, decimal_places=2)
    max_premises = models.PositiveIntegerField(_("premises at most"))
    trial_days = models.PositiveIntegerField(_("trial days"), default=0)
    features = models.JSONField(_("features"), default=list, blank=True)
    #: The Stripe Plan (the older Plans API) this plan is billed by.
    stripe_plan_id = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_public = models.BooleanField(_("sold on the landing page"), default=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["position", "monthly_price"]

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        return gettext(self.name)

    @property
    def feature_list(self) -> list[str]:
        return [gettext(feature) for feature in self.features]

    @property
    def is_free(self) -> bool:
        return self.monthly_price == 0

    @property
    def price_display(self) -> str:
        """``1 490`` with a no-break space between thousands, as Russian prices are written."""
        return f"{self.monthly_price:,.0f}".replace(",", "\u00a0")


class PaymentMethod(models.TextChoices):
    NONE = "none", _("Not chosen")
    STRIPE = "stripe", _("Card (Stripe)")
    INVOICE = "invoice", _("Invoice and bank transfer")
    MANUAL = "manual", _("Managed by the operators")


class SubscriptionStatus(models.TextChoices):
    FREE = "free", _("Free plan")
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Paid")
    PAST_DUE = "past_due", _("Payment overdue")
    UNPAID = "unpaid", _("Unpaid")
    CANCELED = "canceled", _("Cancelled")


#: Statuses in which a payment is owed and the board is warned.
OVERDUE = frozenset({SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID})


class Subscription(models.Model):
    """An association's plan and how it pays for it; one per association, made on first use."""

    association = models.OneToOneField(
        "associations.Association", on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.FREE
    )
    payment_method = models.CharField(
        max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.NONE
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    #: When the payment became overdue: the grace period counts from here.
    past_due_since = models.DateTimeField(null=True, blank=True)
    #: An operator's grant: the plan is paid up to this moment whatever the provider says.
    granted_until = models.DateTimeField(null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    #: ``created`` of the last Stripe event applied to the status: an older one arriving later
    #: changes nothing (events come out of order).
    stripe_state_at = models.BigIntegerField(default=0)
    #: Counts plan changes: part of the idempotency key of the next change.
    revision = models.PositiveIntegerField(default=0)
    last_warned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"Subscription {self.association_id} {self.plan_id} {self.status}"


class InvoiceKind(models.TextChoices):
    STRIPE = "stripe", _("Stripe invoice")
    BANK = "bank", _("Invoice for bank transfer")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Awaiting payment")
    PAID = "paid", _("Paid")
    VOID = "void", _("Cancelled")


class PlanInvoice(models.Model):
    """An invoice of the platform to an association: Stripe's (mirrored from its events) or the
    platform's own счёт for a bank transfer (with an акт once paid)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.CASCADE, related_name="plan_invoices"
    )
    kind = models.CharField(max_length=8, choices=InvoiceKind.choices)
    #: The number printed on a счёт (``П-2026-000012``), or Stripe's.
    number = models.CharField(max_length=40, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=6, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    stripe_invoice_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    hosted_url = models.URLField(max_length=500, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan invoice")
        verbose_name_plural = _("plan invoices")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=Decimal("0")), name="plan_invoice_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"PlanInvoice {self.number}"


class PaymentSource(models.TextChoices):
    STRIPE = "stripe", _("Stripe")
    OPERATOR = "operator", _("Confirmed by an operator")
    STATEMENT = "statement", _("Platform's bank statement")


class PlanPayment(models.Model):
    """Money received for an invoice. ``external_id`` (Stripe's invoice, or the bank document's
    reference) is unique: the same payment arriving twice is recorded once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    invoice = models.ForeignKey(PlanInvoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    source = models.CharField(max_length=10, choices=PaymentSource.choices)
    external_id = models.CharField(max_length=120, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan payment")
        verbose_name_plural = _("plan payments")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")), name="plan_payment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"PlanPayment {self.external_id}"


class WebhookEvent(models.Model):
    """A provider's event as received: stored once under its id, processed by a task."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=100)
    #: Stripe's ``created`` (seconds since the epoch): orders the subscription's states.
    created = models.BigIntegerField(default=0)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    association = models.ForeignKey(
        "associations.Association", null=True, blank=True, on_delete=models.SET_NULL
    )
    #: Why the event needs a person's look (unknown customer...); empty when all is well.
    flag = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="plans_webhook_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"WebhookEvent {self.provider} {self.event_id}"


class ConnectedAccount(models.Model):
    """A Stripe connected account (``acct_…``) and the association that owns it.

    The platform's one Connect webhook endpoint (``billing.plans.connect``) routes each event by
    its ``account`` through this table to the association's schema. Kept by the association's
    online payment settings (``billing.payments``) through the declared hook
    ``plans.connect_account`` when the board connects or enters an account.
    """

    account_id = models.CharField(_("connected account"), max_length=64, unique=True)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.CASCADE, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")

    def __str__(self) -> str:
        return f"ConnectedAccount {self.account_id}"
