"""The signup form and the subdomain form of the confirmation page.

Every check a board can fail answers beside its field, in the page's language: a reserved or
taken subdomain, an ИНН or ОГРН with a typo, an ИНН already registered (with the operators'
address), a weak password. Bots meet a honeypot field and a minimum time to fill the form,
signed into the form itself.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from associations import selectors as association_selectors
from associations.models import AssociationKind
from associations.validators import (
    digits_only,
    normalize_subdomain,
    validate_ogrn,
    validate_organisation_inn,
    validate_subdomain,
)
from signup.timezones import DEFAULT_ZONE, is_known_zone, time_zone_choices

STARTED_SALT = "signup.forms.started"


def started_token() -> str:
    """When the form was shown, signed: a bot cannot claim it filled the form slowly."""
    return signing.dumps(time.time(), salt=STARTED_SALT)


def subdomain_problem(value: str) -> str | None:
    """Why ``value`` cannot be a new portal's subdomain (a message), or None if it is free."""
    try:
        validate_subdomain(value)
    except ValidationError as error:
        return error.messages[0]
    if association_selectors.subdomain_taken(value):
        return str(_("This address is already taken. Choose another one."))
    return None


def inn_taken_message() -> str:
    return _(
        "An association with this ИНН is already registered on the portal. If it is yours and "
        "you cannot sign in, write to the operators at %(email)s."
    ) % {"email": settings.SIGNUP_OPERATORS_EMAIL}


class SubdomainField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Portal address"))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_subdomain(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        problem = subdomain_problem(value)
        if problem:
            raise ValidationError(problem, code="unavailable")


def _subdomain_widget() -> forms.TextInput:
    """The live availability check: htmx asks the server while the board types."""
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
            "inputmode": "url",
            "hx-get": reverse("signup:check-subdomain", urlconf=settings.PUBLIC_SCHEMA_URLCONF),
            "hx-trigger": "input changed delay:400ms, blur",
            "hx-target": "#slug-status",
            "hx-sync": "this:replace",
            "aria-describedby": "slug-status",
        }
    )


class _Person(SimpleNamespace):
    """The future chairman as the password similarity validator sees a user: the attributes it
    compares the password with, and their names for its message."""

    class _meta:  # noqa: N801 - the validator reads ``user._meta.get_field(name).verbose_name``
        labels = {
            "email": _("email"),
            "username": _("email"),
            "first_name": _("name"),
            "last_name": _("surname"),
        }

        @classmethod
        def get_field(cls, name):
            return SimpleNamespace(verbose_name=cls.labels[name])


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the partnership"),
        max_length=200,
        help_text=_("As in the charter, for example ТСЖ «Берёзка»."),
    )
    kind = forms.ChoiceField(label=_("Legal form"), choices=AssociationKind.choices)
    inn = forms.CharField(
        label=_("ИНН"),
        required=False,
        max_length=16,
        help_text=_("10 digits. Leave it empty while the partnership is being registered."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ogrn = forms.CharField(
        label=_("ОГРН"),
        required=False,
        max_length=20,
        help_text=_("13 digits. Leave it empty while the partnership is being registered."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    slug = SubdomainField()
    time_zone = forms.ChoiceField(label=_("Time zone"), initial=DEFAULT_ZONE)
    chairman_name = forms.CharField(
        label=_("Chairman's full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Chairman's email"),
        help_text=_("We send the confirmation link here. It is also the chairman's login."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree to the processing of the personal data above to create the portal "
            "(Federal Law 152-ФЗ)."
        ),
        error_messages={"required": _("The portal cannot be created without this consent.")},
    )
    # Bot protection: people never see this field (it is moved off screen); bots fill it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].widget = _subdomain_widget()
        self.fields["slug"].help_text = _("Latin letters, digits and hyphens: %(example)s") % {
            "example": f"berezka.{settings.BASE_DOMAIN}"
        }
        self.fields["time_zone"].choices = time_zone_choices()
        if not self.is_bound:
            self.initial.setdefault("started", started_token())
        #: True when the honeypot was filled: the view pretends success and creates nothing.
        self.is_bot = False

    # -- fields --------------------------------------------------------------------------------
    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise ValidationError(_("Enter the partnership's full name."))
        return name

    def clean_inn(self):
        inn = digits_only(self.cleaned_data["inn"])
        if not inn:
            return ""
        validate_organisation_inn(inn)
        if association_selectors.inn_registered(inn):
            raise ValidationError(inn_taken_message(), code="registered")
        return inn

    def clean_ogrn(self):
        ogrn = digits_only(self.cleaned_data["ogrn"])
        if ogrn:
            validate_ogrn(ogrn)
        return ogrn

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        if not is_known_zone(value):
            raise ValidationError(_("Choose a time zone from the list."))
        return value

    def clean_chairman_name(self):
        return " ".join(self.cleaned_data["chairman_name"].split())

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    # -- the whole form ------------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.is_bot = True
        self._check_fill_time()
        inn, ogrn = cleaned.get("inn"), cleaned.get("ogrn")
        if "inn" in cleaned and "ogrn" in cleaned and bool(inn) != bool(ogrn):
            missing = "ogrn" if inn else "inn"
            self.add_error(
                missing,
                _(
                    "Enter both the ИНН and the ОГРН, or leave both empty while the partnership "
                    "is being registered."
                ),
            )
        self._check_password(cleaned)
        return cleaned

    def _check_fill_time(self) -> None:
        try:
            shown_at = signing.loads(
                self.data.get("started", ""),
                salt=STARTED_SALT,
                max_age=settings.SIGNUP_FORM_MAX_AGE,
            )
        except signing.BadSignature:
            self.add_error(None, _("This form has expired. Check the fields and send it again."))
            self._restart()
            return
        if time.time() - float(shown_at) < settings.SIGNUP_MIN_FILL_SECONDS:
            self.add_error(
                None,
                _("The form was sent faster than a person can fill it. Check it and send again."),
            )

    def _restart(self) -> None:
        """Show the form again with a fresh start time (its old one was missing or stale)."""
        self.data = self.data.copy()
        self.data["started"] = started_token()

    def _check_password(self, cleaned) -> None:
        password, repeated = cleaned.get("password1"), cleaned.get("password2")
        if not password:
            return
        if repeated is not None and password != repeated:
            self.add_error("password2", _("The two passwords differ."))
            return
        full_name = cleaned.get("chairman_name") or ""
        first, _sep, last = full_name.partition(" ")
        email = cleaned.get("email") or ""
        person = _Person(
            email=email, username=email.partition("@")[0], first_name=first, last_name=last
        )
        try:
            validate_password(password, user=person)
        except ValidationError as error:
            self.add_error("password1", error)

    def signup_data(self) -> dict:
        """The association's and the chairman's details (no password) for the pending signup."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "inn": data["inn"],
            "ogrn": data["ogrn"],
            "slug": data["slug"],
            "time_zone": data["time_zone"],
            "chairman_name": data["chairman_name"],
            "email": data["email"],
        }


class SubdomainForm(forms.Form):
    """On the confirmation page: the subdomain again, in case someone took it meanwhile."""

    slug = SubdomainField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].widget = _subdomain_widget()
