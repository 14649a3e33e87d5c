"""Forms of the payment pages. They check shapes only; the services decide (and refuse)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.ledger.payments.models import PaymentSource

#: The largest bank statement accepted (the view refuses a bigger body before reading it).
STATEMENT_LIMIT = 5 * 1024 * 1024

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$|^\s*(\d{1,2})[./](\d{4})\s*$")


class MonthInput(forms.CharField):
    """A month as ``YYYY-MM`` (``<input type="month">``) or ``MM.YYYY``; the first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-02"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        found = _MONTH.match(value)
        if not found:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        year, month = (found[1], found[2]) if found[1] else (found[4], found[3])
        try:
            return datetime.date(int(year), int(month), 1)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None


def _date_field(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class PaymentForm(forms.Form):
    account = forms.CharField(label=_("personal account"), max_length=32)
    amount = forms.DecimalField(label=_("amount, ₽"), max_digits=14, decimal_places=2)
    paid_on = _date_field(_("paid on"))
    source = forms.ChoiceField(
        label=_("source"),
        choices=[(s.value, s.label) for s in (PaymentSource.CASH, PaymentSource.BANK)],
    )
    source_id = forms.CharField(label=_("receipt or payment order number"), max_length=120)
    named_period = MonthInput(label=_("for the month (if the payer named one)"), required=False)


class StatementForm(forms.Form):
    file = forms.FileField(
        label=_("bank statement (1С «Клиент-банк» .txt or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv"}),
    )


class AssignForm(forms.Form):
    account = forms.CharField(label=_("personal account"), max_length=32)
    named_period = MonthInput(label=_("for the month"), required=False)


class DebtorFilter(forms.Form):
    min_debt = forms.DecimalField(
        label=_("debt from, ₽"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    min_months = forms.IntegerField(
        label=_("months overdue, at least"), required=False, min_value=0, max_value=600
    )
    building = forms.ModelChoiceField(label=_("building"), queryset=None, required=False)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings


class InstalmentForm(forms.Form):
    account = forms.CharField(label=_("personal account"), max_length=32)
    total = forms.DecimalField(label=_("debt in instalments, ₽"), max_digits=14, decimal_places=2)
    months = forms.IntegerField(
        label=pgettext_lazy("payment pages", "months"), min_value=1, max_value=60
    )
    first_due_on = _date_field(_("first payment due on"))
    agreed_on = _date_field(_("agreed on"))
    decision = forms.CharField(label=_("board's decision"), max_length=200)
