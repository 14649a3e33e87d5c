"""Pages of the register of members and of the people registered at a premises.

Thin views: reads from ``member_selectors``, writes through ``services.members`` and
``services.residency``, refusals shown by ``core.ui.refusals``. The board's register is a
print-friendly page with CSV and XLSX exports; owners read the version of ЖК РФ ст. 143.1
(no contacts).
"""

from __future__ import annotations

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access.decorators import role_required
from core.access.roles import REGISTRY_EDITORS, Role
from core.sensitive import sensitive_post
from core.ui.refusals import Outcome, act, answer, submit
from tenants.residents import member_selectors
from tenants.residents.member_forms import (
    AdmitForm,
    DeregisterForm,
    ExitForm,
    FindRecordForm,
    RegisterDayForm,
    RegisterResidentForm,
)
from tenants.residents.models import (
    Membership,
    Owner,
    PersonalAccount,
    Premises,
    RegisteredResident,
)
from tenants.residents.services import members as member_services
from tenants.residents.services import residency as residency_services

registry_required = role_required(*REGISTRY_EDITORS)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _day(request) -> datetime.date:
    form = RegisterDayForm(request.GET)
    if form.is_valid() and form.cleaned_data["on"]:
        return form.cleaned_data["on"]
    return timezone.localdate()


# -- the register -------------------------------------------------------------------------------


@registry_required
def register_page(request):
    """The board's register on a day: print-friendly, with contacts and membership decisions."""
    on = _day(request)
    return render(
        request,
        "residents/members/register.html",
        {
            "members": member_selectors.register(on, contacts=True),
            "on": on,
            "form": RegisterDayForm(initial={"on": on}),
            "contacts": True,
        },
    )


@role_required(*REGISTRY_EDITORS, Role.OWNER)
def register_for_members(request):
    """The register as members and owners may read it (ЖК РФ ст. 143.1): no contacts."""
    on = timezone.localdate()
    return render(
        request,
        "residents/members/register.html",
        {"members": member_selectors.register(on, contacts=False), "on": on, "contacts": False},
    )


def _rows(members) -> list[list[str]]:
    rows = []
    for number, member in enumerate(members, 1):
        rows.append(
            [
                str(number),
                member.name,
                "; ".join(
                    f"{h.premises.building.name}, {h.premises.get_kind_display()} "
                    f"{h.premises.number}"
                    + (f" ({h.premises.cadastral_number})" if h.premises.cadastral_number else "")
                    + f", {h.share_text}"
                    for h in member.holdings
                ),
                str(member.area_share),
                member.applied_on.isoformat() if member.applied_on else "",
                member.admitted_on.isoformat() if member.admitted_on else "",
                member.decision,
                ", ".join(member.emails),
                ", ".join(member.phones),
            ]
        )
    return rows


def export_header() -> list[str]:
    return [
        _("No."),
        _("Name"),
        _("Premises, cadastral number, share"),
        _("Area by share, m²"),
        _("Application date"),
        _("Admitted on"),
        _("Decision"),
        _("Emails"),
        _("Phones"),
    ]


def _filename(on: datetime.date, extension: str) -> str:
    return f"register-of-members-{on.isoformat()}.{extension}"


@registry_required
def register_csv(request):
    on = _day(request)
    member_services.record_register_export(on, actor=request.user, file_format="csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(export_header())
    writer.writerows(_rows(member_selectors.register(on, contacts=True)))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(on, "csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@registry_required
def register_xlsx(request):
    from openpyxl import Workbook

    on = _day(request)
    member_services.record_register_export(on, actor=request.user, file_format="xlsx")
    book = Workbook()
    sheet = book.active
    sheet.title = _("Members")[:31]
    sheet.append([_("Register of members on %(day)s") % {"day": on.strftime("%d.%m.%Y")}])
    sheet.append(export_header())
    for row in _rows(member_selectors.register(on, contacts=True)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(on, "xlsx")}"'
    response["Cache-Control"] = "no-store"
    return response


# -- an owner record's membership ---------------------------------------------------------------


def _membership_url(owner) -> str:
    return reverse("residents:registry-owner-membership", args=[owner.pk])


@sensitive_post
@registry_required
def owner_membership(request, pk):
    """The person an owner record belongs to: their other records, membership, admission."""
    owner = get_object_or_404(Owner, pk=pk, holding__erased_at__isnull=True)
    form = AdmitForm(_posted(request))
    done = submit(
        request,
        form,
        lambda: member_services.admit_member(owner, **form.cleaned_data, actor=request.user),
        done=_("The member is admitted."),
        then=_membership_url(owner),
    )
    if done:
        return done
    find = FindRecordForm(request.GET or None)
    candidates = []
    if find.is_valid():
        account = PersonalAccount.objects.filter(number=find.cleaned_data["account"]).first()
        if account is not None:
            candidates = list(
                Owner.objects.filter(
                    holding__account=account, holding__ended_on__isnull=True
                ).exclude(pk=owner.pk)
            )
    return render(
        request,
        "residents/members/owner.html",
        {
            "card": member_selectors.membership_card(owner),
            "form": form,
            "find": find,
            "candidates": candidates,
            "exit_form": ExitForm(),
        },
    )


@registry_required
@require_POST
def owner_link(request, pk, other):
    owner = get_object_or_404(Owner, pk=pk, holding__erased_at__isnull=True)
    other_owner = get_object_or_404(Owner, pk=other, holding__erased_at__isnull=True)
    return act(
        request,
        lambda: member_services.link_owners(owner, other_owner, actor=request.user),
        done=_("The owner records are linked: one member."),
        then=_membership_url(owner),
    )


@registry_required
@require_POST
def owner_unlink(request, pk):
    owner = get_object_or_404(Owner, pk=pk, holding__erased_at__isnull=True)
    return act(
        request,
        lambda: member_services.unlink_owner(owner, actor=request.user),
        done=_("The owner record is a person of its own now."),
        then=_membership_url(owner),
    )


@sensitive_post
@registry_required
@require_POST
def membership_end(request, pk):
    membership = get_object_or_404(Membership, pk=pk)
    owner = Owner.objects.filter(person_id=membership.person_id).order_by("pk").first()
    then = _membership_url(owner) if owner else reverse("residents:registry-members")
    form = ExitForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, then)
    return act(
        request,
        lambda: member_services.end_membership(membership, **form.cleaned_data, actor=request.user),
        done=_("The membership has ended."),
        then=then,
    )


def _invalid(request, form, then):
    """A button's form that did not validate (a missing date): its errors as the message."""
    errors = [message for messages in form.errors.values() for message in messages]
    return answer(request, Outcome(error=ValidationError(errors)), then=then)


# -- registered residents -----------------------------------------------------------------------


def _residents_url(premises_id) -> str:
    return reverse("residents:registry-registered", args=[premises_id])


@sensitive_post
@registry_required
def registered_residents(request, pk):
    premises = get_object_or_404(Premises.objects.select_related("building"), pk=pk)
    form = RegisterResidentForm(_posted(request))
    done = submit(
        request,
        form,
        lambda: residency_services.register_resident(
            premises, **form.cleaned_data, actor=request.user
        ),
        done=_("The resident is registered."),
        then=_residents_url(premises.pk),
    )
    if done:
        return done
    month = timezone.localdate()
    return render(
        request,
        "residents/members/registered.html",
        {
            "premises": premises,
            "people": member_selectors.registered_residents(premises),
            "count": member_selectors.registered_residents_count(premises, month),
            "month": month,
            "form": form,
            "end_form": DeregisterForm(),
        },
    )


@registry_required
@require_POST
def registered_end(request, pk):
    resident = get_object_or_404(RegisteredResident, pk=pk)
    form = DeregisterForm(request.POST)
    then = _residents_url(resident.premises_id)
    if not form.is_valid():
        return _invalid(request, form, then)
    return act(
        request,
        lambda: residency_services.deregister_resident(
            resident, **form.cleaned_data, actor=request.user
        ),
        done=_("The registration has ended."),
        then=then,
    )
