"""The accountant's forms: a service, a tariff, a run's month, a month to close."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.ledger.models import Method, Service


class MonthField(forms.DateField):
    """A month typed as ``YYYY-MM`` (``<input type="month">``), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "method",
            "unit",
            "meter_kind",
            "is_capital_repair",
            "recipient",
            "is_active",
            "order",
        ]


class TariffForm(forms.Form):
    valid_from = forms.DateField(
        label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rate = forms.DecimalField(label=_("rate, roubles per unit"), max_digits=12, decimal_places=4)
    norm = forms.DecimalField(
        label=_("norm per m²"), max_digits=12, decimal_places=6, required=False
    )
    basis = forms.CharField(label=_("decision"), max_length=200, required=False)


class MonthForm(forms.Form):
    month = MonthField(label=_("month"))


METHODS = Method
