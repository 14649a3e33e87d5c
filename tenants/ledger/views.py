"""The ledger's pages: a member's money ("My home" → each account, each charge explained), the
accountant's accruals (services, tariffs, runs, closing a month), the chairman's finances.

Thin: the services decide and refuse (``core.ui.refusals``), the selectors scope what a reader
sees (someone else's account or entry is a 404)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES, has_role
from core.ui.refusals import act, submit
from tenants.ledger import forms, selectors, services
from tenants.ledger import reconciliation as reconciliation_statement
from tenants.ledger.declaration import LEDGER_KEEPERS

READERS = ACCOUNT_READERS | MEMBER_ROLES


def _keeps(user) -> bool:
    return has_role(user, *LEDGER_KEEPERS)


@role_required(*READERS)
def home(request):
    accounts = selectors.accounts_visible_to(request.user)
    if selectors.reads_all(request.user):
        accounts = accounts[:0]
    pages = [selectors.account_page(access) for access in accounts]
    return render(request, "ledger/home.html", {"pages": pages})


def _statement_months(page) -> tuple[str, str]:
    """The reconciliation form's default months: the year up to the last month charged."""
    months = [m.period for m in page.months]
    if not months:
        today = timezone.localdate().replace(day=1)
        return today.strftime("%Y-%m"), today.strftime("%Y-%m")
    return min(months[:12] or months).strftime("%Y-%m"), max(months).strftime("%Y-%m")


def _months_html(page) -> str:
    """The "month by month" part of the account page: a year of a dozen services' lines, the
    page's costliest part to render, kept in the cache under the key that names its entries
    and language (``selectors.months_cache_key``: a new entry is a new key)."""
    key = selectors.months_html_key(page.cache_key)
    html = page.months_html  # read with the months (``selectors.account_page``)
    if html is None:
        html = render_to_string("ledger/_months.html", {"page": page})
        if page.cache_key:
            cache.set(key, html, selectors.MONTHS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered


def _account_page(request, access, *, refusal: str = "", status: int = 200):
    page = selectors.account_page(access)
    first, last = _statement_months(page)
    context = {
        "page": page,
        "months_html": _months_html(page),
        "statement_from": request.GET.get("from") or first,
        "statement_to": request.GET.get("to") or last,
        "refusal": refusal,
    }
    return render(request, "ledger/account.html", context, status=status)


@role_required(*READERS)
def account(request, pk):
    return _account_page(request, selectors.account_for(request.user, pk))


@role_required(*READERS)
def reconciliation(request, pk):
    """The reconciliation statement (акт сверки) of an account for the chosen months, as a PDF
    or an Excel workbook; a bad period answers the account page with the reason (400)."""
    access = selectors.account_for(request.user, pk)
    try:
        first, last = reconciliation_statement.months_between(
            request.GET.get("from", ""), request.GET.get("to", "")
        )
    except ValidationError as refusal:
        return _account_page(request, access, refusal=" ".join(refusal.messages), status=400)
    statement = reconciliation_statement.build(access, first, last)
    name = f"akt-sverki-{statement.account_number}-{first:%Y-%m}-{last:%Y-%m}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reconciliation_statement.workbook(statement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(
            reconciliation_statement.render_pdf(statement), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*READERS)
def entry(request, pk):
    found = selectors.entry_for(request.user, pk)
    return render(request, "ledger/entry.html", {"entry": found, "lines": selectors.explain(found)})


@role_required(*ACCOUNT_READERS)
def accruals(request):
    return render(
        request,
        "ledger/accruals.html",
        {
            "services": selectors.services_with_tariffs(),
            "runs": selectors.runs_visible_to(request.user)[:24],
            "periods": selectors.periods(),
            "month_form": forms.MonthForm(),
            "keeps": _keeps(request.user),
        },
    )


@role_required(*ACCOUNT_READERS)
def finances(request):
    totals = selectors.totals_by_month()
    months = [selectors.Month(t.period, charged=t.charged, paid=t.paid) for t in totals]
    return render(
        request,
        "ledger/finances.html",
        {"totals": totals, "bars": selectors.chart(months), "chart_height": selectors.CHART_HEIGHT},
    )


@role_required(*LEDGER_KEEPERS)
def service_add(request):
    form = forms.ServiceForm(request.POST or None)
    return submit(
        request,
        form,
        lambda: services.create_service(actor=request.user, **form.cleaned_data),
        done=_("The service is added."),
        then=lambda s: reverse("ledger:service", args=[s.pk]),
    ) or render(request, "ledger/service_form.html", {"form": form}, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@role_required(*ACCOUNT_READERS)
def service(request, pk):
    found = selectors.service_for(request.user, pk)
    keeps = _keeps(request.user)
    form = forms.TariffForm(request.POST or None) if keeps else None
    if request.method == "POST" and not keeps:
        raise PermissionDenied
    done = form is not None and submit(
        request,
        form,
        lambda: services.add_tariff(actor=request.user, service=found, **form.cleaned_data),
        done=_("The tariff is added."),
        then=reverse("ledger:service", args=[found.pk]),
    )
    return done or render(
        request,
        "ledger/service.html",
        {"service": found, "tariffs": found.tariffs.order_by("-valid_from"), "form": form},
        status=_status(form) if form is not None else 200,
    )


@role_required(*LEDGER_KEEPERS)
@require_POST
def run_start(request):
    form = forms.MonthForm(request.POST)
    month = form.cleaned_data["month"] if form.is_valid() else None

    def start():
        if month is None:
            raise ValidationError(_("Choose a month."))
        return services.start_run(month, actor=request.user)

    return act(
        request,
        start,
        done=_("The run is started: its preview is being calculated."),
        then=lambda run: reverse("ledger:run", args=[run.pk]),
        refused=reverse("ledger:accruals"),
    )


@role_required(*ACCOUNT_READERS)
def run(request, pk):
    found = selectors.run_for(request.user, pk)
    return render(request, "ledger/run.html", {"run": found, "keeps": _keeps(request.user)})


@role_required(*ACCOUNT_READERS)
def run_progress(request, pk):
    found = selectors.run_for(request.user, pk)
    return render(request, "ledger/_run_progress.html", {"run": found})


@role_required(*LEDGER_KEEPERS)
@require_POST
def run_confirm(request, pk):
    found = selectors.run_for(request.user, pk)
    return act(
        request,
        lambda: services.confirm_run(found.pk, actor=request.user),
        done=_("The charges are being posted."),
        then=reverse("ledger:run", args=[found.pk]),
    )


@role_required(*LEDGER_KEEPERS)
@require_POST
def run_discard(request, pk):
    found = selectors.run_for(request.user, pk)
    return act(
        request,
        lambda: services.discard_run(found.pk, actor=request.user),
        done=_("The run is discarded."),
        then=reverse("ledger:accruals"),
    )


@role_required(*LEDGER_KEEPERS)
@require_POST
def period_close(request):
    form = forms.MonthForm(request.POST)
    month = form.cleaned_data["month"] if form.is_valid() else None

    def close():
        if month is None:
            raise ValidationError(_("Choose a month."))
        return services.close_period(month, actor=request.user)

    return act(request, close, done=_("The month is closed."), then=reverse("ledger:accruals"))
