"""Forms of the People pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.access.roles import STAFF_ROLES, Role


def staff_role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role if role in STAFF_ROLES]


class RolesForm(forms.Form):
    """A person's staff roles as checkboxes (the chair is handed over, never ticked here)."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=staff_role_choices,
        widget=forms.CheckboxSelectMultiple,
    )


class AppointForm(forms.Form):
    """Staff roles for the person with this email: a login here gets them at once, anyone else
    an invitation by email."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Enter a valid email address.")},
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=staff_role_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )


class HandoverForm(forms.Form):
    """The chairman names the successor among the staff."""

    successor = forms.ChoiceField(label=_("Successor"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.pk): user for user in candidates}
        self.fields["successor"].choices = [("", _("Choose the successor"))] + [
            (pk, _person_label(user)) for pk, user in self.candidates.items()
        ]

    def clean_successor(self):
        user = self.candidates.get(self.cleaned_data["successor"])
        if user is None:
            raise forms.ValidationError(_("Choose the successor from the list."))
        return user


def _person_label(user) -> str:
    roles = ", ".join(str(Role(role).label) for role in user.roles if role in STAFF_ROLES)
    name = user.full_name or user.email
    return f"{name} ({roles})" if roles else name
