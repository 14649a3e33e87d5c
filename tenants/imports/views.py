"""Pages of the registry import: upload, preview, confirm or discard, progress, template.

Only the board (chairman, board member) imports: the registry is theirs to keep (ЖК РФ ст. 45
ч. 3.1, ст. 148). Anonymous visitors get the login page, other roles 403.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core.access.decorators import role_required
from core.access.roles import REGISTRY_EDITORS
from core.ui.refusals import act
from tenants.imports import sample, selectors, services
from tenants.imports.columns import COLUMNS
from tenants.imports.forms import UploadForm
from tenants.imports.models import ImportJob, JobStatus, RowStatus
from tenants.imports.reading import MAX_FILE_BYTES, FileRefused
from tenants.imports.uploads import LimitedUpload

TEMPLATES = {
    "xlsx": (
        sample.template_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (sample.template_csv, "text/csv; charset=utf-8"),
}


def _job_url(job) -> str:
    return reverse("imports:job", kwargs={"job_id": job.pk})


def _index_page(request, form, *, status=200):
    context = {
        "form": form,
        "columns": COLUMNS,
        "jobs": selectors.recent_jobs(),
        "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "imports/index.html", context, status=status)


@csrf_exempt  # checked by ``_upload`` once the size limit has been applied
@role_required(*REGISTRY_EDITORS)
def index(request):
    """The import page; a POST uploads a file and leads to its preview."""
    if request.method == "POST":
        limit = LimitedUpload(MAX_FILE_BYTES, request)
        request.upload_handlers.insert(0, limit)
        request.POST  # noqa: B018 - parse now, under the limit
        if limit.exceeded:
            # Refused before anything was read or stored; nothing changes, so no CSRF check.
            form = UploadForm({}, {})
            form.full_clean()
            form.errors["file"] = form.error_class([FileRefused("too_large").message])
            return _index_page(request, form, status=413)
        return _upload(request)
    return _index_page(request, UploadForm())


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.create_preview(
                upload=upload, file_name=upload.name or "", actor=request.user
            )
        except services.TooManyPreviews as limited:
            form.add_error("file", limited.message)
            return _index_page(request, form, status=429)
        except FileRefused as refused:
            form.add_error("file", refused.message)
        else:
            return redirect("imports:job", job_id=job.pk)
    return _index_page(request, form, status=400)


@role_required(*REGISTRY_EDITORS)
@require_GET
def template(request, fmt: str):
    """The blank template, with the column names in the reader's language."""
    if fmt not in TEMPLATES:
        raise Http404
    build, content_type = TEMPLATES[fmt]
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="registry-template.{fmt}"'
    return response


@role_required(*REGISTRY_EDITORS)
@require_GET
def job_page(request, job_id):
    """The preview (rows, counts, errors), then the progress, then the result."""
    job = get_object_or_404(ImportJob, pk=job_id)
    status = request.GET.get("status")
    if status not in RowStatus.values:
        status = RowStatus.ERROR if job.error_rows else None
    page, rows = selectors.preview_page(job, status, request.GET.get("page"))
    context = {
        "job": job,
        "status": status,
        "page": page,
        "rows": rows,
        "filters": [
            (RowStatus.ERROR, _("Errors"), job.error_rows),
            (RowStatus.NEW, _("New"), job.new_rows),
            (RowStatus.CHANGED, _("Changed"), job.changed_rows),
            (RowStatus.UNCHANGED, _("Unchanged"), job.unchanged_rows),
        ],
        "notice": services.NOTICES.get(job.notice),
        "same_file": selectors.same_file_imported(job) if job.status == JobStatus.PREVIEW else None,
        "progress": selectors.job_progress(job),
        "JobStatus": JobStatus,
    }
    return render(request, "imports/job.html", context)


@role_required(*REGISTRY_EDITORS)
@require_GET
def progress(request, job_id):
    """The progress bar (polled by htmx); once the import ends, the page reloads."""
    job = get_object_or_404(ImportJob, pk=job_id)
    response = render(
        request,
        "imports/_progress.html",
        {"job": job, "progress": selectors.job_progress(job)},
    )
    if not job.in_progress and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@role_required(*REGISTRY_EDITORS)
@require_POST
def confirm(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    return act(
        request,
        lambda: services.confirm_import(job.pk, actor=request.user),
        then=_job_url(job),
    )


@role_required(*REGISTRY_EDITORS)
@require_POST
def discard(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    return act(
        request,
        lambda: services.discard_import(job.pk, actor=request.user),
        done=_("The preview was discarded and its rows deleted."),
        then=reverse("imports:index"),
        refused=_job_url(job),
    )
