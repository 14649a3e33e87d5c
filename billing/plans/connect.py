"""The platform's one Stripe Connect webhook endpoint (public site,
``/billing/stripe/connect/webhook/``), and the table it routes by (docs/payments.md).

Stripe sends every connected account's events (members' payments, refunds, ``account.updated``)
to one endpoint of the platform, naming the account in the event's ``account``:

* the signature is checked on the **raw body** with the endpoint's own secret
  (``STRIPE_CONNECT_WEBHOOK_SECRET``, not the plans' ``STRIPE_WEBHOOK_SECRET``): bad or
  missing → 400, nothing stored;
* the event is stored once under its id (``WebhookEvent``, provider ``stripe_connect``, unique
  with the id; a duplicate answers 200 and queues nothing), trimmed to what the payments need
  (ids, amounts, statuses, our metadata: no payer's name, e-mail or card);
* a Celery task (``plans.process_connect_event``, the event's id only) finds the association
  owning the account (``ConnectedAccount``) and hands the event to the members' payments
  inside that association's schema through their declared hook ``payments.connect_event``
  (a shared app imports no tenant app); an account nobody owns: the event stays, **flagged**
  ``unknown_account`` (listed on the console), nothing is posted anywhere.

The table is kept by the association's side through the hook this app declares,
``plans.connect_account`` (``register_account``), run in the association's schema.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from billing.plans import gateway
from billing.plans.models import ConnectedAccount, WebhookEvent
from core import relay
from core.extensions import operator_hook

logger = logging.getLogger(__name__)

PROVIDER = "stripe_connect"
MAX_BODY = 512 * 1024
#: The members' payments' hook that takes a Connect event in the association's schema.
CONNECT_EVENT_HOOK = "payments.connect_event"
UNKNOWN_ACCOUNT = "unknown_account"

#: What of an event's object is kept (and handed on): ids, amounts, statuses, our metadata.
OBJECT_KEYS = (
    "id",
    "object",
    "amount",
    "amount_received",
    "currency",
    "status",
    "payment_intent",
    "metadata",
    "charges_enabled",
    "details_submitted",
    "payouts_enabled",
)


def trimmed(event: dict) -> dict:
    """The event with only what the payments read: nothing personal is kept in the public
    schema (a PaymentIntent may carry a receipt e-mail, a charge the payer's details)."""
    obj = (event.get("data") or {}).get("object") or {}
    kept = {key: obj[key] for key in OBJECT_KEYS if key in obj}
    if isinstance(kept.get("payment_intent"), dict):
        kept["payment_intent"] = kept["payment_intent"].get("id", "")
    error = obj.get("last_payment_error") or {}
    if error:
        kept["last_payment_error"] = {
            key: error[key] for key in ("code", "decline_code") if error.get(key)
        }
    return {
        "id": str(event["id"]),
        "type": str(event.get("type", "")),
        "created": int(event.get("created") or 0),
        "account": str(event.get("account") or ""),
        "livemode": bool(event.get("livemode")),
        "data": {"object": kept},
    }


@csrf_exempt
@require_POST
def connect_webhook(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        event = gateway.verify_event(
            request.body,
            request.META.get("HTTP_STRIPE_SIGNATURE", ""),
            secret_setting="STRIPE_CONNECT_WEBHOOK_SECRET",
        )
    except ValueError:
        logger.info("connect: webhook refused (signature)")
        return HttpResponse(status=400)
    _stored, new = store(event)
    return JsonResponse({"received": True, "duplicate": not new})


def store(event: dict) -> tuple[WebhookEvent, bool]:
    """Keep a verified Connect event once (unique provider + id); queue it after the commit."""
    payload = trimmed(event)
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=PROVIDER,
                event_id=payload["id"][:120],
                type=payload["type"][:100],
                created=payload["created"],
                payload=payload,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(provider=PROVIDER, event_id=payload["id"][:120]), False
    transaction.on_commit(lambda: _queue(stored.pk))
    return stored, True


def _queue(event_pk) -> None:
    """A broker that is down keeps the job for the relay (core.relay)."""
    from billing.plans import tasks

    relay.send(tasks.process_connect_event, event_pk)


def process(event_pk) -> str:
    """Route one stored Connect event (the task's body): to the association owning its
    account, in that association's schema; flagged when nobody owns it. Safe to run again."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk, provider=PROVIDER)
        if event.processed_at is not None:
            return "done"
        account = event.payload.get("account") or ""
        owner = (
            ConnectedAccount.objects.select_related("association")
            .filter(account_id=account)
            .first()
            if account
            else None
        )
        if owner is None:
            event.flag = UNKNOWN_ACCOUNT
            outcome = "flagged"
        else:
            event.association_id = owner.association_id
            with schema_context(owner.association.schema_name):
                outcome = str(operator_hook(CONNECT_EVENT_HOOK)(event.payload))
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at", "flag", "association"])
    return outcome


# -- the hook the association's side runs --------------------------------------------------------


def register_account(account_id: str) -> ConnectedAccount:
    """The current association (run in its schema) owns ``account_id``: its Connect events are
    routed to it from now on. An account another association owns is refused."""
    association = connection.tenant
    account_id = (account_id or "").strip()
    if not account_id.startswith("acct_") or getattr(association, "pk", None) is None:
        raise ValidationError(_("Enter the association's connected account (acct_…)."))
    with transaction.atomic():
        row = ConnectedAccount.objects.select_for_update().filter(account_id=account_id).first()
        if row is not None and row.association_id != association.pk:
            raise ValidationError(
                {"stripe_account": _("This Stripe account belongs to another association.")}
            )
        if row is None:
            row = ConnectedAccount.objects.create(account_id=account_id, association=association)
    return row
