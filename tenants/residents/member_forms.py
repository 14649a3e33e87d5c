"""Forms of the register of members and of the registered residents."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.residents.forms import date_field


class RegisterDayForm(forms.Form):
    on = date_field(_("On"), required=False)


class AdmitForm(forms.Form):
    applied_on = date_field(_("Application date"), required=False)
    admitted_on = date_field(_("Admitted on"))
    decision = forms.CharField(
        label=_("Decision"),
        max_length=200,
        required=False,
        help_text=_("For example: minutes of the general meeting No. 3 of 12.03.2024."),
    )


class ExitForm(forms.Form):
    exited_on = date_field(_("Exited on"))
    decision = forms.CharField(label=_("Decision or reason"), max_length=200, required=False)


class FindRecordForm(forms.Form):
    account = forms.CharField(label=_("Account number of the other premises"), max_length=32)


class RegisterResidentForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    started_on = date_field(_("Registered from"))


class DeregisterForm(forms.Form):
    ended_on = date_field(_("Registered until"))
