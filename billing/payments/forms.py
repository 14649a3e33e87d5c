"""Forms of the online payment pages: shapes only; the services decide and refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.payments.models import Provider


class PayForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount, ₽"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("The amount due is filled in; you may pay more (it stays as credit)."),
    )
    period = forms.TypedChoiceField(
        label=_("What it pays"),
        required=False,
        choices=(),
        help_text=_("Without a month, the oldest debt is paid first."),
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.formats import date_format

        self.fields["period"].choices = [("", _("The oldest debt first"))] + [
            (month.isoformat(), date_format(month, "F Y")) for month in months
        ]

    def clean_period(self):
        import datetime

        value = self.cleaned_data.get("period")
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(_("Choose a month from the list.")) from None


class SettingsForm(forms.Form):
    provider = forms.ChoiceField(
        label=_("Way to pay online"), choices=Provider.choices, required=False
    )
    stripe_account = forms.CharField(
        label=_("Stripe connected account"),
        max_length=64,
        required=False,
        help_text=_("acct_… of the association's account connected to the platform."),
    )
    stripe_webhook_secret = forms.CharField(
        label=_("Stripe webhook secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Left blank: the saved one stays."),
    )
    tbank_terminal_key = forms.CharField(
        label=_("T-Bank terminal key"), max_length=64, required=False
    )
    tbank_password = forms.CharField(
        label=_("T-Bank terminal password"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Left blank: the saved one stays."),
    )


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount, ₽"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=300)
