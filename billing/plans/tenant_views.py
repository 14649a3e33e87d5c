"""The chairman's page of the association's plan: the plan, premises against its limit, the next
invoice, the invoices, changing the plan and paying (card through Stripe Checkout, reached by a
redirect so the portal's Content-Security-Policy stays strict; or a счёт for bank transfer).

The board and the accountant read it (the overdue banner links here); the chairman changes.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.plans import documents, gateway, selectors, services, state
from billing.plans.forms import ChangePlanForm
from billing.plans.models import InvoiceKind, InvoiceStatus
from core.access.decorators import role_required
from core.access.roles import BOARD, Role, has_role
from core.ui.refusals import act, submit

READERS = (*BOARD, Role.ACCOUNTANT)


def _context(request, form=None):
    association = request.tenant
    subscription = services.subscription_for(association)
    premises = selectors.premises_count()
    billing = state.compute(subscription, premises=premises)
    card = gateway.enabled()
    upcoming = None
    if card and subscription.stripe_subscription_id:
        upcoming = gateway.upcoming_amount(
            customer_id=subscription.stripe_customer_id,
            subscription_id=subscription.stripe_subscription_id,
        )
    plans = selectors.public_plans()
    return {
        "subscription": subscription,
        "billing": billing,
        "plans": plans,
        "suggested": selectors.next_plan_for(premises or 0, current=subscription.plan)
        if billing.over_limit
        else None,
        "invoices": list(selectors.invoices_of(association)[:24]),
        "open_invoice": selectors.open_invoice(association),
        "upcoming": upcoming,
        "card": card,
        "can_change": has_role(request.user, Role.CHAIRMAN),
        "form": form or ChangePlanForm(card=card, initial={"plan": subscription.plan.code}),
        "preview": None,
    }


@role_required(*READERS)
@require_GET
def index(request):
    context = _context(request)
    wanted = request.GET.get("preview", "")
    if wanted and context["card"]:
        context["preview"] = services.preview_change(request.tenant, wanted)
        context["preview_plan"] = selectors.plan_by_code(wanted)
    return render(request, "plans/index.html", context)


@role_required(Role.CHAIRMAN)
@require_POST
def change(request):
    form = ChangePlanForm(request.POST, card=gateway.enabled())
    premises = selectors.premises_count()
    return submit(
        request,
        form,
        lambda: services.choose_plan(
            request.tenant,
            plan_code=form.cleaned_data["plan"],
            method=form.cleaned_data.get("method") or "invoice",
            actor=request.user,
            premises=premises,
        ),
        done=_("The plan is changed."),
        then=reverse("plans:index"),
    ) or render(request, "plans/index.html", _context(request, form))


@role_required(Role.CHAIRMAN)
@require_POST
def card(request):
    """To Stripe Checkout (a redirect), to give the card the plan's invoices are charged to."""
    page = request.build_absolute_uri(reverse("plans:index"))
    outcome = {}

    def go():
        outcome["url"] = services.checkout_url(
            request.tenant, success_url=f"{page}?card=done", cancel_url=page
        )

    response = act(request, go, then=reverse("plans:index"))
    if "url" in outcome:
        return HttpResponseRedirect(outcome["url"])
    return response


def _bank_invoice(request, pk):
    invoice = selectors.invoice_of(request.tenant, pk)
    if invoice is None or invoice.kind != InvoiceKind.BANK:
        raise Http404
    return invoice


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*READERS)
@require_GET
def invoice_pdf(request, pk):
    invoice = _bank_invoice(request, pk)
    return _pdf(documents.invoice_pdf(invoice), f"schet-{invoice.number}.pdf")


@role_required(*READERS)
@require_GET
def act_pdf(request, pk):
    invoice = _bank_invoice(request, pk)
    if invoice.status != InvoiceStatus.PAID:
        raise Http404
    return _pdf(documents.act_pdf(invoice), f"akt-{invoice.number}.pdf")
