"""Forms of the profile pages. They only shape the input: the rules (check digits, control keys,
the law's due day) are the services', whose refusals appear beside these fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import legal_details

#: The time zones of Russia (IANA), west to east.
RUSSIAN_TIME_ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Volgograd",
    "Europe/Kirov",
    "Europe/Astrakhan",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Barnaul",
    "Asia/Tomsk",
    "Asia/Novokuznetsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Khandyga",
    "Asia/Vladivostok",
    "Asia/Ust-Nera",
    "Asia/Magadan",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Kamchatka",
    "Asia/Anadyr",
)


def _text(label, *, max_length=200, required=False, help_text="", **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


class LegalDetailsForm(forms.Form):
    name = _text(_("Name"), required=True)
    kind = forms.ChoiceField(label=_("Legal form"))
    inn = _text(_("ИНН"), max_length=20, inputmode="numeric", autocomplete="off")
    ogrn = _text(_("ОГРН"), max_length=20, inputmode="numeric", autocomplete="off")
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args, current_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = legal_details.kind_choices()
        zones = list(RUSSIAN_TIME_ZONES)
        if current_zone and current_zone not in zones:
            zones.insert(0, current_zone)
        self.fields["time_zone"].choices = [(zone, zone) for zone in zones]


class ContactsForm(forms.Form):
    kpp = _text(
        _("КПП"),
        max_length=20,
        help_text=_("9 characters, from the registration certificate."),
        autocomplete="off",
    )
    legal_address = forms.CharField(
        label=_("Legal address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phone = _text(_("Phone"), max_length=40, inputmode="tel")
    email = _text(_("Email"), max_length=254, inputmode="email")
    office_hours = forms.CharField(
        label=_("Office hours"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    board = forms.CharField(
        label=_("The board as members see it"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One person per line, for example “Chairman of the board — Ivanov I. I.”."),
    )

    def board_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["board"].splitlines() if line.strip()]


class RecipientForm(forms.Form):
    title = _text(
        _("Title"),
        max_length=100,
        help_text=_("How the board tells recipients apart: “Current account”, “Capital repairs”."),
    )
    recipient_name = _text(_("Recipient"), max_length=160)
    account = _text(_("Settlement account"), max_length=40, inputmode="numeric", autocomplete="off")
    bank_name = _text(_("Bank"), max_length=160)
    bic = _text(_("БИК"), max_length=20, inputmode="numeric", autocomplete="off")
    corr_account = _text(
        _("Correspondent account"), max_length=40, inputmode="numeric", autocomplete="off"
    )
    is_main = forms.BooleanField(label=_("Main recipient"), required=False)


class SettingsForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    readings_from_day = forms.IntegerField(label=_("Readings accepted from day"))
    readings_until_day = forms.IntegerField(label=_("Readings accepted until day"))
    due_day = forms.IntegerField(
        label=_("Payment due day (of the following month)"),
        required=False,
        help_text=_("Leave empty where the law or the charter sets the day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_(
            "PNG, JPEG or WebP, up to 2 MB. It is shown in the portal's header and on receipts."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
