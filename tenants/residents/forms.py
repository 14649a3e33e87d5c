"""Forms of the registry's pages: formats are checked here, rules in ``services``.

A rule a service refuses (shares over 1, a number already taken) comes back as a
``ValidationError`` naming the field; ``core.ui.refusals.submit`` puts it beside that field.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.residents.models import (
    Building,
    DocumentKind,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
    PremisesKind,
)
from tenants.residents.services import DOCUMENT_FIELDS, PREMISES_FIELDS
from tenants.residents.validators import parse_share, validate_inn, validate_ogrn, validate_phone


class DateInput(forms.DateInput):
    """The browser's date picker; it sends ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), **kwargs)


class GroupedForm(forms.Form):
    """A form rendered in fieldsets: ``groups = [(legend or None, [field names])]``."""

    groups: list[tuple] = []

    def grouped(self):
        listed = set()
        result = []
        for legend, names in self.groups:
            present = [self[name] for name in names if name in self.fields]
            listed.update(names)
            if present:
                result.append((legend, present))
        rest = [self[name] for name in self.fields if name not in listed]
        if rest:
            result.append((None, rest))
        return result


class RegistryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Premises number, account number, or an owner's exact email or phone."),
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.all(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *PremisesKind.choices], required=False
    )
    incomplete = forms.BooleanField(label=_("Shares do not add up to 1"), required=False)

    def filters(self) -> dict:
        """The valid filters (an invalid one is shown as an error and ignored)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "building": data.get("building"),
            "kind": data.get("kind") or "",
            "incomplete_shares": bool(data.get("incomplete")),
        }


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    address = forms.CharField(label=_("address"), max_length=300, required=False)


class PremisesForm(forms.Form):
    """Register data of premises; on creation, optionally its personal account's number."""

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Premises, fields=PREMISES_FIELDS))
        self.fields["cadastral_number"].help_text = _("Optional, e.g. 77:01:0004012:1234.")
        self.fields["area"].help_text = _("Square metres, two decimals, e.g. 54.30.")
        if creating:
            self.fields["account_number"] = forms.CharField(
                label=_("Personal account number"),
                max_length=32,
                required=False,
                help_text=_("Opens the premises' personal account; can be added later."),
            )


class HolderFields(forms.Form):
    """A holder's (or person owner's) name and contacts."""

    full_name = forms.CharField(label=_("Full name"), max_length=300, required=False)
    primary_phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[validate_phone]
    )
    primary_email = forms.EmailField(label=_("Email"), required=False)

    def holder(self) -> dict:
        """The holder's data for ``Holding``: only what was given."""
        data = self.cleaned_data
        holder = {}
        if data.get("full_name"):
            holder["full_name"] = data["full_name"].strip()
        if data.get("primary_phone"):
            holder["phones"] = [data["primary_phone"].strip()]
        if data.get("primary_email"):
            holder["emails"] = [data["primary_email"].strip().lower()]
        return holder

    def person(self) -> dict:
        """The same data as a person owner's (``services.add_owner(person=...)``)."""
        data = self.cleaned_data
        return {
            "full_name": (data.get("full_name") or "").strip(),
            "primary_phone": (data.get("primary_phone") or "").strip() or None,
            "primary_email": (data.get("primary_email") or "").strip().lower() or None,
        }


class AccountForm(HolderFields):
    number = forms.CharField(label=_("Personal account number"), max_length=32)
    started_on = date_field(_("Held since"), initial=timezone.localdate)
    field_order = ["number", "started_on", "full_name", "primary_phone", "primary_email"]


class RenumberForm(forms.Form):
    number = forms.CharField(label=_("Personal account number"), max_length=32)


class HolderChangeForm(HolderFields):
    on = date_field(
        _("New holder since"),
        initial=timezone.localdate,
        help_text=_("The day the premises changed hands: today or earlier."),
    )
    register_as_owner = forms.BooleanField(
        label=_("The new holder owns the whole premises (share 1)"), required=False
    )
    keep_residents = forms.BooleanField(
        label=_("The residents keep their access to the portal"),
        required=False,
        help_text=_("Unticked, the residents who lived here before lose their access that day."),
    )
    field_order = [
        "on",
        "full_name",
        "primary_phone",
        "primary_email",
        "register_as_owner",
        "keep_residents",
    ]

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(
                _(
                    "A change of holder cannot be dated in the future: record it on the day "
                    "the premises change hands, or later."
                )
            )
        return on

    def clean(self):
        data = super().clean()
        if not data.get("full_name"):
            self.add_error("full_name", _("Enter the new holder's name."))
        return data


class OwnerFields(GroupedForm):
    """An owner's identity (a person or an organisation) and membership."""

    kind = forms.ChoiceField(
        label=_("The owner is"),
        choices=OwnerKind.choices,
        initial=OwnerKind.PERSON,
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(label=_("Full name"), max_length=300, required=False)
    primary_phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[validate_phone]
    )
    primary_email = forms.EmailField(label=_("Email"), required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    inn = forms.CharField(label=_("ИНН"), max_length=12, required=False, validators=[validate_inn])
    ogrn = forms.CharField(
        label=_("ОГРН"), max_length=15, required=False, validators=[validate_ogrn]
    )
    is_member = forms.BooleanField(label=_("Member of the partnership"), required=False)
    member_since = date_field(_("Member since"), required=False)

    groups = [
        (None, ["kind"]),
        (_("A person"), ["full_name", "primary_phone", "primary_email"]),
        (_("An organisation"), ["organisation_name", "inn", "ogrn"]),
        (_("Membership"), ["is_member", "member_since"]),
    ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == OwnerKind.ORGANISATION:
            if not data.get("organisation_name"):
                self.add_error("organisation_name", _("Enter the organisation's name."))
            if not data.get("inn") and "inn" not in self.errors:
                self.add_error("inn", _("Enter the organisation's ИНН."))
        elif data.get("kind") == OwnerKind.PERSON and not (data.get("full_name") or "").strip():
            self.add_error("full_name", _("Enter the owner's full name."))
        if data.get("is_member") and not data.get("member_since"):
            self.add_error("member_since", _("Enter the date the membership began."))
        return data

    def person(self) -> dict | None:
        data = self.cleaned_data
        if data["kind"] != OwnerKind.PERSON:
            return None
        return {
            "full_name": data["full_name"].strip(),
            "primary_phone": (data.get("primary_phone") or "").strip() or None,
            "primary_email": (data.get("primary_email") or "").strip().lower() or None,
        }

    def organisation(self) -> dict | None:
        data = self.cleaned_data
        if data["kind"] != OwnerKind.ORGANISATION:
            return None
        return {
            "name": data["organisation_name"].strip(),
            "inn": data.get("inn") or "",
            "ogrn": data.get("ogrn") or "",
        }

    def membership(self) -> dict:
        data = self.cleaned_data
        return {
            "is_member": bool(data.get("is_member")),
            "member_since": data.get("member_since") if data.get("is_member") else None,
        }


class ShareFields(GroupedForm):
    share = forms.CharField(
        label=_("Share"),
        max_length=30,
        help_text=_("A fraction like 1/2 or 1/3; 1 for the whole premises."),
    )
    joint = forms.BooleanField(
        label=_("Joint ownership without shares"),
        required=False,
        help_text=_(
            "Spouses' common property, for instance (ГК РФ ст. 253): the joint owners hold one "
            "part together (give each of them the same share, 1 for the whole premises) and "
            "give one decision for it at a meeting."
        ),
    )
    started_on = date_field(_("Owner since"))
    document_kind = forms.ChoiceField(
        label=_("Title document"),
        choices=[("", "—"), *DocumentKind.choices],
        required=False,
    )
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    document_date = date_field(_("Document date"), required=False)
    egrn_record = forms.CharField(
        label=_("ЕГРН record number"),
        max_length=60,
        required=False,
        help_text=_("The registration record number from the ЕГРН extract."),
    )

    def clean_share(self):
        return parse_share(self.cleaned_data.get("share"))

    def document(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name) or ("" if name != "document_date" else None)
            for name in DOCUMENT_FIELDS
        }


class OwnerAddForm(OwnerFields, ShareFields):
    """A new owner of a share of premises, under the current holding of one of its accounts."""

    account = forms.ModelChoiceField(
        label=_("Personal account"), queryset=PersonalAccount.objects.none()
    )

    groups = [
        (None, ["account", "kind"]),
        (_("A person"), ["full_name", "primary_phone", "primary_email"]),
        (_("An organisation"), ["organisation_name", "inn", "ogrn"]),
        (
            _("Share and title"),
            [
                "share",
                "joint",
                "started_on",
                "document_kind",
                "document_number",
                "document_date",
                "egrn_record",
            ],
        ),
        (_("Membership"), ["is_member", "member_since"]),
    ]

    def __init__(self, *args, premises: Premises, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = PersonalAccount.objects.filter(premises=premises).order_by("number")
        self.fields["account"].queryset = accounts
        self.only_account = accounts[0] if len(accounts) == 1 else None
        if self.only_account is not None:
            # One account (the usual case): nothing to choose.
            self.fields["account"].required = False
            self.fields["account"].initial = self.only_account.pk
            self.fields["account"].widget = forms.HiddenInput()
        self.fields["started_on"].initial = timezone.localdate

    def clean_account(self):
        return self.cleaned_data.get("account") or self.only_account


class OwnerEditForm(OwnerFields):
    """Corrections of an owner's data and membership (the kind stays as registered)."""

    def __init__(self, *args, owner_kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_kind = owner_kind
        drop = ["kind"] + (
            ["organisation_name", "inn", "ogrn"]
            if owner_kind == OwnerKind.PERSON
            else ["full_name", "primary_phone", "primary_email"]
        )
        for name in drop:
            del self.fields[name]

    def clean(self):
        self.cleaned_data["kind"] = self.owner_kind  # never taken from the request
        return super().clean()


class OwnershipForm(ShareFields):
    ended_on = date_field(_("Owner until"), required=False)

    groups = [
        (None, ["share", "joint", "started_on", "ended_on"]),
        (
            _("Title document"),
            ["document_kind", "document_number", "document_date", "egrn_record"],
        ),
    ]

    @staticmethod
    def initial_for(ownership: Ownership) -> dict:
        from tenants.residents.validators import format_share

        return {
            "share": format_share(ownership.share),
            "joint": ownership.joint,
            "started_on": ownership.started_on,
            "ended_on": ownership.ended_on,
            **{name: getattr(ownership, name) for name in DOCUMENT_FIELDS},
        }


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: erase this former holder's personal data for good"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
