"""Online payments' pages: a member pays (form → confirmation → the provider → the outcome),
the accountant reads payments, flagged notifications and reconciliations and refunds, the board
chooses the provider; and the providers' webhooks.

Thin: the services decide and refuse (``core.ui.refusals``); the selectors scope what a reader
sees (someone else's account or payment is a 404)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from billing.payments import forms, selectors, services, tokens
from billing.payments.declaration import PAYMENT_KEEPERS
from billing.payments.models import Provider, Status
from billing.payments.providers import provider_for
from billing.payments.providers.base import BadSignature
from billing.payments.providers.test import HEADER as TEST_HEADER
from billing.payments.providers.test import sign
from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES, Role, has_role
from core.sensitive import sensitive_post
from core.ui.refusals import act, attempt, show_refusal, submit

logger = logging.getLogger(__name__)


# -- a member pays ------------------------------------------------------------------------------


@role_required(*MEMBER_ROLES)
def pay(request, pk):
    access = selectors.payable_account(request.user, pk)
    due, months, balance = selectors.amount_due(access)
    provider = selectors.active_provider()
    form = forms.PayForm(
        request.POST or None, months=months, initial={"amount": f"{due:.2f}" if due else ""}
    )
    answer = submit(
        request,
        form,
        lambda: services.start_payment(
            actor=request.user,
            account_id=access.account.pk,
            amount=form.cleaned_data["amount"],
            named_period=form.cleaned_data["period"],
        ),
        then=lambda payment: reverse("payments:payment", args=[payment.pk]),
        enabled=bool(provider),
    )
    if answer is not None:
        return answer
    return render(
        request,
        "payments/pay.html",
        {
            "access": access,
            "form": form,
            "due": due,
            "balance": balance,
            "provider": provider,
            "provider_label": Provider(provider).label if provider else "",
            "payments": selectors.payments_of(access),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(*(MEMBER_ROLES | ACCOUNT_READERS))
def payment(request, pk):
    found = selectors.payment_for(request.user, pk)
    return render(
        request,
        "payments/payment.html",
        {
            "payment": found,
            "mine": found.created_by_id == request.user.pk,
            "waiting": found.status == Status.PENDING,
            "provider_label": Provider(found.provider).label if found.provider else "",
        },
    )


@role_required(*MEMBER_ROLES)
@require_POST
def confirm(request, pk):
    found = selectors.payment_for(request.user, pk)
    outcome = attempt(
        lambda: services.checkout(
            actor=request.user,
            payment=found,
            return_url=request.build_absolute_uri(
                reverse("payments:return", args=[found.pk, tokens.make_token(found.pk)])
            ),
            notification_url=request.build_absolute_uri(
                reverse(f"payments:webhook-{_endpoint(found.provider)}")
            ),
        )
    )
    if outcome.refused:
        messages.error(request, outcome.message)
        return redirect("payments:payment", pk=found.pk)
    if outcome.result is None:  # the provider did not answer: the payment waits
        messages.warning(
            request,
            _(
                "The payment service did not answer in time. Your payment is waiting: try "
                "again in a few minutes; you will not be charged twice."
            ),
        )
        return redirect("payments:payment", pk=found.pk)
    return redirect(outcome.result)


@role_required(*MEMBER_ROLES)
@require_GET
def payment_return(request, pk, token):
    """The provider sends the member back here. A link made for this association (its schema
    is in the token's salt) asks the provider where the payment stands, so the outcome shows
    even before the notification arrives; any other token is a 404 that changes nothing."""
    if not tokens.check_token(token, pk):
        raise Http404
    found = selectors.payment_for(request.user, pk)
    if found.created_by_id != request.user.pk:
        raise Http404
    services.payment_returned(payment=found)
    return redirect("payments:payment", pk=found.pk)


def _endpoint(provider: str) -> str:
    return {"stripe_connect": "stripe", "tbank": "tbank"}.get(provider, "test")


@role_required(*MEMBER_ROLES)
def test_checkout(request, pk):
    """The test provider's "bank page" (no money moves): pay, decline or cancel."""
    found = selectors.payment_for(request.user, pk)
    if found.provider != Provider.TEST or found.created_by_id != request.user.pk:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        kinds = {"pay": "succeeded", "decline": "failed", "cancel": "cancelled"}
        if action not in kinds:
            return HttpResponseBadRequest(_("Choose what the bank answers."))
        provider = provider_for(selectors.settings_row(), Provider.TEST)
        body = provider.body(found, kinds[action], event_id=f"test-{found.pk}-{action}")
        try:
            events, _new = services.receive(
                Provider.TEST, body, {TEST_HEADER: sign(body, provider.secret)}
            )
        except BadSignature:
            return HttpResponseBadRequest(_("Online payment is off in this association."))
        # Local provider: no need to wait for the queue (the task would do the same).
        for event in events:
            services.process_event(event.pk)
        return redirect("payments:payment", pk=found.pk)
    return render(request, "payments/test_checkout.html", {"payment": found})


# -- the accountant and the board ---------------------------------------------------------------


@role_required(*ACCOUNT_READERS)
def board(request):
    return render(
        request,
        "payments/board.html",
        {
            "payments": selectors.payments_visible_to(request.user, limit=100),
            "flagged": selectors.flagged_events(),
            "reconciliations": selectors.latest_reconciliations(),
            "provider": selectors.active_provider(),
            "keeps": has_role(request.user, *PAYMENT_KEEPERS),
        },
    )


@role_required(*PAYMENT_KEEPERS)
@require_POST
def reconcile(request):
    return act(
        request,
        lambda: services.reconcile(),
        done=_("Compared with the payment service."),
        then=reverse("payments:board"),
    )


@role_required(*PAYMENT_KEEPERS)
def refund(request, pk):
    found = selectors.payment_for(request.user, pk)
    form = forms.RefundForm(
        request.POST or None, initial={"amount": f"{found.amount - found.refunded:.2f}"}
    )
    return submit(
        request,
        form,
        lambda: services.refund(
            actor=request.user,
            payment=found,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        ),
        done=_("The refund is asked for; the account shows it once the payment service confirms."),
        then=reverse("payments:board"),
    ) or render(request, "payments/refund.html", {"payment": found, "form": form})


@sensitive_post
@role_required(*BOARD)
def settings_page(request):
    row = selectors.settings_row()
    form = forms.SettingsForm(
        request.POST or None,
        initial={
            "provider": row.provider if row else "",
            "stripe_account": row.stripe_account if row else "",
            "tbank_terminal_key": row.tbank_terminal_key if row else "",
        },
    )
    answer = submit(
        request,
        form,
        lambda: services.save_settings(actor=request.user, **form.cleaned_data),
        done=_("Saved."),
        then=reverse("payments:settings"),
    )
    if answer is not None:
        return answer
    return render(
        request,
        "payments/settings.html",
        {
            "form": form,
            "row": row,
            "stripe_state": row.stripe_state if row else "not_started",
            "may_connect": has_role(request.user, Role.CHAIRMAN),
            "endpoints": {
                name: request.build_absolute_uri(reverse(f"payments:webhook-{name}"))
                for name in ("stripe", "tbank")
            },
        },
    )


def _onboarding(request):
    """Stripe's onboarding form for the association's connected account (made on the first
    press), coming back to the settings page; refused: back to the settings with the reason."""
    settings_url = reverse("payments:settings")
    outcome = attempt(
        lambda: services.connect_stripe(
            actor=request.user,
            return_url=request.build_absolute_uri(settings_url + "?stripe=return"),
            refresh_url=request.build_absolute_uri(reverse("payments:stripe-refresh")),
        )
    )
    if outcome.refused:
        messages.error(request, outcome.message)
        return redirect(settings_url)
    return redirect(outcome.result)


@role_required(Role.CHAIRMAN)
@require_POST
def stripe_connect(request):
    """The chairman presses "Connect with Stripe" (audited by the service)."""
    return _onboarding(request)


@role_required(Role.CHAIRMAN)
@require_GET
def stripe_refresh(request):
    """Stripe's ``refresh_url``: the link expired or was used; a fresh one (the same account)."""
    return _onboarding(request)


# -- webhooks -----------------------------------------------------------------------------------


def _webhook(request, provider: str, ok):
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    try:
        _events, new = services.receive(provider, request.body, request.headers)
    except BadSignature as error:
        logger.warning("webhook %s refused: %s", provider, error)
        return HttpResponseBadRequest("bad signature")
    except Exception:
        logger.exception("webhook %s could not be stored", provider)
        return HttpResponse(status=503)
    return ok(new)


@csrf_exempt
def webhook_stripe(request):
    return _webhook(request, Provider.STRIPE, lambda new: JsonResponse({"received": True}))


@csrf_exempt
def webhook_tbank(request):
    # The bank wants the two letters "OK" in the body, or it sends the notification again.
    return _webhook(
        request, Provider.TBANK, lambda new: HttpResponse("OK", content_type="text/plain")
    )


@csrf_exempt
def webhook_test(request):
    return _webhook(request, Provider.TEST, lambda new: JsonResponse({"received": True}))


__all__ = ["show_refusal"]
