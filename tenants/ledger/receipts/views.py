"""Receipts' pages: a member's receipts month by month and each as a PDF; the board's
whole-association PDF of a month, started here and built in the background with progress."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES
from tenants.ledger.receipts import render as rendering
from tenants.ledger.receipts import selectors, services


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404 from None


@require_GET
@role_required(*(ACCOUNT_READERS | MEMBER_ROLES))
def index(request):
    board = selectors.reads_all(request.user)
    rows = (
        []
        if board
        else [
            (access.account, selectors.months(access.account, holding_ids=access.holding_ids))
            for access in selectors.accounts_for(request.user)
        ]
    )
    context = {"rows": rows, "board": board}
    if board:
        context["batches"] = list(selectors.batches_for(request.user)[:24])
    return render(request, "ledger/receipts/index.html", context)


@require_GET
@role_required(*(ACCOUNT_READERS | MEMBER_ROLES))
def receipt(request, account, month):
    data = selectors.receipt_for(request.user, account, _month(month))
    pdf = rendering.render_pdf(data)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The account's number and the month only: nothing personal in the file's name.
    response["Content-Disposition"] = (
        f'inline; filename="receipt-{data.account_number}-{data.period:%Y-%m}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@role_required(*ACCOUNT_READERS)
def start_batch(request):
    try:
        batch = services.start_batch(
            actor=request.user, period=_month(request.POST.get("month", ""))
        )
    except ValidationError as refusal:
        return render(
            request,
            "ledger/receipts/index.html",
            {
                "board": True,
                "batches": list(selectors.batches_for(request.user)[:24]),
                "refusal": " ".join(refusal.messages),
            },
            status=400,
        )
    return redirect("receipts:batch", pk=batch.pk)


@require_GET
@role_required(*ACCOUNT_READERS)
def batch(request, pk):
    found = selectors.batch_for(request.user, pk)
    return render(request, "ledger/receipts/batch.html", {"batch": found})
