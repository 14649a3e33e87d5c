"""Forms of the plan pages (the chairman's) and of the console's billing page (operators')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.plans.models import PaymentMethod


def _plan_choices():
    from billing.plans import selectors

    return [(plan.code, plan.display_name) for plan in selectors.public_plans()]


class ChangePlanForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), choices=())
    method = forms.ChoiceField(
        label=_("How to pay"),
        choices=[(PaymentMethod.INVOICE, PaymentMethod.INVOICE.label)],
        initial=PaymentMethod.INVOICE,
        required=False,
    )

    def __init__(self, *args, card: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = _plan_choices()
        if card:
            self.fields["method"].choices = [
                (PaymentMethod.STRIPE, PaymentMethod.STRIPE.label),
                (PaymentMethod.INVOICE, PaymentMethod.INVOICE.label),
            ]


class GrantPlanForm(forms.Form):
    plan = forms.ChoiceField(label=_("Plan"), choices=())
    until = forms.DateField(label=_("Paid up to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = _plan_choices()


class ExtendTrialForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=90, initial=14)


class StatementForm(forms.Form):
    lines = forms.CharField(
        label=_("Bank statement lines"),
        help_text=_("One payment a line: date;amount;purpose;document number."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
    )
