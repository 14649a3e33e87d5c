"""Forms of the invitation pages: the board's invite form and the invitee's accept forms."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenants.invitations import selectors
from tenants.invitations.models import InvitationKind
from tenants.residents.models import Premises


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def premises_from(value) -> Premises | None:
    pk = _as_uuid(value)
    return Premises.objects.select_related("building").filter(pk=pk).first() if pk else None


class InviteForm(forms.Form):
    """Premises, owner or resident, the owner record (owners only), and the email.

    The pickers are plain choice fields filled from the selectors: the owner list is evaluated
    as one queryset, so its names are decrypted with the keys fetched in one wave.
    """

    premises = forms.ChoiceField(label=_("Premises"))
    kind = forms.ChoiceField(
        label=_("Invite"),
        choices=InvitationKind.choices,
        initial=InvitationKind.OWNER,
        widget=forms.RadioSelect,
    )
    owner = forms.ChoiceField(
        label=_("Owner record"),
        required=False,
        help_text=_("For an owner: the record in the register this person's login is linked to."),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Enter a valid email address.")},
    )

    def __init__(self, *args, premises: Premises | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            premises = premises_from(self.data.get("premises"))
        self.selected_premises = premises
        # A callable: the premises list is read only when the select is rendered or validated.
        self.fields["premises"].choices = lambda: [
            ("", _("Choose the premises")),
            *selectors.premises_choices(),
        ]
        if premises is not None:
            self.initial.setdefault("premises", str(premises.pk))
        self.owners = {str(owner.pk): owner for owner in selectors.owners_to_invite(premises)}
        self.fields["owner"].choices = owner_choices(self.owners.values())
        self.no_owners = premises is not None and not self.owners
        # htmx: choosing the premises reloads the owner-record picker for it.
        self.fields["premises"].widget.attrs.update(
            {
                "hx-get": reverse("invitations:owner-options"),
                "hx-trigger": "change",
                "hx-target": "#owner-field",
                "hx-swap": "outerHTML",
            }
        )

    def clean_premises(self):
        premises = premises_from(self.cleaned_data["premises"])
        if premises is None:
            raise forms.ValidationError(_("Choose the premises."))
        return premises

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        return self.owners.get(value) if value else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == InvitationKind.OWNER and not cleaned.get("owner"):
            self.add_error("owner", _("Choose the owner record this person will be linked to."))
        return cleaned


def owner_choices(owners) -> list[tuple[str, str]]:
    choices = [("", _("Choose the owner"))]
    for owner in owners:
        choices.append((str(owner.pk), owner.display_name or _("Owner without a name")))
    return choices


class SetPasswordForm(forms.Form):
    """A new person chooses their name and password (Django's password validators)."""

    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Enter the same one twice."))
        elif first:
            candidate = get_user_model()(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInToAcceptForm(forms.Form):
    """A person who already has a login here confirms it with their password."""

    password = forms.CharField(
        label=_("Your password on this portal"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
