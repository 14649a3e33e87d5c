"""The budget's forms: an estimate, a line, a revision, the meeting's decision, an expenditure."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.budget.models import Article, Basis, DecisionForm


class DateInput(forms.DateInput):
    input_type = "date"


class EstimateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    copy_last = forms.BooleanField(
        label=_("Start from last year's lines"), required=False, initial=True
    )


class LineForm(forms.Form):
    article = forms.ChoiceField(label=_("Article"), choices=Article.choices)
    name = forms.CharField(label=_("Line"), max_length=200)
    planned = forms.DecimalField(label=_("Planned a year, ₽"), max_digits=14, decimal_places=2)
    basis = forms.ChoiceField(label=_("Shared"), choices=Basis.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, initial=100)


class ReviseForm(forms.Form):
    reason = forms.CharField(label=_("What changed and why"), max_length=500)


class MeetingDecisionForm(forms.Form):
    adopted = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("adopted")), ("no", _("not adopted"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Date of the decision"), widget=DateInput)
    form = forms.ChoiceField(label=_("Form of the meeting"), choices=DecisionForm.choices)
    protocol_number = forms.CharField(label=_("Protocol number"), max_length=40)
    protocol_file = forms.FileField(label=_("Protocol (PDF or a scan)"), required=False)
    rates_from = forms.DateField(
        label=_("Rates apply from"),
        widget=DateInput,
        required=False,
        help_text=_("The date the decision set; the decision's date if empty."),
    )


class ExpenditureForm(forms.Form):
    line = forms.ChoiceField(label=_("Line"))
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    document = forms.CharField(label=_("Document"), max_length=200, required=False)
    spent_on = forms.DateField(label=_("Date"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount, ₽"), max_digits=14, decimal_places=2)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(str(line.pk), line.name) for line in lines]
