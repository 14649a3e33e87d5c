"""What changes an association's plan and its payment: the chairman's choice, the operators'
grants and confirmations, bank invoices and statements, and the provider's events.

One plan-payment interface, two ways (``PaymentMethod``): Stripe Billing (card, through
``gateway``) and the platform's own invoice paid by bank transfer (Russian associations: Stripe
serves no Russian company), confirmed by an operator or matched from the platform's bank
statement. Every change is audited in its transaction: a chairman's in the association's audit
log, an operator's in the console's.
"""

from __future__ import annotations

import datetime
import logging
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.plans import gateway, selectors
from billing.plans.models import (
    OVERDUE,
    InvoiceKind,
    InvoiceStatus,
    PaymentMethod,
    PaymentSource,
    Plan,
    PlanInvoice,
    PlanPayment,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from core import relay
from core.audit.services import record

logger = logging.getLogger(__name__)

STRIPE_PROVIDER = "stripe_platform"
#: Days a bank invoice gives to pay.
INVOICE_DUE_DAYS = 10
MAX_TRIAL_EXTENSION_DAYS = 90


def _association_model():
    from associations.models import Association

    return Association


def subscription_for(association, *, lock: bool = False) -> Subscription:
    """The association's subscription, made on first use on the plan it signed up with."""
    queryset = Subscription.objects.select_related("plan")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    found = queryset.filter(association_id=association.pk).first()
    if found is not None:
        return found
    plan = selectors.plan_by_code(association.plan or "") or selectors.free_plan()
    try:
        with transaction.atomic():
            Subscription.objects.create(association_id=association.pk, plan=plan)
    except IntegrityError:
        pass  # made meanwhile by another request
    return queryset.get(association_id=association.pk)


def _sync_association_plan(subscription: Subscription) -> None:
    """``Association.plan`` mirrors the plan (the console's filters read it)."""
    _association_model().objects.filter(pk=subscription.association_id).update(
        plan=subscription.plan.code
    )


def _paid_plan(code: str) -> Plan:
    plan = selectors.plan_by_code(code)
    if plan is None:
        raise ValidationError({"plan": _("Choose one of the plans.")})
    return plan


def _check_fits(plan: Plan, premises: int | None) -> None:
    if premises is not None and premises > plan.max_premises:
        raise ValidationError(
            {
                "plan": _(
                    "The association has %(premises)s premises; the plan «%(plan)s» is for up "
                    "to %(limit)s. Choose a larger plan."
                )
                % {"premises": premises, "plan": plan.display_name, "limit": plan.max_premises}
            }
        )


def _month_after(moment: datetime.datetime) -> datetime.datetime:
    return moment + datetime.timedelta(days=30)


def preview_change(association, plan_code: str) -> Decimal | None:
    """What the next Stripe invoice asks after a change to ``plan_code`` (proration as Stripe
    computes it); None when there is no Stripe subscription to change."""
    subscription = subscription_for(association)
    plan = selectors.plan_by_code(plan_code)
    if plan is None or not gateway.enabled() or not subscription.stripe_subscription_id:
        return None
    try:
        return gateway.preview_change(
            customer_id=subscription.stripe_customer_id,
            subscription_id=subscription.stripe_subscription_id,
            plan=plan,
        )
    except gateway.GatewayError:
        return None


def choose_plan(
    association, *, plan_code: str, method: str, actor, premises: int | None = None
) -> Subscription:
    """The chairman moves the association to ``plan_code``, paying by ``method``.

    A paid plan chosen for the first time starts its trial. With Stripe the subscription is made
    or changed there (Stripe prorates); with an invoice the platform issues a счёт when the
    trial ends or at once. A plan smaller than the registry is refused; the free plan ends the
    paid subscription."""
    plan = _paid_plan(plan_code)
    _check_fits(plan, premises)
    if method not in (PaymentMethod.STRIPE, PaymentMethod.INVOICE) and not plan.is_free:
        raise ValidationError({"method": _("Choose how to pay: by card or by invoice.")})
    if method == PaymentMethod.STRIPE and not gateway.enabled():
        raise ValidationError(
            {"method": _("Card payments are not set up on this platform: pay by invoice.")}
        )
    now = timezone.now()
    with transaction.atomic():
        subscription = subscription_for(association, lock=True)
        before = subscription.plan.code
        same_method = plan.is_free or method == subscription.payment_method
        if plan.pk == subscription.plan_id and same_method:
            raise ValidationError({"plan": _("The association is on this plan already.")})
        subscription.revision += 1
        trial_unused = subscription.trial_ends_at is None and plan.trial_days > 0
        if plan.is_free:
            if subscription.stripe_subscription_id and gateway.enabled():
                try:
                    gateway.cancel_subscription(subscription.stripe_subscription_id)
                except gateway.GatewayError as error:
                    raise ValidationError(
                        _("The card payments' service did not answer; try again later.")
                    ) from error
            subscription.stripe_subscription_id = ""
            subscription.status = SubscriptionStatus.FREE
            subscription.payment_method = PaymentMethod.NONE
            subscription.past_due_since = None
            subscription.current_period_end = None
        elif method == PaymentMethod.STRIPE:
            _choose_by_stripe(association, subscription, plan, trial_unused=trial_unused, now=now)
        else:
            if subscription.stripe_subscription_id and gateway.enabled():
                # From card to invoice: Stripe stops charging; the platform invoices from now.
                try:
                    gateway.cancel_subscription(subscription.stripe_subscription_id)
                except gateway.GatewayError as error:
                    raise ValidationError(
                        _("The card payments' service did not answer; try again later.")
                    ) from error
                subscription.stripe_subscription_id = ""
            subscription.payment_method = PaymentMethod.INVOICE
            if subscription.status in (SubscriptionStatus.FREE, SubscriptionStatus.CANCELED):
                if trial_unused:
                    subscription.status = SubscriptionStatus.TRIALING
                    subscription.trial_ends_at = now + datetime.timedelta(days=plan.trial_days)
                else:
                    subscription.status = SubscriptionStatus.ACTIVE
                    subscription.current_period_end = now
        subscription.plan = plan
        subscription.save()
        _sync_association_plan(subscription)
        if (
            method == PaymentMethod.INVOICE
            and not plan.is_free
            and subscription.status == SubscriptionStatus.ACTIVE
            and selectors.open_invoice(association) is None
        ):
            issue_bank_invoice(association, subscription=subscription)
        record(
            "plans.plan_changed",
            actor=actor,
            details={"from": before, "to": plan.code, "method": subscription.payment_method},
        )
    return subscription


def _choose_by_stripe(association, subscription, plan, *, trial_unused: bool, now) -> None:
    try:
        if not subscription.stripe_customer_id:
            subscription.stripe_customer_id = gateway.create_customer(association)
        if subscription.stripe_subscription_id:
            found = gateway.change_plan(
                subscription_id=subscription.stripe_subscription_id,
                plan=plan,
                association_id=association.pk,
                revision=subscription.revision,
            )
        else:
            found = gateway.create_subscription(
                customer_id=subscription.stripe_customer_id,
                plan=plan,
                association_id=association.pk,
                revision=subscription.revision,
                trial_days=plan.trial_days if trial_unused else 0,
            )
            subscription.stripe_subscription_id = found.id
            if trial_unused:
                subscription.status = SubscriptionStatus.TRIALING
                subscription.trial_ends_at = now + datetime.timedelta(days=plan.trial_days)
    except gateway.GatewayError as error:
        raise ValidationError(
            _("The card payments' service did not answer; try again later.")
        ) from error
    subscription.payment_method = PaymentMethod.STRIPE
    if found.current_period_end:
        subscription.current_period_end = datetime.datetime.fromtimestamp(
            found.current_period_end, tz=datetime.UTC
        )
    if subscription.status in (SubscriptionStatus.FREE, SubscriptionStatus.CANCELED):
        # Stripe's own status follows through its events (the first invoice paid or not).
        subscription.status = SubscriptionStatus.ACTIVE


def checkout_url(association, *, success_url: str, cancel_url: str) -> str:
    """Stripe Checkout's page where the chairman gives a card for the plan's invoices."""
    if not gateway.enabled():
        raise ValidationError(_("Card payments are not set up on this platform: pay by invoice."))
    with transaction.atomic():
        subscription = subscription_for(association, lock=True)
        try:
            if not subscription.stripe_customer_id:
                subscription.stripe_customer_id = gateway.create_customer(association)
                subscription.save(update_fields=["stripe_customer_id", "updated_at"])
            return gateway.checkout_session(
                customer_id=subscription.stripe_customer_id,
                association_id=association.pk,
                revision=subscription.revision,
                success_url=success_url,
                cancel_url=cancel_url,
            )
        except gateway.GatewayError as error:
            raise ValidationError(
                _("The card payments' service did not answer; try again later.")
            ) from error


# -- the operators ---------------------------------------------------------------------------


def grant_plan(association, *, plan_code: str, until: datetime.date, actor) -> Subscription:
    """An operator puts the association on a plan, paid up to ``until`` (a contract, a
    discount, a plan managed by hand where Stripe is off)."""
    plan = _paid_plan(plan_code)
    end = datetime.datetime.combine(until, datetime.time.max, tzinfo=datetime.UTC)
    if end <= timezone.now():
        raise ValidationError({"until": _("Give a date in the future.")})
    with transaction.atomic():
        subscription = subscription_for(association, lock=True)
        before = subscription.plan.code
        subscription.plan = plan
        subscription.granted_until = end
        subscription.current_period_end = end
        subscription.past_due_since = None
        subscription.status = SubscriptionStatus.FREE if plan.is_free else SubscriptionStatus.ACTIVE
        if subscription.payment_method == PaymentMethod.NONE:
            subscription.payment_method = PaymentMethod.MANUAL
        subscription.revision += 1
        subscription.save()
        _sync_association_plan(subscription)
        record(
            "plans.plan_granted",
            actor=actor,
            target=subscription,
            details={"from": before, "to": plan.code, "until": until.isoformat()},
        )
    return subscription


def extend_trial(association, *, days: int, actor) -> Subscription:
    """An operator extends (or starts) the trial by ``days`` from its end or from today."""
    if not 1 <= int(days) <= MAX_TRIAL_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("Extend by 1 to %(most)s days.") % {"most": MAX_TRIAL_EXTENSION_DAYS}}
        )
    now = timezone.now()
    with transaction.atomic():
        subscription = subscription_for(association, lock=True)
        if subscription.plan.is_free:
            raise ValidationError(_("The free plan has no trial: grant a paid plan instead."))
        start = max(now, subscription.trial_ends_at or now)
        subscription.trial_ends_at = start + datetime.timedelta(days=int(days))
        subscription.status = SubscriptionStatus.TRIALING
        subscription.past_due_since = None
        subscription.save()
        record(
            "plans.trial_extended",
            actor=actor,
            target=subscription,
            details={"days": int(days), "until": subscription.trial_ends_at.date().isoformat()},
        )
    return subscription


# -- bank invoices -------------------------------------------------------------------------------


def _next_number(now) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('public.plans_invoice_number_seq')")
        (value,) = cursor.fetchone()
    return f"П-{now:%Y}-{value:06d}"


def issue_bank_invoice(association, *, subscription: Subscription | None = None) -> PlanInvoice:
    """A счёт for the plan's next month, due in ``INVOICE_DUE_DAYS`` days."""
    now = timezone.now()
    with transaction.atomic():
        subscription = subscription or subscription_for(association, lock=True)
        plan = subscription.plan
        if plan.is_free:
            raise ValidationError(_("The free plan is not invoiced."))
        paid_until = subscription.current_period_end or subscription.trial_ends_at or now
        start = max(paid_until, now).date()
        return PlanInvoice.objects.create(
            association_id=association.pk,
            kind=InvoiceKind.BANK,
            number=_next_number(now),
            plan=plan,
            amount=plan.monthly_price,
            period_start=start,
            period_end=start + datetime.timedelta(days=29),
            issued_at=now,
            due_at=now + datetime.timedelta(days=INVOICE_DUE_DAYS),
        )


def _record_payment(
    invoice: PlanInvoice, *, amount: Decimal, source: str, external_id: str, when=None
) -> PlanPayment | None:
    """The payment, once: a second arrival of the same ``external_id`` records nothing."""
    when = when or timezone.now()
    try:
        with transaction.atomic():
            payment = PlanPayment.objects.create(
                invoice=invoice,
                amount=amount,
                source=source,
                external_id=external_id,
                received_at=when,
            )
    except IntegrityError:
        return None
    if invoice.status != InvoiceStatus.PAID:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = when
        invoice.save(update_fields=["status", "paid_at"])
    return payment


def _restore(subscription: Subscription, *, until=None) -> None:
    """Paid: the warning goes, the board's features come back."""
    subscription.past_due_since = None
    if subscription.status in OVERDUE or subscription.status == SubscriptionStatus.TRIALING:
        subscription.status = SubscriptionStatus.ACTIVE
    if until is not None and (
        subscription.current_period_end is None or until > subscription.current_period_end
    ):
        subscription.current_period_end = until


def confirm_bank_payment(invoice: PlanInvoice, *, actor, reference: str = "") -> PlanPayment:
    """An operator confirms that the bank transfer for ``invoice`` arrived."""
    if invoice.kind != InvoiceKind.BANK:
        raise ValidationError(_("Only an invoice for bank transfer is confirmed by hand."))
    if invoice.status != InvoiceStatus.OPEN:
        raise ValidationError(_("This invoice is not awaiting payment."))
    with transaction.atomic():
        invoice = PlanInvoice.objects.select_for_update().get(pk=invoice.pk)
        payment = _record_payment(
            invoice,
            amount=invoice.amount,
            source=PaymentSource.OPERATOR,
            external_id=f"operator:{invoice.pk}",
        )
        if payment is None:
            raise ValidationError(_("This invoice is paid already."))
        _paid_invoice_restores(invoice)
        record(
            "plans.bank_payment_confirmed",
            actor=actor,
            target=invoice,
            details={
                "number": invoice.number,
                "amount": str(invoice.amount),
                "reference_length": len(reference or ""),
            },
        )
    return payment


def _paid_invoice_restores(invoice: PlanInvoice) -> None:
    subscription = subscription_for(invoice.association, lock=True)
    until = datetime.datetime.combine(invoice.period_end, datetime.time.max, tzinfo=datetime.UTC)
    _restore(subscription, until=until)
    subscription.save()


_NUMBER = re.compile(r"П-\d{4}-\d{6}")


def match_statement(text: str, *, actor) -> tuple[list[str], list[int]]:
    """Match the platform's bank statement (lines ``date;amount;purpose;document``, as a bank's
    CSV export gives them) with open invoices by the invoice number in the purpose and the
    amount. Returns (invoice numbers paid, line numbers left for a person). A line seen before
    (same document, date and amount) records nothing twice."""
    paid, unmatched = [], []
    for line_no, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) < 4:
            unmatched.append(line_no)
            continue
        date, amount_text, purpose, document = parts[:4]
        try:
            amount = Decimal(amount_text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            unmatched.append(line_no)
            continue
        number = _NUMBER.search(purpose)
        invoice = (
            PlanInvoice.objects.filter(number=number.group(0), kind=InvoiceKind.BANK).first()
            if number
            else None
        )
        if invoice is None or invoice.amount != amount or invoice.status == InvoiceStatus.VOID:
            unmatched.append(line_no)
            continue
        with transaction.atomic():
            payment = _record_payment(
                invoice,
                amount=amount,
                source=PaymentSource.STATEMENT,
                external_id=f"statement:{date}:{document}:{amount}",
            )
            if payment is not None:
                _paid_invoice_restores(invoice)
                record(
                    "plans.statement_matched",
                    actor=actor,
                    target=invoice,
                    details={"number": invoice.number, "amount": str(amount)},
                )
                paid.append(invoice.number)
    return paid, unmatched


def mark_overdue_bank_invoices(now=None) -> int:
    """Open bank invoices past their due date make their subscriptions overdue (once)."""
    now = now or timezone.now()
    count = 0
    for invoice in PlanInvoice.objects.filter(
        kind=InvoiceKind.BANK, status=InvoiceStatus.OPEN, due_at__lt=now
    ).select_related("association"):
        with transaction.atomic():
            subscription = subscription_for(invoice.association, lock=True)
            if subscription.payment_method != PaymentMethod.INVOICE:
                continue
            if subscription.granted_until and subscription.granted_until > now:
                continue
            if subscription.status not in OVERDUE:
                subscription.status = SubscriptionStatus.PAST_DUE
                subscription.past_due_since = invoice.due_at
                subscription.save()
                count += 1
    return count


def issue_due_bank_invoices(now=None) -> int:
    """Invoice-paying associations whose trial or paid month ended get the next счёт."""
    now = now or timezone.now()
    count = 0
    for subscription in Subscription.objects.select_related("plan", "association").filter(
        payment_method=PaymentMethod.INVOICE
    ):
        if subscription.plan.is_free:
            continue
        ends = subscription.current_period_end or subscription.trial_ends_at
        if ends is None or ends > now + datetime.timedelta(days=INVOICE_DUE_DAYS):
            continue
        if selectors.open_invoice(subscription.association) is not None:
            continue
        issue_bank_invoice(subscription.association, subscription=subscription)
        count += 1
    return count


# -- the provider's events ----------------------------------------------------------------------


def store_event(event: dict, *, provider: str = STRIPE_PROVIDER) -> tuple[WebhookEvent, bool]:
    """Keep a verified event once (unique provider + id). Returns (event, stored now)."""
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=provider,
                event_id=str(event["id"])[:120],
                type=str(event.get("type", ""))[:100],
                created=int(event.get("created") or 0),
                payload=event,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=provider, event_id=str(event["id"])[:120]), False
    transaction.on_commit(lambda: _queue(stored.pk))
    return stored, True


def _queue(event_pk) -> None:
    """A broker that is down keeps the job for the relay (core.relay): the provider's repeated
    delivery finds the event stored and queues nothing, so without it the event would wait
    unprocessed."""
    from billing.plans import tasks

    relay.send(tasks.process_event, event_pk)


STRIPE_STATUSES = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.UNPAID,
    "incomplete": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete_expired": SubscriptionStatus.CANCELED,
}


def _subscription_for_event(obj: dict) -> Subscription | None:
    """The subscription of the event's Stripe customer; None when no association has it."""
    customer = obj.get("id", "") if obj.get("object") == "customer" else obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id", "")
    if not customer:
        return None
    return Subscription.objects.filter(stripe_customer_id=str(customer)).first()


def _moment(value) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC) if value else None


def process_event(event_pk) -> str:
    """Act on a stored event, in any order and any number of times: the result is the same.

    Subscription states are applied only if newer than the last one applied
    (``Subscription.stripe_state_at``); an invoice paid stays paid; a payment is recorded once
    (``PlanPayment.external_id``). An event whose customer is unknown is flagged and left."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return "done"
        obj = (event.payload.get("data") or {}).get("object") or {}
        subscription = _subscription_for_event(obj)
        outcome = "ignored"
        if subscription is None:
            event.flag = "unknown_customer"
            outcome = "flagged"
        else:
            subscription = (
                Subscription.objects.select_for_update()
                .select_related("plan")
                .get(pk=subscription.pk)
            )
            event.association_id = subscription.association_id
            handler = HANDLERS.get(event.type)
            if handler is not None:
                outcome = handler(subscription, obj, event.created)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at", "flag", "association"])
        return outcome


def _on_subscription(subscription: Subscription, obj: dict, created: int) -> str:
    if created < subscription.stripe_state_at:
        return "older"
    status = STRIPE_STATUSES.get(obj.get("status", ""))
    if status is None:
        return "ignored"
    items = ((obj.get("items") or {}).get("data")) or []
    if items:
        stripe_plan = ((items[0].get("plan") or {}).get("id")) or ""
        plan = (
            Plan.objects.filter(stripe_plan_id=stripe_plan).first()
            or Plan.objects.filter(code=_code_of(stripe_plan)).first()
        )
        if plan is not None:
            subscription.plan = plan
    if status == SubscriptionStatus.CANCELED:
        subscription.plan = selectors.free_plan()
        subscription.stripe_subscription_id = ""
        status = SubscriptionStatus.FREE
    subscription.status = status
    if status in OVERDUE:
        subscription.past_due_since = subscription.past_due_since or _moment(created)
    else:
        subscription.past_due_since = None
    if obj.get("trial_end"):
        subscription.trial_ends_at = _moment(obj["trial_end"])
    end = obj.get("current_period_end") or (items[0].get("current_period_end") if items else None)
    if end:
        subscription.current_period_end = _moment(end)
    subscription.stripe_state_at = created
    subscription.save()
    _sync_association_plan(subscription)
    return "status"


def _code_of(stripe_plan_id: str) -> str:
    match = re.fullmatch(r"tszh-(.+)-monthly", stripe_plan_id or "")
    return match.group(1) if match else ""


def _mirror_invoice(subscription: Subscription, obj: dict) -> PlanInvoice:
    stripe_id = obj["id"]
    lines = ((obj.get("lines") or {}).get("data")) or []
    period = (lines[0].get("period") if lines else None) or {}
    start = _moment(period.get("start") or obj.get("period_start") or obj.get("created"))
    end = _moment(period.get("end") or obj.get("period_end") or obj.get("created"))
    now = timezone.now()
    invoice, _made = PlanInvoice.objects.get_or_create(
        stripe_invoice_id=stripe_id,
        defaults={
            "association_id": subscription.association_id,
            "kind": InvoiceKind.STRIPE,
            "number": (obj.get("number") or stripe_id)[:40],
            "plan": subscription.plan,
            "amount": gateway.to_roubles(obj.get("amount_due") or 0),
            "period_start": (start or now).date(),
            "period_end": (end or now).date(),
            "issued_at": _moment(obj.get("created")) or now,
            "hosted_url": (obj.get("hosted_invoice_url") or "")[:500],
        },
    )
    return invoice


def _on_invoice_paid(subscription: Subscription, obj: dict, created: int) -> str:
    invoice = _mirror_invoice(subscription, obj)
    amount = gateway.to_roubles(obj.get("amount_paid") or obj.get("amount_due") or 0)
    if amount > 0:
        _record_payment(
            invoice,
            amount=amount,
            source=PaymentSource.STRIPE,
            external_id=f"stripe:{obj['id']}",
            when=_moment(created),
        )
    elif invoice.status != InvoiceStatus.PAID:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = _moment(created)
        invoice.save(update_fields=["status", "paid_at"])
    if created >= subscription.stripe_state_at:
        lines = ((obj.get("lines") or {}).get("data")) or []
        end = ((lines[0].get("period") or {}).get("end")) if lines else None
        _restore(subscription, until=_moment(end))
        subscription.stripe_state_at = created
        subscription.save()
    return "paid"


def _on_invoice_failed(subscription: Subscription, obj: dict, created: int) -> str:
    _mirror_invoice(subscription, obj)
    if created < subscription.stripe_state_at:
        return "older"
    if subscription.status not in OVERDUE:
        subscription.status = SubscriptionStatus.PAST_DUE
    subscription.past_due_since = subscription.past_due_since or _moment(created)
    subscription.stripe_state_at = created
    subscription.save()
    return "failed"


def _on_invoice_seen(subscription: Subscription, obj: dict, created: int) -> str:
    _mirror_invoice(subscription, obj)
    return "invoice"


def _on_checkout_completed(subscription: Subscription, obj: dict, created: int) -> str:
    setup_intent = obj.get("setup_intent")
    if setup_intent and gateway.enabled():
        try:
            gateway.set_default_payment_method(
                customer_id=subscription.stripe_customer_id, setup_intent_id=setup_intent
            )
        except gateway.GatewayError:
            logger.warning("plans: could not set the default card (event kept)")
    subscription.payment_method = PaymentMethod.STRIPE
    subscription.save(update_fields=["payment_method", "updated_at"])
    return "card"


HANDLERS = {
    "customer.subscription.created": _on_subscription,
    "customer.subscription.updated": _on_subscription,
    "customer.subscription.deleted": _on_subscription,
    "invoice.created": _on_invoice_seen,
    "invoice.finalized": _on_invoice_seen,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_succeeded": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_failed,
    "checkout.session.completed": _on_checkout_completed,
}


# -- warnings ------------------------------------------------------------------------------------

WARN_EVERY = datetime.timedelta(days=3)


def associations_to_warn(now=None) -> list[tuple[int, str]]:
    """(association id, schema) of the overdue associations not warned for ``WARN_EVERY``."""
    from billing.plans import state

    now = now or timezone.now()
    found = []
    for subscription in Subscription.objects.select_related("plan", "association"):
        if not state.compute(subscription, now=now).overdue:
            continue
        if subscription.last_warned_at and now - subscription.last_warned_at < WARN_EVERY:
            continue
        found.append((subscription.association_id, subscription.association.schema_name))
    return found


def mark_warned(association_id, now=None) -> None:
    Subscription.objects.filter(association_id=association_id).update(
        last_warned_at=now or timezone.now()
    )
