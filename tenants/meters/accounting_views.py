"""The accountant's pages (``ACCOUNT_READERS``): who has and has not sent this period's readings
(filter by building, export to Excel), flagged readings to review, verifications ending or
ended, the norms and coefficients billing uses, and the import of readings from a spreadsheet
with a preview. Thin: the services decide and refuse, the reads are in ``accounting``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from core.access.decorators import role_required
from core.access.roles import ACCOUNT_READERS
from core.ui.refusals import act, submit
from core.uploads import upload_too_large
from tenants.meters import accounting, accounting_forms, accounting_services, periods
from tenants.meters import reading_import as importing
from tenants.meters.models import ReadingImport
from tenants.residents.models import Building

PAGE_SIZE = 50


def _filters(request):
    buildings = list(Building.objects.order_by("name"))
    building = next((b for b in buildings if str(b.pk) == request.GET.get("building")), None)
    status = request.GET.get("status", "")
    if status not in (accounting.Status.MISSING, accounting.Status.SENT):
        status = accounting.Status.ALL
    return buildings, building, status


@role_required(*ACCOUNT_READERS)
@require_GET
def submissions(request):
    """Who has and has not sent this period's readings; ``?export=xlsx`` downloads the table."""
    window = periods.current_window()
    buildings, building, status = _filters(request)
    rows = accounting.submission_table(window.period, building=building, status=status)
    if request.GET.get("export") == "xlsx":
        labels = {
            "header": [
                _("building"),
                _("premises"),
                _("personal accounts"),
                _("meters"),
                _("sent"),
                _("status"),
            ],
            "sent": _("sent"),
            "missing": _("not sent"),
        }
        content = accounting.submission_workbook(rows, window.period, labels)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="readings-{window.period:%Y-%m}.xlsx"'
        )
        return response
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "buildings": buildings,
        "building": building,
        "status": status,
        "window": window,
    }
    return render(request, "meters/accounting/submissions.html", context)


@role_required(*ACCOUNT_READERS)
@require_http_methods(["GET", "POST"])
def anomalies(request):
    """Flagged readings waiting for review; POST marks the ticked ones reviewed."""
    if request.method == "POST":
        ids = request.POST.getlist("reading")[:500]
        return act(
            request,
            lambda: accounting_services.mark_reviewed(actor=request.user, reading_ids=ids),
            done=_("Marked as reviewed."),
            then=reverse("meters:anomalies"),
        )
    page = Paginator(accounting.flagged_readings(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "meters/accounting/anomalies.html", {"page": page})


@role_required(*ACCOUNT_READERS)
@require_GET
def verifications(request):
    today = timezone.localdate()
    rows = accounting.verifications(today)
    context = {"rows": rows, "today": today, "days": accounting.VERIFICATION_DAYS}
    return render(request, "meters/accounting/verifications.html", context)


@role_required(*ACCOUNT_READERS)
@require_http_methods(["GET", "POST"])
def norms(request):
    """The norms and increasing coefficients billing uses, as dated rows; add one."""
    which = request.POST.get("which") if request.method == "POST" else ""
    norm_form = accounting_forms.NormForm(request.POST if which == "norm" else None, prefix="norm")
    coefficient_form = accounting_forms.CoefficientForm(
        request.POST if which == "coefficient" else None, prefix="coefficient"
    )
    then = reverse("meters:norms")
    done = _("Saved.")
    response = None
    if which == "norm":
        response = submit(
            request,
            norm_form,
            lambda: accounting_services.save_norm(actor=request.user, **norm_form.cleaned_data),
            done=done,
            then=then,
        )
    elif which == "coefficient":
        response = submit(
            request,
            coefficient_form,
            lambda: accounting_services.save_coefficient(
                actor=request.user, **coefficient_form.cleaned_data
            ),
            done=done,
            then=then,
        )
    if response is not None:
        return response
    context = {
        "norms": accounting.norms(),
        "coefficients": accounting.coefficients(),
        "norm_form": norm_form,
        "coefficient_form": coefficient_form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "meters/accounting/norms.html", context, status=status)


@csrf_exempt  # checked by ``_import_form`` once the size limit is in place
@role_required(*ACCOUNT_READERS)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """The size limit goes in front of the body's parsing: a file over it is refused unread
    (the CSRF check reads the body, so it waits until the limit is in place)."""
    if request.method == "POST" and upload_too_large(request, importing.spreadsheet.MAX_FILE_BYTES):
        form = accounting_forms.ImportForm({}, {})
        form.full_clean()
        form.errors.clear()
        form.add_error("file", importing.spreadsheet.FileRefused("too_large").message)
        return render(request, "meters/accounting/import.html", {"form": form}, status=413)
    return _import_form(request)


@csrf_protect
def _import_form(request):
    form = accounting_forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.preview_import(actor=request.user, upload=upload, name=upload.name)
        except importing.ImportRefused as refused:
            form.add_error("file", refused.message)
        else:
            return redirect("meters:import-preview", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meters/accounting/import.html", {"form": form}, status=status)


@role_required(*ACCOUNT_READERS)
@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    job = ReadingImport.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    if request.method == "POST":
        return act(
            request,
            lambda: importing.apply_import(job, actor=request.user),
            done=_("The readings are saved."),
            then=reverse("meters:import-preview", kwargs={"pk": job.pk}),
        )
    context = {
        "job": job,
        "rows": importing.preview_rows(job),
        "counts": importing.counts(job),
    }
    return render(request, "meters/accounting/import_preview.html", context)
