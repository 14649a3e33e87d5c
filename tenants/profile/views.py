"""The chairman's settings pages of the association's profile; the board may read them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core import legal_details
from core.access.decorators import role_required
from core.access.roles import BOARD, Role, has_role
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit
from core.uploads import LimitedUpload
from tenants.profile import forms, selectors, services
from tenants.profile.purposes import LOGO

#: Who changes the profile: the chairman. The board reads it.
EDITORS = frozenset({Role.CHAIRMAN})
READERS = BOARD | EDITORS


def _index_url() -> str:
    return reverse("profile:index")


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@role_required(*READERS)
@require_GET
def index(request):
    legal_now = selectors.legal()
    in_force = selectors.settings_in_force(kind=legal_now.kind)
    context = {
        "legal": legal_now,
        "kind_label": dict(legal_details.kind_choices()).get(legal_now.kind, legal_now.kind),
        "profile": selectors.profile(),
        "recipients": list(selectors.recipients()),
        "in_force": in_force,
        "history": selectors.settings_history()[:20],
        "can_edit": has_role(request.user, *EDITORS),
    }
    return render(request, "profile/index.html", context)


@role_required(*EDITORS)
def legal(request):
    current = selectors.legal()
    initial = {
        "name": current.name,
        "kind": current.kind,
        "inn": current.inn,
        "ogrn": current.ogrn,
        "time_zone": current.time_zone,
    }
    form = forms.LegalDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        current_zone=current.time_zone,
    )
    done = submit(
        request,
        form,
        lambda: services.change_legal_details(actor=request.user, **form.cleaned_data),
        done=_("The legal details have been saved."),
        then=_index_url(),
    )
    return done or render(request, "profile/legal.html", {"form": form}, status=_status(form))


@sensitive_post
@role_required(*EDITORS)
def contacts(request):
    current = selectors.profile()
    initial = {
        "kpp": current.kpp,
        "legal_address": current.legal_address or "",
        "phone": current.phone or "",
        "email": current.email or "",
        "office_hours": current.office_hours or "",
        "board": "\n".join(current.board or []),
    }
    form = forms.ContactsForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.update_contacts(
            actor=request.user,
            kpp=form.cleaned_data["kpp"],
            legal_address=form.cleaned_data["legal_address"],
            phone=form.cleaned_data["phone"],
            email=form.cleaned_data["email"],
            office_hours=form.cleaned_data["office_hours"],
            board=form.board_lines(),
        ),
        done=_("The contacts have been saved."),
        then=_index_url(),
    )
    return done or render(request, "profile/contacts.html", {"form": form}, status=_status(form))


def _recipient_page(request, recipient=None):
    initial = {}
    if recipient is not None:
        initial = {
            "title": recipient.title,
            "recipient_name": recipient.recipient_name,
            "account": recipient.account,
            "bank_name": recipient.bank_name,
            "bic": recipient.bic,
            "corr_account": recipient.corr_account or "",
            "is_main": recipient.is_main,
        }
    form = forms.RecipientForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.save_recipient(recipient, actor=request.user, **form.cleaned_data),
        done=_("The bank details have been saved."),
        then=_index_url(),
    )
    context = {"form": form, "recipient": recipient}
    return done or render(request, "profile/recipient.html", context, status=_status(form))


@sensitive_post
@role_required(*EDITORS)
def recipient_create(request):
    return _recipient_page(request)


@sensitive_post
@role_required(*EDITORS)
def recipient_edit(request, pk):
    return _recipient_page(request, selectors.recipient_for(request.user, pk))


@role_required(*EDITORS)
@require_POST
def recipient_delete(request, pk):
    recipient = selectors.recipient_for(request.user, pk)
    return act(
        request,
        lambda: services.delete_recipient(recipient, actor=request.user),
        done=_("The recipient has been deleted."),
        then=_index_url(),
    )


@role_required(*EDITORS)
def operational_settings(request):
    in_force = selectors.settings_in_force()
    initial = {
        "valid_from": timezone.localdate(),
        "readings_from_day": in_force.readings_from_day,
        "readings_until_day": in_force.readings_until_day,
        "due_day": in_force.row.due_day if in_force.due_day_chosen else None,
    }
    form = forms.SettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.set_operational_settings(actor=request.user, **form.cleaned_data),
        done=_("The settings have been saved."),
        then=_index_url(),
    )
    context = {"form": form, "in_force": in_force}
    return done or render(request, "profile/settings.html", context, status=_status(form))


def _logo_page(request, form, status=200):
    context = {"form": form, "profile": selectors.profile(), "purpose": LOGO}
    return render(request, "profile/logo.html", context, status=status)


@csrf_exempt  # checked by ``_upload_logo`` once the size limit has been applied
@role_required(*EDITORS)
def logo(request):
    """The logo page; a POST uploads a new logo (refused before it is read when too large)."""
    if request.method != "POST":
        return _logo_page(request, forms.LogoForm())
    limit = LimitedUpload(LOGO.max_bytes, request)
    request.upload_handlers.insert(0, limit)
    request.POST  # noqa: B018 - parse now, under the limit
    if limit.exceeded:
        form = forms.LogoForm({}, {})
        form.full_clean()
        form.errors["logo"] = form.error_class(
            [_("The file is too large: at most %(size)s.") % {"size": LOGO.describe_size()}]
        )
        return _logo_page(request, form, status=413)
    return _upload_logo(request)


@csrf_protect
def _upload_logo(request):
    form = forms.LogoForm(request.POST, request.FILES)
    done = submit(
        request,
        form,
        lambda: _refused_beside(
            "logo", services.set_logo, form.cleaned_data["logo"], actor=request.user
        ),
        done=_("The logo has been saved."),
        then=_index_url(),
    )
    return done or _logo_page(request, form, status=_status(form))


def _refused_beside(field: str, call, *args, **kwargs):
    """Run a service call whose refusals name no field; put them beside ``field``."""
    try:
        return call(*args, **kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({field: error.messages}) from None


@role_required(*EDITORS)
@require_POST
def logo_remove(request):
    return act(
        request,
        lambda: services.remove_logo(actor=request.user),
        done=_("The logo has been removed."),
        then=_index_url(),
    )
