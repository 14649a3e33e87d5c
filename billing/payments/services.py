"""Writing online payments: the board's choice of provider, a member's payment from the
confirmation to the provider's page, the providers' notifications, refunds, reconciliation.

Money safety (docs/payments.md; ARCHITECTURE.md, "Stripe webhooks arrive duplicated and out of
order"):

* A notification is read only once its signature matches the raw body (``receive``; a bad one
  is refused before anything is stored). Each event is stored under ``(provider, event id)``
  (a unique constraint: a duplicate delivery stores nothing new and queues nothing), and a
  Celery task (``tasks.process_event``, the event's id only) acts on it.
* ``process_event`` locks the event and then the payment; a payment is posted on the account
  once, through the ledger (``record_online_payment``: source ``online`` + the provider's id,
  unique), whatever the order or number of deliveries. A failure or cancellation never undoes
  a success; a refund that arrives before its payment's success waits and is processed after
  it. An event for another association's account or terminal, for a payment unknown here, or
  with another amount is kept, flagged, and posts nothing.
* Every provider call that creates a charge or a refund carries a deterministic idempotency key
  (the payment's id; the payment's id and the refund's number).
* A refund reverses the ledger's payment with a new entry and its reason
  (``reverse_payment``); the payment's own entry stays (the journal is append-only).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.payments import selectors
from billing.payments.models import (
    FINAL_STATUSES,
    PAID_STATUSES,
    Difference,
    DifferenceKind,
    EventStatus,
    FlagReason,
    OnlinePayment,
    Provider,
    ProviderSettings,
    Reconciliation,
    Refund,
    RefundStatus,
    Status,
    WebhookEvent,
)
from billing.payments.providers import base as p
from billing.payments.providers import new_secret, provider_for
from billing.payments.providers.base import BadSignature, ProviderError
from core import relay
from core.audit.services import record
from tenants.ledger.money import month_of
from tenants.ledger.payments import services as ledger_payments
from tenants.ledger.payments.models import Payment as LedgerPayment

logger = logging.getLogger(__name__)

#: The most a member pays at once online (a guard against a mistyped amount).
MAX_AMOUNT = Decimal("1000000.00")
#: How many days back the nightly reconciliation looks.
RECONCILE_DAYS = 7
#: The hour of the association's own time after which the nightly reconciliation runs.
RECONCILE_HOUR = 3
#: Billing's plans' declared hook that keeps the platform's table of connected accounts.
CONNECT_ACCOUNT_HOOK = "plans.connect_account"


# -- the board's setting ------------------------------------------------------------------------


@transaction.atomic
def save_settings(
    *,
    actor,
    provider: str,
    stripe_account: str = "",
    stripe_webhook_secret: str = "",
    tbank_terminal_key: str = "",
    tbank_password: str = "",
) -> ProviderSettings:
    """The board chooses the way members pay online. A secret left blank keeps the one saved;
    a provider without what it needs is refused."""
    if provider not in Provider.values:
        raise ValidationError({"provider": _("Choose a way to pay from the list.")})
    row = ProviderSettings.objects.select_for_update().order_by("updated_at").first()
    row = row or ProviderSettings()
    saved_account = row.stripe_account
    stripe_account = (stripe_account or "").strip()
    tbank_terminal_key = (tbank_terminal_key or "").strip()
    row.stripe_account = stripe_account or row.stripe_account
    row.tbank_terminal_key = tbank_terminal_key or row.tbank_terminal_key
    if stripe_webhook_secret:
        row.stripe_webhook_secret = stripe_webhook_secret.strip()
    if tbank_password:
        row.tbank_password = tbank_password.strip()
    if provider == Provider.STRIPE and not row.stripe_account.startswith("acct_"):
        raise ValidationError(
            {
                "stripe_account": _(
                    "Stripe needs the association's connected account: connect it with "
                    "Stripe, or enter its id (acct_…)."
                )
            }
        )
    if stripe_account and stripe_account != saved_account:
        # A typed account: Stripe's events for it are routed here from now on (the platform's
        # Connect endpoint); another association's account is refused.
        _register_account(row.stripe_account)
        row.stripe_charges_enabled = row.stripe_details_submitted = row.stripe_onboarded = False
        row.stripe_account_state_at = 0
    if provider == Provider.TBANK and not (row.tbank_terminal_key and row.tbank_password):
        raise ValidationError(
            {"tbank_terminal_key": _("T-Bank needs the terminal's key and password.")}
        )
    if provider == Provider.TEST and not row.test_webhook_secret:
        row.test_webhook_secret = new_secret()
    row.provider = provider
    row.updated_by = actor
    row.updated_at = timezone.now()
    row.save()
    record("payments.settings_changed", actor=actor, target=row, details={"provider": provider})
    return row


def _register_account(account_id: str) -> None:
    """Tell the platform's Connect router this association owns ``account_id`` (billing's
    plans keep the table in the public schema; their declared hook, run in this schema)."""
    from core.extensions import operator_hook

    operator_hook(CONNECT_ACCOUNT_HOOK)(account_id)


def _platform_gateway():
    from billing.payments.providers import setting, stripe_connect

    return stripe_connect.StripePlatformGateway(
        api_key=setting("STRIPE_SECRET_KEY"), api_base=setting("STRIPE_API_BASE")
    )


def connect_stripe(*, actor, return_url: str, refresh_url: str) -> str:
    """The chairman pressed "Connect with Stripe": the platform makes the association's
    connected account (Express by default, ``TSZH_PAYMENTS_CONNECT_ACCOUNT_TYPE``) once, and a
    fresh Account Link each time; returns the link's URL (Stripe's onboarding form).

    The account is made with a deterministic idempotency key (the association's schema), so a
    double press or a retry makes one account. Refused: no Stripe on this platform, Stripe not
    answering."""
    from billing.payments.providers import setting

    if not setting("STRIPE_SECRET_KEY"):
        raise ValidationError(_("Stripe is not set up on this platform: ask the operators."))
    with transaction.atomic():
        row = ProviderSettings.objects.select_for_update().order_by("updated_at").first()
        row = row or ProviderSettings()
        try:
            gateway = _platform_gateway()
            if not row.stripe_account:
                kind = setting("TSZH_PAYMENTS_CONNECT_ACCOUNT_TYPE", "express")
                account = gateway.create_account(
                    kind=kind if kind in ("express", "standard") else "express",
                    country=setting("TSZH_PAYMENTS_CONNECT_COUNTRY"),
                    reference=connection.schema_name,
                    idempotency_key=f"tszh-connect-{connection.schema_name}",
                )
                row.stripe_account = account["id"]
                row.stripe_charges_enabled = bool(account.get("charges_enabled"))
                row.stripe_details_submitted = bool(account.get("details_submitted"))
                row.stripe_onboarded = True
                row.updated_by = actor
                row.updated_at = timezone.now()
                row.save()
                _register_account(row.stripe_account)
                record(
                    "payments.stripe_connect_started",
                    actor=actor,
                    target=row,
                    details={"account": row.stripe_account},
                )
            link = gateway.create_account_link(
                account=row.stripe_account, refresh_url=refresh_url, return_url=return_url
            )
        except ProviderError as error:
            logger.warning("stripe connect onboarding refused (%s)", error)
            raise ValidationError(
                _("Stripe does not answer now. Nothing was changed; try again later.")
            ) from None
    return link["url"]


def connect_event(payload: dict) -> str:
    """A Connect event routed here by the platform's endpoint (``billing.plans.connect``), in
    this association's schema, inside the routing task: ``account.updated`` flips the
    onboarding's state; a payment's event is stored once under its id (the same id as through
    the association's own endpoint) and processed at once."""
    if payload.get("type") == "account.updated":
        return _account_updated(payload)
    from billing.payments.providers.stripe_connect import parse_event

    rows, _new = _store(Provider.STRIPE, parse_event(payload), queue=False)
    outcomes = [process_event(row.pk) for row in rows]
    return ",".join(str(outcome) for outcome in outcomes) or "ignored"


def _account_updated(payload: dict) -> str:
    obj = (payload.get("data") or {}).get("object") or {}
    created = int(payload.get("created") or 0)
    row = ProviderSettings.objects.select_for_update().order_by("updated_at").first()
    if row is None or not row.stripe_account or obj.get("id") != row.stripe_account:
        return EventStatus.FLAGGED
    if created < row.stripe_account_state_at:
        return EventStatus.IGNORED  # an older state arriving late
    was = row.stripe_charges_enabled
    row.stripe_charges_enabled = bool(obj.get("charges_enabled"))
    row.stripe_details_submitted = bool(obj.get("details_submitted"))
    row.stripe_account_state_at = created
    row.save(
        update_fields=[
            "stripe_charges_enabled",
            "stripe_details_submitted",
            "stripe_account_state_at",
        ]
    )
    if was != row.stripe_charges_enabled:
        record(
            "payments.stripe_connect_enabled"
            if row.stripe_charges_enabled
            else "payments.stripe_connect_disabled",
            actor=None,
            target=row,
            details={"account": row.stripe_account},
        )
    return EventStatus.PROCESSED


# -- a member pays ------------------------------------------------------------------------------


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except (InvalidOperation, ValueError):
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            {"amount": _("Enter an amount above zero in roubles and kopecks, e.g. 1500.50.")}
        )
    if amount > MAX_AMOUNT:
        raise ValidationError(
            {"amount": _("At most %(max)s ₽ at once online.") % {"max": f"{MAX_AMOUNT:,.0f}"}}
        )
    return amount


@transaction.atomic
def start_payment(
    *, actor, account_id, amount, named_period: datetime.date | None = None
) -> OnlinePayment:
    """A member's payment waiting for their confirmation (nothing is sent anywhere yet).

    Refused: online payments off, an account the member neither holds nor lives on, an amount
    of zero or below (or not in kopecks), a month the account was never charged for."""
    provider = selectors.active_provider()
    if not provider:
        raise ValidationError(_("Online payment is off in this association: pay by the QR code."))
    try:
        access = selectors.payable_account(actor, account_id)
    except Exception:  # noqa: BLE001 - Http404: someone else's account, said plainly
        raise ValidationError(_("You can pay only for your own personal account.")) from None
    amount = _amount(amount)
    if named_period is not None:
        named_period = month_of(named_period)
        _due, months, _balance = selectors.amount_due(access)
        charged = access.entries().filter(period=named_period).exists()
        if named_period not in months and not charged:
            raise ValidationError(
                {"period": _("Nothing was charged to this account for that month.")}
            )
    payment = OnlinePayment.objects.create(
        account=access.account,
        amount=amount,
        named_period=named_period,
        provider=provider,
        created_by=actor,
    )
    record(
        "payments.payment_started",
        actor=actor,
        target=payment,
        details={"amount": str(amount), "provider": provider},
    )
    return payment


#: ``OnlinePayment.failure_code`` of a payment whose provider did not answer the member's
#: confirmation (after the gateway's own retries): shown to the accountant on the board's page.
UNREACHABLE = "provider_unreachable"


def checkout(
    *, actor, payment: OnlinePayment, return_url: str, notification_url: str
) -> str | None:
    """The member confirmed: ask the provider for its page and return where to send them.

    The provider is asked with the payment's own idempotency key, so pressing twice (or a
    retry after a lost answer) makes one charge; the gateway itself retries a timeout or a
    dropped connection with backoff under the same key. A provider that still cannot be reached
    leaves the payment waiting (``created``, marked ``provider_unreachable`` for the accountant
    and in the audit log) and returns None: the member is told to try again later, and the next
    try asks under the same key."""
    with transaction.atomic():
        payment = OnlinePayment.objects.select_for_update().get(pk=payment.pk)
        if payment.created_by_id != getattr(actor, "pk", None):
            raise ValidationError(_("You can pay only for your own personal account."))
        if payment.status == Status.PENDING and payment.pay_url:
            return payment.pay_url
        if payment.status != Status.CREATED:
            raise ValidationError(
                _("This payment is already %(status)s.")
                % {"status": payment.get_status_display().lower()}
            )
        config = selectors.settings_row()
        try:
            provider = provider_for(config, payment.provider)
            started = provider.start(
                payment, return_url=return_url, notification_url=notification_url
            )
        except ProviderError as error:
            logger.warning("payment %s: the provider did not start it (%s)", payment.pk, error)
            payment.failure_code = UNREACHABLE
            payment.updated_at = timezone.now()
            payment.save(update_fields=["failure_code", "updated_at"])
            record(
                "payments.provider_unreachable",
                actor=actor,
                target=payment,
                details={"provider": payment.provider},
            )
            return None
        payment.provider_ref = started.provider_ref[:64]
        payment.pay_url = started.url[:500]
        payment.status = Status.PENDING
        payment.failure_code = ""
        payment.updated_at = timezone.now()
        payment.save(
            update_fields=["provider_ref", "pay_url", "status", "failure_code", "updated_at"]
        )
        record("payments.payment_sent", actor=actor, target=payment, details={})
    return payment.pay_url


def payment_returned(*, payment: OnlinePayment) -> str:
    """The member came back from the provider (the return link, checked by the view): a
    payment still waiting asks the provider where it stands, and a final answer goes through
    the same path as a notification (stored once as ``return:<ref>:<status>``, processed:
    posted once whatever arrives after). The test provider answers by its own notifications;
    a provider that cannot be asked leaves the payment waiting."""
    if payment.status != Status.PENDING or not payment.provider_ref:
        return payment.status
    if payment.provider == Provider.TEST:
        return payment.status
    config = selectors.settings_row()
    if config is None:
        return payment.status
    try:
        remote = provider_for(config, payment.provider).state(payment.provider_ref)
    except ProviderError as error:
        logger.info("payment %s: the provider could not be asked on return (%s)", payment.pk, error)
        return payment.status
    if remote.status not in (p.SUCCEEDED, p.FAILED, p.CANCELLED):
        return payment.status
    event = p.Event(
        event_id=f"return:{payment.provider_ref}:{remote.status}",
        kind=remote.status,
        provider_ref=payment.provider_ref,
        payment_id=str(payment.pk),
        amount=remote.amount,
        raw_type=f"return.{remote.status}",
    )
    rows, _new = _store(payment.provider, [event], queue=False)
    return process_event(rows[0].pk)


# -- notifications ------------------------------------------------------------------------------


def receive(provider_name: str, body: bytes, headers) -> tuple[list[WebhookEvent], int]:
    """Store a provider's notification: ``(events, how many were new)``.

    Raises ``BadSignature`` (the view answers 400) before anything is stored when the
    signature does not match, the provider is unknown or has no secret here."""
    config = selectors.settings_row()
    if config is None or provider_name not in (Provider.TEST, Provider.STRIPE, Provider.TBANK):
        raise BadSignature("no such provider here")
    provider = provider_for(config, provider_name)
    return _store(provider_name, provider.events(body, headers))


def _store(provider_name: str, events, *, queue: bool = True) -> tuple[list[WebhookEvent], int]:
    """Keep each event once under ``(provider, event id)``; queue the new ones after the
    commit (``queue``; the Connect router processes them itself, already in a task)."""
    stored, new = [], 0
    for event in events:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = WebhookEvent.objects.create(
                        provider=provider_name,
                        event_id=event.event_id[:120],
                        kind=event.raw_type[:60] or event.kind,
                        provider_ref=event.provider_ref[:64],
                        data=event.as_data(),
                    )
                new += 1
                if queue:
                    transaction.on_commit(lambda pk=row.pk: _queue(pk))
            except IntegrityError:
                row = WebhookEvent.objects.get(provider=provider_name, event_id=event.event_id)
                WebhookEvent.objects.filter(pk=row.pk).update(deliveries=F("deliveries") + 1)
        stored.append(row)
    return stored, new


def _queue(event_pk) -> None:
    """A broker that is down keeps the job for the relay (core.relay); the reconciliation's
    sweep of events still "received" is a second net."""
    from billing.payments.tasks import process_event

    relay.send(process_event, str(event_pk))


def _find_payment(provider_name: str, event: p.Event) -> OnlinePayment | None:
    rows = OnlinePayment.objects.select_for_update()
    if event.payment_id:
        try:
            found = rows.filter(pk=uuid.UUID(event.payment_id), provider=provider_name).first()
        except ValueError:
            found = None
        if found is not None:
            if (
                event.provider_ref
                and found.provider_ref
                and event.provider_ref != found.provider_ref
            ):
                return None
            return found
    if event.provider_ref:
        return rows.filter(provider=provider_name, provider_ref=event.provider_ref).first()
    return None


def process_event(event_pk) -> str:
    """Act on one stored event (the task's body); returns its status. Safe to run again, at
    the same time as another delivery, and in any order with the payment's other events."""
    with transaction.atomic():
        row = WebhookEvent.objects.select_for_update().filter(pk=event_pk).first()
        if row is None:
            return "missing"
        if row.status not in (EventStatus.RECEIVED, EventStatus.WAITING):
            return row.status
        event = p.Event.from_data(row.data)
        status, flag, payment = _apply(row.provider, event)
        row.status, row.flag = status, flag
        row.online_payment = payment
        row.processed_at = timezone.now()
        row.save(update_fields=["status", "flag", "online_payment", "processed_at"])
        if flag:
            record(
                "payments.event_flagged",
                actor=None,
                target=row,
                details={"provider": row.provider, "flag": flag},
            )
        waiting = []
        if payment is not None and status == EventStatus.PROCESSED:
            waiting = list(
                WebhookEvent.objects.filter(
                    online_payment=payment, status=EventStatus.WAITING
                ).values_list("pk", flat=True)
            )
    for pk in waiting:
        process_event(pk)
    return status


def _apply(provider_name: str, event: p.Event):
    """``(event status, flag, payment)``; inside the event's transaction."""
    if event.kind in (p.OTHER, p.PENDING):
        return EventStatus.IGNORED, "", None
    config = selectors.settings_row()
    if config is None or not provider_for(config, provider_name).owns(event):
        return EventStatus.FLAGGED, FlagReason.UNKNOWN_ASSOCIATION, None
    payment = _find_payment(provider_name, event)
    if payment is None:
        return EventStatus.FLAGGED, FlagReason.UNKNOWN_PAYMENT, None
    if not payment.provider_ref and event.provider_ref:
        payment.provider_ref = event.provider_ref[:64]
        payment.save(update_fields=["provider_ref"])
    if event.kind == p.SUCCEEDED:
        if event.amount is not None and event.amount != payment.amount:
            return EventStatus.FLAGGED, FlagReason.AMOUNT_MISMATCH, payment
        _confirm(payment)
        return EventStatus.PROCESSED, "", payment
    if event.kind in (p.FAILED, p.CANCELLED):
        if payment.status not in FINAL_STATUSES:
            payment.status = Status.FAILED if event.kind == p.FAILED else Status.CANCELLED
            payment.failure_code = event.failure_code[:40]
            payment.updated_at = timezone.now()
            payment.save(update_fields=["status", "failure_code", "updated_at"])
            record(
                f"payments.payment_{payment.status}",
                actor=None,
                target=payment,
                details={"code": payment.failure_code},
            )
        return EventStatus.PROCESSED, "", payment
    if event.kind == p.REFUNDED:
        if not payment.is_paid:
            return EventStatus.WAITING, "", payment
        amount = event.refund_amount or Decimal(0)
        if amount <= 0 or amount > payment.amount - payment.refunded + _matching_total(
            payment, event
        ):
            return EventStatus.FLAGGED, FlagReason.AMOUNT_MISMATCH, payment
        _refund_notified(payment, event)
        return EventStatus.PROCESSED, "", payment
    return EventStatus.IGNORED, "", payment


def _confirm(payment: OnlinePayment) -> None:
    """Post a confirmed payment on the account (once), under the payment's lock."""
    if payment.is_paid:
        return
    ledger_payment, _created = ledger_payments.record_online_payment(
        actor=None,
        account=payment.account,
        amount=payment.amount,
        paid_on=timezone.localdate(),
        reference=f"{payment.provider}:{payment.provider_ref or payment.pk}",
        named_period=payment.named_period,
    )
    payment.status = Status.SUCCEEDED
    payment.ledger_payment_id = ledger_payment.pk
    payment.confirmed_at = timezone.now()
    payment.updated_at = payment.confirmed_at
    payment.failure_code = ""
    payment.save(
        update_fields=["status", "ledger_payment_id", "confirmed_at", "updated_at", "failure_code"]
    )
    record(
        "payments.payment_succeeded",
        actor=None,
        target=payment,
        details={"amount": str(payment.amount)},
    )


# -- refunds ------------------------------------------------------------------------------------


def _matching_total(payment, event) -> Decimal:
    """What a notified refund already counted (so its own notification fits in the rest)."""
    found = _known_refund(payment, event)
    return found.amount if found is not None and found.entry_id else Decimal(0)


def _known_refund(payment: OnlinePayment, event: p.Event) -> Refund | None:
    rows = Refund.objects.select_for_update().filter(online_payment=payment)
    if event.refund_ref:
        found = rows.filter(provider_ref=event.refund_ref[:64]).first()
        if found is not None:
            return found
    # A refund the portal asked for, whose provider names it by our key (T-Bank's
    # ExternalRequestId) or not at all: the first one of the same amount not yet notified.
    return (
        rows.filter(
            amount=event.refund_amount,
            notified_at__isnull=True,
            status__in=[RefundStatus.PENDING, RefundStatus.SUCCEEDED],
        )
        .order_by("created_at")
        .first()
    )


def _refund_notified(payment: OnlinePayment, event: p.Event) -> None:
    refund = _known_refund(payment, event)
    if refund is None:
        refund = Refund.objects.create(
            online_payment=payment,
            amount=event.refund_amount,
            reason=_("Refunded at the payment service"),
            provider_ref=(event.refund_ref or event.event_id)[:64],
            key=f"tszh-refund-{payment.pk}-ext-{event.event_id}"[:80],
        )
    refund.notified_at = timezone.now()
    refund.save(update_fields=["notified_at"])
    _reverse(payment, refund, actor=None)


def _reverse(payment: OnlinePayment, refund: Refund, *, actor) -> None:
    """Reverse a succeeded refund on the account (once) and update the payment's figures."""
    if refund.entry_id is None:
        ledger_payment = LedgerPayment.objects.get(pk=payment.ledger_payment_id)
        entry, _created = ledger_payments.reverse_payment(
            actor=actor,
            payment=ledger_payment,
            amount=refund.amount,
            reason=refund.reason,
            reference=f"{payment.provider}:{refund.key}",
        )
        refund.entry_id = entry.pk
    refund.status = RefundStatus.SUCCEEDED
    refund.save(update_fields=["entry_id", "status"])
    total = Refund.objects.filter(online_payment=payment, status=RefundStatus.SUCCEEDED).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    payment.refunded = min(total, payment.amount)
    payment.status = Status.REFUNDED if total >= payment.amount else Status.PARTIALLY_REFUNDED
    payment.updated_at = timezone.now()
    payment.save(update_fields=["refunded", "status", "updated_at"])
    record(
        "payments.payment_refunded",
        actor=actor,
        target=payment,
        details={"amount": str(refund.amount), "refunded": str(payment.refunded)},
    )


@transaction.atomic
def refund(*, actor, payment: OnlinePayment, amount, reason: str) -> Refund:
    """The accountant gives money back. Posted on the account (a reversing entry with the
    reason) when the provider says it is done, now or in its notification."""
    payment = OnlinePayment.objects.select_for_update().get(pk=payment.pk)
    if not payment.is_paid:
        raise ValidationError(_("Only a paid payment can be refunded."))
    amount = _amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the money is given back.")})
    open_refunds = Refund.objects.filter(online_payment=payment).exclude(
        status=RefundStatus.FAILED
    ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if open_refunds + amount > payment.amount:
        raise ValidationError(
            {
                "amount": _("At most %(left)s ₽ of this payment is left to refund.")
                % {"left": payment.amount - open_refunds}
            }
        )
    number = Refund.objects.filter(online_payment=payment).count() + 1
    row = Refund.objects.create(
        online_payment=payment,
        amount=amount,
        reason=reason[:300],
        key=f"tszh-refund-{payment.pk}-{number}",
        created_by=actor,
    )
    try:
        answer = provider_for(selectors.settings_row(), payment.provider).refund(
            payment, amount, idempotency_key=row.key
        )
    except ProviderError as error:
        logger.warning("refund of %s: the provider refused (%s)", payment.pk, error)
        raise ValidationError(
            _("The payment service refused the refund or does not answer; nothing was changed.")
        ) from None
    row.provider_ref = answer.provider_ref[:64]
    row.save(update_fields=["provider_ref"])
    record(
        "payments.refund_requested",
        actor=actor,
        target=row,
        details={"amount": str(amount)},
    )
    if answer.status == p.SUCCEEDED:
        _reverse(payment, row, actor=actor)
    elif answer.status == p.FAILED:
        row.status = RefundStatus.FAILED
        row.save(update_fields=["status"])
    return row


# -- reconciliation -----------------------------------------------------------------------------


def association_today() -> datetime.date:
    import zoneinfo

    name = getattr(getattr(connection, "tenant", None), "time_zone", None)
    try:
        zone = zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    return timezone.localtime(timezone.now(), zone)


def reconcile_if_due() -> str:
    """Hourly (``payments-reconcile``): once a night, after ``RECONCILE_HOUR`` of the
    association's own time, compare the last days' payments with the provider."""
    now = association_today()
    if now.hour < RECONCILE_HOUR or not selectors.active_provider():
        return "not due"
    if selectors.reconciled_on(now.date()):
        return "done already"
    found = reconcile(date_to=now.date())
    return f"{found.differences.count()} differences"


@transaction.atomic
def reconcile(
    *, date_to: datetime.date | None = None, days: int = RECONCILE_DAYS, provider=None
) -> Reconciliation:
    """Compare the provider's records of ``days`` up to ``date_to`` with the payments here and
    the ledger; keep the differences for the accountant (``Difference``)."""
    config = selectors.settings_row()
    name = config.provider if config else ""
    date_to = date_to or association_today().date()
    date_from = date_to - datetime.timedelta(days=days)
    run = Reconciliation.objects.create(provider=name or "", date_from=date_from, date_to=date_to)
    local = list(
        OnlinePayment.objects.filter(
            provider=name,
            created_at__date__gte=date_from,
            created_at__date__lte=date_to,
        ).exclude(provider_ref="")
    )
    try:
        provider = provider or provider_for(config, name)
        remote = provider.records(date_from, date_to, local)
    except ProviderError as error:
        run.error = str(error)[:200]
        run.save(update_fields=["error"])
        return run
    by_ref = {payment.provider_ref: payment for payment in local}
    posted = dict(
        LedgerPayment.objects.filter(
            pk__in=[p_.ledger_payment_id for p_ in local if p_.ledger_payment_id]
        ).values_list("pk", "amount")
    )
    differences = []
    seen = set()
    for state in remote:
        seen.add(state.provider_ref)
        payment = by_ref.get(state.provider_ref)
        paid_there = state.status in (p.SUCCEEDED, p.REFUNDED)
        if payment is None:
            if paid_there:
                differences.append(
                    Difference(
                        kind=DifferenceKind.UNKNOWN,
                        provider_ref=state.provider_ref,
                        provider_amount=state.amount,
                    )
                )
            continue
        ledger_amount = posted.get(payment.ledger_payment_id)
        if paid_there and ledger_amount is None:
            kind = DifferenceKind.NOT_POSTED
        elif not paid_there and ledger_amount is not None:
            kind = DifferenceKind.NOT_PAID
        elif paid_there and ledger_amount != state.amount:
            kind = DifferenceKind.AMOUNT
        elif paid_there and state.refunded > payment.refunded:
            kind = DifferenceKind.REFUND_NOT_POSTED
        else:
            continue
        differences.append(
            Difference(
                kind=kind,
                online_payment=payment,
                provider_ref=state.provider_ref,
                provider_amount=state.amount,
                ledger_amount=ledger_amount,
            )
        )
    for payment in local:
        if payment.provider_ref not in seen and payment.ledger_payment_id in posted:
            differences.append(
                Difference(
                    kind=DifferenceKind.NOT_PAID,
                    online_payment=payment,
                    provider_ref=payment.provider_ref,
                    ledger_amount=posted[payment.ledger_payment_id],
                )
            )
    for difference in differences:
        difference.reconciliation = run
    Difference.objects.bulk_create(differences)
    run.checked = len(seen | set(by_ref))
    run.save(update_fields=["checked"])
    record(
        "payments.reconciled",
        actor=None,
        target=run,
        details={"checked": run.checked, "differences": len(differences)},
    )
    # Events that could not be queued (a broker down) are swept here too.
    for pk in WebhookEvent.objects.filter(status=EventStatus.RECEIVED).values_list("pk", flat=True):
        transaction.on_commit(lambda pk=pk: _queue(pk))
    return run


__all__ = ["PAID_STATUSES", "BadSignature"]
