"""The operators' console (public schema): associations, their lifecycle, and the audit log.

Thin views: reads come from ``console.selectors``, writes from ``console.services``. Every view
is for signed-in operators (``operator_required``; the second factor is enforced by
``SecondFactorMiddleware``). No page shows a member's name or email: usage is counts only, and
an export's content reaches the chairman on the association's portal, never the console.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from associations.models import AssociationStatus
from console import selectors, services
from console.forms import (
    AssociationSearchForm,
    AuditFilterForm,
    ChairSuccessorForm,
    DeleteForm,
    SuspendForm,
)
from core.access.decorators import operator_required
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit

PAGE_SIZE = 25

#: Readable names of the console's audit actions (others are shown as recorded).
ACTION_LABELS = {
    "console.association_suspended": gettext_lazy("Association suspended"),
    "console.association_reactivated": gettext_lazy("Association reactivated"),
    "console.export_requested": gettext_lazy("Data export requested"),
    "console.association_deleted": gettext_lazy("Association deleted"),
    "console.chair_successor_named": gettext_lazy("Chairman's successor named"),
}


def _association_or_404(pk: int):
    association = selectors.association_for_console(pk)
    if association is None:
        raise Http404
    return association


@sensitive_post
@operator_required
@require_GET
def index(request):
    """Associations of the platform, with search, filters and pages."""
    form = AssociationSearchForm(request.GET or None, plans=selectors.plans_in_use())
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.search_associations(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "console/index.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "failures": selectors.recent_provisioning_failures(),
        },
    )


def _detail_url(association) -> str:
    return reverse("console:association", kwargs={"pk": association.pk})


def _detail(request, association, *, suspend_form=None, chair_form=None, status=200):
    context = {
        "chair_form": chair_form or ChairSuccessorForm(),
        "a": association,
        "usage": selectors.association_usage(association),
        "export": selectors.latest_export(association),
        "provisioning_log": selectors.provisioning_log(association),
        "suspend_form": suspend_form or SuspendForm(),
        "Status": AssociationStatus,
    }
    return render(request, "console/association_detail.html", context, status=status)


@sensitive_post
@operator_required
@require_GET
def association_detail(request, pk: int):
    """One association: usage counts, plan, suspension, export and deletion."""
    return _detail(request, _association_or_404(pk))


@sensitive_post
@operator_required
@require_POST
def association_suspend(request, pk: int):
    association = _association_or_404(pk)
    form = SuspendForm(request.POST)
    saved = submit(
        request,
        form,
        lambda: services.suspend_association(
            association, reason=form.cleaned_data["reason"], actor=request.user
        ),
        done=_("The association is suspended."),
        then=_detail_url(association),
    )
    return saved or _detail(request, association, suspend_form=form, status=400)


@sensitive_post
@operator_required
@require_POST
def association_chair(request, pk: int):
    """Name the successor of a chairman who is gone, by the email the association gave."""
    association = _association_or_404(pk)
    form = ChairSuccessorForm(request.POST)
    saved = submit(
        request,
        form,
        lambda: services.name_chair_successor(
            association, email=form.cleaned_data["email"], actor=request.user
        ),
        done=_(
            "The successor has been asked to accept the chair on the association's portal. "
            "The board sees that the operators named them."
        ),
        then=_detail_url(association) + "#chair",
    )
    return saved or _detail(request, association, chair_form=form, status=400)


@sensitive_post
@operator_required
@require_POST
def association_reactivate(request, pk: int):
    association = _association_or_404(pk)
    return act(
        request,
        lambda: services.reactivate_association(association, actor=request.user),
        done=_("The association is active again."),
        then=_detail_url(association),
    )


@operator_required
@require_POST
def association_export(request, pk: int):
    association = _association_or_404(pk)
    return act(
        request,
        lambda: services.request_export(association, actor=request.user),
        done=_(
            "The export is being prepared. The chairman will find it on the association's portal."
        ),
        then=_detail_url(association),
    )


@operator_required
@require_GET
def association_export_status(request, pk: int):
    """The export's status alone (the detail page polls it with htmx while it is prepared)."""
    association = _association_or_404(pk)
    return render(
        request,
        "console/_export_status.html",
        {"a": association, "export": selectors.latest_export(association)},
    )


@sensitive_post
@operator_required
def association_delete(request, pk: int):
    """Typed confirmation, then the association is deleted for good (suspended ones only)."""
    association = _association_or_404(pk)
    # Bound on every POST, an empty one too: the refusal below needs a bound form.
    form = DeleteForm(request.POST if request.method == "POST" else None)
    suspended = association.status == AssociationStatus.SUSPENDED
    if request.method == "POST" and not suspended:
        form.add_error(None, _("Suspend the association before deleting it."))
    deleted = submit(
        request,
        form,
        lambda: services.delete_association(
            association, confirmation=form.cleaned_data["confirmation"], actor=request.user
        ),
        done=_("The association %(slug)s is deleted, with its data and keys.")
        % {"slug": association.slug},
        then=reverse("console:index"),
        enabled=suspended,
    )
    return deleted or render(
        request,
        "console/association_delete.html",
        {
            "a": association,
            "form": form,
            "export": selectors.latest_export(association),
            "Status": AssociationStatus,
        },
        status=400 if form.errors else 200,
    )


@operator_required
@require_GET
def audit_log(request):
    """The operators' audit log: read-only, filtered by action and dates, in pages."""
    form = AuditFilterForm(request.GET or None, actions=selectors.audit_actions())
    filters = form.filters() if request.GET else {}
    page = Paginator(selectors.operator_audit_entries(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    actors = selectors.operator_emails(entry.actor_id for entry in page.object_list)
    rows = [
        {
            "entry": entry,
            "label": ACTION_LABELS.get(entry.action, entry.action),
            "actor": actors.get(entry.actor_id, entry.actor_id or ""),
            "details": sorted(entry.details.items()) if isinstance(entry.details, dict) else [],
        }
        for entry in page.object_list
    ]
    return render(request, "console/audit_log.html", {"form": form, "page": page, "rows": rows})
