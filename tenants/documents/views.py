"""Pages of the documents: the list by section, a document with its history, the board's
uploads, the file (access-checked, the read logged), the ЖК РФ ст. 143.1 page and the register
of members in the form owners may read (a page and a PDF).

Thin: the services decide and refuse (``core.ui.refusals``), the selectors scope what a reader
sees (a document outside the reader's groups, or its file, is a 404).
"""

from __future__ import annotations

import re

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core.access.decorators import role_required
from core.access.roles import BOARD, Role, has_role
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit
from core.uploads import upload_too_large
from tenants.documents import forms, selectors, services
from tenants.documents.declaration import EVERYONE
from tenants.documents.purposes import DOCUMENT_FILE
from tenants.files import selectors as files
from tenants.files.purposes import IMAGES, KINDS

#: Who opens the ст. 143.1 page and the register in the form it allows: every owner (members
#: or not) and the board.
DISCLOSURE_READERS = (*BOARD, Role.OWNER)
#: Kinds shown in the browser (its own PDF viewer, an image); the rest are downloaded.
INLINE_KINDS = frozenset({"pdf"}) | IMAGES
#: What a file opened in the browser may do: nothing of the portal's. A PDF gets no script, no
#: style, no connection and no frame around it (``frame-ancestors``); its ``sandbox`` is left
#: out, since a sandboxed document may not load the browser's PDF viewer in every browser
#: (Chromium keeps only ``frame-ancestors`` for its viewer anyway; checked in
#: tests/browser/test_emergency.py). Pictures and downloads get the file store's sandbox.
FILE_CSP = "default-src 'none'; frame-ancestors 'none'"
IMAGE_CSP = "default-src 'none'; img-src 'self'; sandbox"


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _too_large(form_class, field: str, **kwargs):
    form = form_class({}, {}, **kwargs)
    form.full_clean()
    form.errors[field] = form.error_class(
        [_("The file is too large: at most %(size)s.") % {"size": DOCUMENT_FILE.describe_size()}]
    )
    return form


# -- the list and a document --------------------------------------------------------------------


@sensitive_post  # the search text (``q``) stays out of error reports
@role_required(*EVERYONE)
def index(request):
    form = forms.SearchForm(request.GET or None)
    documents = selectors.documents_visible_to(request.user)
    query, section = "", ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        section = form.cleaned_data["section"]
    if section:
        documents = documents.filter(section=section)
    if query:
        found = list(selectors.search_documents(documents, query))
        groups = []
    else:
        found = None
        groups = selectors.by_section(documents)
    return render(
        request,
        "documents/index.html",
        {
            "form": form,
            "groups": groups,
            "found": found,
            "query": query,
            "keeps": selectors.keeps_documents(request.user),
            "discloses": has_role(request.user, *DISCLOSURE_READERS),
        },
    )


@role_required(*EVERYONE)
def detail(request, pk):
    document = selectors.document_for_reader(request.user, pk)
    keeps = selectors.keeps_documents(request.user)
    versions = selectors.history(document)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "versions": versions,
            "keeps": keeps,
            "counts": selectors.read_counts(document) if keeps else {},
            "readers_count": selectors.readers_count(document) if keeps else 0,
        },
    )


def _file_name(version) -> str:
    stem = re.sub(r"[\x00-\x1f\x7f/\\\\:*?\"<>|]+", " ", version.document.title).strip()[:80]
    kind = next((k for k in KINDS.values() if k.content_type == version.file.content_type), None)
    extension = kind.extension if kind else "bin"
    return f"{stem or 'document'} (v{version.number}).{extension}"


@require_GET
@role_required(*EVERYONE)
def version_file(request, pk, version):
    """A version's file for a reader of the document (else 404); the read is logged. A PDF or a
    picture opens in the browser itself (inline), an office document is downloaded."""
    found = selectors.version_for_reader(request.user, pk, version)
    content = files.open_content(found.file)
    services.log_read(user=request.user, version=found)
    kind = next((k.key for k in KINDS.values() if k.content_type == found.file.content_type), "")
    response = StreamingHttpResponse(content, content_type=found.file.content_type)
    response["Content-Length"] = str(found.file.size)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=kind not in INLINE_KINDS, filename=_file_name(found)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP if kind == "pdf" else IMAGE_CSP
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# -- the board's uploads and changes ------------------------------------------------------------


@csrf_exempt  # checked by ``_post_new`` once the upload limit is in place
@role_required(*BOARD)
def new(request):
    if request.method != "POST":
        initial = {"section": request.GET.get("section", "")}
        return render(request, "documents/new.html", {"form": forms.DocumentForm(initial=initial)})
    if upload_too_large(request, DOCUMENT_FILE.max_bytes):
        form = _too_large(forms.DocumentForm, "file")
        return render(request, "documents/new.html", {"form": form}, status=413)
    return _post_new(request)


@csrf_protect
def _post_new(request):
    form = forms.DocumentForm(request.POST, request.FILES)
    done = submit(
        request,
        form,
        lambda: services.publish_document(
            actor=request.user,
            section=form.cleaned_data["section"],
            title=form.cleaned_data["title"],
            readers=form.cleaned_data["readers"],
            description=form.cleaned_data["description"],
            dated=form.cleaned_data["dated"],
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        ),
        done=_("The document has been published."),
        then=lambda document: reverse("documents:detail", kwargs={"pk": document.pk}),
    )
    return done or render(request, "documents/new.html", {"form": form}, status=_status(form))


@csrf_exempt  # checked by ``_post_version`` once the upload limit is in place
@role_required(*BOARD)
def version_new(request, pk):
    document = selectors.document_for_reader(request.user, pk)
    context = {"document": document}
    if request.method != "POST":
        return render(request, "documents/version.html", {**context, "form": forms.VersionForm()})
    if upload_too_large(request, DOCUMENT_FILE.max_bytes):
        form = _too_large(forms.VersionForm, "file")
        return render(request, "documents/version.html", {**context, "form": form}, status=413)
    return _post_version(request, document)


@csrf_protect
def _post_version(request, document):
    form = forms.VersionForm(request.POST, request.FILES)
    done = submit(
        request,
        form,
        lambda: services.add_version(
            actor=request.user,
            document=document,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        ),
        done=_("The new version has been published; the earlier ones stay in the history."),
        then=reverse("documents:detail", kwargs={"pk": document.pk}),
    )
    context = {"document": document, "form": form}
    return done or render(request, "documents/version.html", context, status=_status(form))


@role_required(*BOARD)
def edit(request, pk):
    document = selectors.document_for_reader(request.user, pk)
    initial = {
        "section": document.section,
        "title": document.title,
        "readers": document.readers,
        "dated": document.dated,
        "description": document.description,
    }
    form = forms.DocumentDetailsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    done = submit(
        request,
        form,
        lambda: services.change_document(
            actor=request.user, document=document, **form.cleaned_data
        ),
        done=_("The document has been changed."),
        then=reverse("documents:detail", kwargs={"pk": document.pk}),
    )
    context = {"document": document, "form": form}
    return done or render(request, "documents/edit.html", context, status=_status(form))


@role_required(*BOARD)
@require_POST
def withdraw(request, pk):
    document = selectors.document_for_reader(request.user, pk)
    return act(
        request,
        lambda: services.withdraw_document(actor=request.user, document=document),
        done=_("The document and all its versions have been removed."),
        then=reverse("documents:index"),
    )


# -- ЖК РФ ст. 143.1 ----------------------------------------------------------------------------


@role_required(*DISCLOSURE_READERS)
def disclosure(request):
    return render(
        request,
        "documents/disclosure.html",
        {
            "entries": selectors.disclosure(),
            "keeps": selectors.keeps_documents(request.user),
        },
    )


@role_required(*DISCLOSURE_READERS)
def register(request):
    on = timezone.localdate()
    return render(
        request,
        "documents/register.html",
        {"members": selectors.register_for_owners(on), "on": on},
    )


@role_required(*DISCLOSURE_READERS)
def register_pdf(request):
    """The register of members as owners may read it, as a PDF (opens in the browser)."""
    from weasyprint import HTML

    on = timezone.localdate()
    tenant = getattr(request, "tenant", None)
    with translation.override("ru"):
        html = render_to_string(
            "documents/register_pdf.html",
            {
                "members": selectors.register_for_owners(on),
                "on": on,
                "association": tenant,
            },
        )
    pdf = HTML(string=html, base_url=None).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"register-of-members-{on.isoformat()}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
