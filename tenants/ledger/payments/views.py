"""The payment and penalty pages: payments entered by hand, bank statements (upload → preview
→ confirm), the queue of payments waiting for a person, debtors (filters, Excel), instalment
plans, the printable penalty calculation and the court-order package of an account.

The accountant keeps them (``LEDGER_KEEPERS``); the board reads them (``ACCOUNT_READERS``), a
chairman or board member gets 403 on anything that writes. Thin: the services decide and refuse
(``core.ui.refusals``); members see their payments on their own account page (the journal).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, has_role
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit
from core.uploads import upload_too_large
from tenants.ledger.declaration import LEDGER_KEEPERS
from tenants.ledger.payments import forms, selectors, services
from tenants.ledger.payments.matching import AMBIGUOUS, MAYBE_ONLINE, NO_ACCOUNT, OTHER_RECIPIENT


def _keeps(user) -> bool:
    return has_role(user, *LEDGER_KEEPERS)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _account(number: str, field: str = "account"):
    account = selectors.account_by_number(number)
    if account is None:
        raise ValidationError({field: _("There is no personal account with this number.")})
    return account


def reason_labels() -> dict[str, str]:
    return {
        NO_ACCOUNT: _("No known personal account in the purpose of payment"),
        AMBIGUOUS: _("The purpose names more than one personal account"),
        OTHER_RECIPIENT: _("The money went to another recipient (ИНН or bank account)"),
        MAYBE_ONLINE: _("May be an online payment already posted: check before assigning"),
    }


# -- payments -----------------------------------------------------------------------------------


@role_required(*ACCOUNT_READERS)
def payments(request):
    context = {
        "payments": selectors.recent_payments(),
        "queued": selectors.queue().count(),
        "keeps": _keeps(request.user),
    }
    return render(request, "ledger/payments/index.html", context)


@role_required(*LEDGER_KEEPERS)
@require_http_methods(["GET", "POST"])
def payment_add(request):
    form = forms.PaymentForm(request.POST or None, initial={"paid_on": timezone.localdate()})

    def record():
        data = form.cleaned_data
        return services.record_payment(
            actor=request.user,
            account=_account(data["account"]),
            amount=data["amount"],
            paid_on=data["paid_on"],
            source=data["source"],
            source_id=data["source_id"],
            named_period=data["named_period"],
        )

    return submit(
        request,
        form,
        record,
        done=_("The payment is recorded and posted."),
        then=reverse("ledger:payments"),
    ) or render(request, "ledger/payments/add.html", {"form": form}, status=_status(form))


# -- bank statements ----------------------------------------------------------------------------


@sensitive_post
@csrf_exempt  # checked by ``_statement_form`` once the upload limit is in place
@role_required(*LEDGER_KEEPERS)
@require_http_methods(["GET", "POST"])
def statement_upload(request):
    """The CSRF check reads the body: it waits until the size limit is in place (else the
    upload is parsed without it and the limit cannot be added: a 500)."""
    if request.method == "POST" and upload_too_large(request, forms.STATEMENT_LIMIT):
        form = forms.StatementForm({}, {})
        form.full_clean()
        form.errors.clear()
        form.add_error(
            "file",
            _("The file is too large: a bank statement may be at most %(size)d MB.")
            % {"size": forms.STATEMENT_LIMIT // (1024 * 1024)},
        )
        return render(request, "ledger/payments/upload.html", {"form": form}, status=413)
    return _statement_form(request)


@csrf_protect
def _statement_form(request):
    form = forms.StatementForm(request.POST or None, request.FILES or None)

    def preview():
        upload = form.cleaned_data["file"]
        return services.preview_statement(
            actor=request.user, data=upload.read(), filename=upload.name or ""
        )

    return submit(
        request,
        form,
        preview,
        then=lambda statement: reverse("ledger:statement", args=[statement.pk]),
    ) or render(request, "ledger/payments/upload.html", {"form": form}, status=_status(form))


@role_required(*ACCOUNT_READERS)
def statement(request, pk):
    found = selectors.statement_for(pk)
    labels = reason_labels()
    rows = [
        {**row, "reason_label": labels.get(row.get("reason"), row.get("reason"))}
        for row in (found.rows or [])
    ]
    context = {
        "statement": found,
        "matched": [r for r in rows if not r["duplicate"] and not r["reason"]],
        "waiting": [r for r in rows if not r["duplicate"] and r["reason"]],
        "duplicates": [r for r in rows if r["duplicate"]],
        "keeps": _keeps(request.user),
    }
    return render(request, "ledger/payments/statement.html", context)


@role_required(*LEDGER_KEEPERS)
@require_POST
def statement_confirm(request, pk):
    found = selectors.statement_for(pk)
    return act(
        request,
        lambda: services.confirm_statement(actor=request.user, statement=found),
        done=_(
            "The bank statement is imported: matched payments are posted, the rest wait in "
            "the queue."
        ),
        then=reverse("ledger:statement", args=[found.pk]),
    )


# -- the queue ----------------------------------------------------------------------------------


@role_required(*ACCOUNT_READERS)
def queue(request):
    labels = reason_labels()
    rows = [(p, labels.get(p.queue_reason, p.queue_reason)) for p in selectors.queue()]
    context = {"rows": rows, "keeps": _keeps(request.user), "form": forms.AssignForm()}
    return render(request, "ledger/payments/queue.html", context)


@role_required(*LEDGER_KEEPERS)
@require_POST
def queue_assign(request, pk):
    payment = selectors.queued_payment(pk)
    form = forms.AssignForm(request.POST)

    def assign():
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.assign_payment(
            actor=request.user,
            payment=payment,
            account=_account(form.cleaned_data["account"]),
            named_period=form.cleaned_data["named_period"],
        )

    return act(
        request,
        assign,
        done=_("The payment is assigned and posted."),
        then=reverse("ledger:queue"),
    )


# -- debtors ------------------------------------------------------------------------------------


def _debtor_labels() -> list[str]:
    return [
        _("personal account"),
        _("building"),
        _("premises"),
        _("debt, ₽"),
        _("of it charges, ₽"),
        _("of it penalties, ₽"),
        _("months overdue"),
        _("oldest unpaid month"),
    ]


@role_required(*ACCOUNT_READERS)
def debtors(request):
    form = forms.DebtorFilter(request.GET or None, buildings=selectors.buildings())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.debtors(
        min_debt=filters.get("min_debt"),
        min_months=filters.get("min_months"),
        building=filters.get("building"),
    )
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(
            selectors.debtors_workbook(rows, _debtor_labels()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="debtors-{day}.xlsx"'
        return response
    query = request.GET.copy()
    query["export"] = "xlsx"
    context = {
        "form": form,
        "rows": rows,
        "export_query": query.urlencode(),
        "total": sum((d.debt for d in rows), 0),
    }
    return render(request, "ledger/payments/debtors.html", context)


@role_required(*ACCOUNT_READERS)
def penalty_calculation(request, pk):
    account = selectors.account_for_board(pk)
    on = timezone.localdate()
    context = {"account": account, "on": on, "calc": selectors.calculation(account, on)}
    return render(request, "ledger/payments/penalties.html", context)


@role_required(*ACCOUNT_READERS)
def court_order(request, pk):
    account = selectors.account_for_board(pk)
    on = timezone.localdate()
    context = {
        "account": account,
        "on": on,
        "claim": selectors.claim(account, on),
        "history": selectors.history(account),
    }
    return render(request, "ledger/payments/court_order.html", context)


# -- instalment plans ---------------------------------------------------------------------------


@role_required(*ACCOUNT_READERS)
def instalments(request):
    context = {"plans": selectors.instalment_plans(), "keeps": _keeps(request.user)}
    return render(request, "ledger/payments/instalments.html", context)


@role_required(*LEDGER_KEEPERS)
@require_http_methods(["GET", "POST"])
def instalment_add(request):
    form = forms.InstalmentForm(request.POST or None)

    def create():
        data = dict(form.cleaned_data)
        return services.create_instalment_plan(
            actor=request.user, account=_account(data.pop("account")), **data
        )

    return submit(
        request,
        form,
        create,
        done=_("The instalment plan is saved with its schedule."),
        then=reverse("ledger:instalments"),
    ) or render(
        request, "ledger/payments/instalment_add.html", {"form": form}, status=_status(form)
    )
