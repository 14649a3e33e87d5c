"""The platform's Stripe webhook endpoint (public site, ``/billing/stripe/webhook/``).

The signature is checked on the raw body with the endpoint's own secret
(``STRIPE_WEBHOOK_SECRET``, the stripe library's verifier); a bad one is a 400 and nothing is
stored. A good event is stored once under its id (a unique constraint) and acted on in a Celery
task; a duplicate is a 200 that stores and does nothing again. The body is never logged.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.plans import gateway, services

logger = logging.getLogger(__name__)
MAX_BODY = 512 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        event = gateway.verify_event(request.body, request.META.get("HTTP_STRIPE_SIGNATURE", ""))
    except ValueError:
        logger.info("plans: webhook refused (signature)")
        return HttpResponse(status=400)
    stored, new = services.store_event(event)
    return JsonResponse({"received": True, "duplicate": not new})
