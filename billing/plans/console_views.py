"""The operators' billing pages: each association's plan and billing state, granting a plan,
extending a trial, issuing a счёт, confirming a bank transfer, matching the platform's bank
statement, and the provider's events flagged for a look. Every change is audited in the
console's audit log (``core.audit``, public schema)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.plans import gateway, selectors, services, state
from billing.plans.forms import ExtendTrialForm, GrantPlanForm, StatementForm
from billing.plans.models import PlanInvoice, WebhookEvent
from core.access.decorators import operator_required
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit


def _association(pk: int):
    from console.selectors import association_for_console

    association = association_for_console(pk)
    if association is None:
        raise Http404
    return association


@operator_required
@require_GET
def index(request):
    from console.selectors import console_associations

    subscriptions = {s.association_id: s for s in selectors.subscriptions_for_console()}
    rows = []
    for association in console_associations().order_by("name", "pk"):
        subscription = subscriptions.get(association.pk)
        rows.append(
            {
                "association": association,
                "subscription": subscription,
                "state": state.compute(subscription) if subscription else None,
            }
        )
    flagged = WebhookEvent.objects.exclude(flag="").order_by("-received_at")[:20]
    return render(
        request,
        "plans/console/index.html",
        {"rows": rows, "flagged": flagged, "card": gateway.enabled(), "form": StatementForm()},
    )


def _detail(request, association, *, grant_form=None, trial_form=None):
    subscription = services.subscription_for(association)
    return render(
        request,
        "plans/console/association.html",
        {
            "a": association,
            "subscription": subscription,
            "state": state.compute(subscription),
            "invoices": list(selectors.invoices_of(association)[:50]),
            "grant_form": grant_form or GrantPlanForm(initial={"plan": subscription.plan.code}),
            "trial_form": trial_form or ExtendTrialForm(),
            "card": gateway.enabled(),
        },
    )


@operator_required
@require_GET
def association(request, pk):
    return _detail(request, _association(pk))


def _back(association) -> str:
    return reverse("plans_console:association", kwargs={"pk": association.pk})


@operator_required
@require_POST
def grant(request, pk):
    association = _association(pk)
    form = GrantPlanForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.grant_plan(
            association,
            plan_code=form.cleaned_data["plan"],
            until=form.cleaned_data["until"],
            actor=request.user,
        ),
        done=_("The plan is granted."),
        then=_back(association),
    ) or _detail(request, association, grant_form=form)


@operator_required
@require_POST
def trial(request, pk):
    association = _association(pk)
    form = ExtendTrialForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.extend_trial(
            association, days=form.cleaned_data["days"], actor=request.user
        ),
        done=_("The trial is extended."),
        then=_back(association),
    ) or _detail(request, association, trial_form=form)


@operator_required
@require_POST
def issue_invoice(request, pk):
    association = _association(pk)
    return act(
        request,
        lambda: services.issue_bank_invoice(association),
        done=_("The invoice is issued."),
        then=_back(association),
    )


@operator_required
@require_POST
def confirm(request, pk):
    invoice = PlanInvoice.objects.select_related("association").filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return act(
        request,
        lambda: services.confirm_bank_payment(
            invoice, actor=request.user, reference=request.POST.get("reference", "")
        ),
        done=_("The payment is confirmed."),
        then=_back(invoice.association),
    )


@sensitive_post  # a statement's purposes may name a person paying for the association
@operator_required
@require_POST
def statement(request):
    form = StatementForm(request.POST)
    outcome = {}

    def match():
        outcome["paid"], outcome["unmatched"] = services.match_statement(
            form.cleaned_data["lines"], actor=request.user
        )

    submit(request, form, match, then=reverse("plans_console:index"))
    if "paid" not in outcome:
        return render(
            request,
            "plans/console/statement.html",
            {"form": form, "paid": [], "unmatched": []},
            status=200,
        )
    return render(
        request,
        "plans/console/statement.html",
        {"form": StatementForm(), "paid": outcome["paid"], "unmatched": outcome["unmatched"]},
    )
