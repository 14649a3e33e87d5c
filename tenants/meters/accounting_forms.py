"""Forms of the accountant's pages (the table's filter, norms, coefficients, the import)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.meters.models import MeterKind, NormBasis

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NormForm(forms.Form):
    kind = forms.ChoiceField(label=_("resource"), choices=MeterKind.choices)
    valid_from = forms.DateField(label=_("valid from"), widget=DATE)
    value = forms.DecimalField(label=_("norm"), max_digits=12, decimal_places=4, min_value=0)
    basis = forms.ChoiceField(label=_("basis"), choices=NormBasis.choices)


class CoefficientForm(forms.Form):
    kind = forms.ChoiceField(label=_("resource"), choices=MeterKind.choices)
    valid_from = forms.DateField(label=_("valid from"), widget=DATE)
    value = forms.DecimalField(label=_("coefficient"), max_digits=6, decimal_places=3)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
