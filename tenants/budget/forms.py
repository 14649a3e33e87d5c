"""The budget's forms: an estimate, a line, a revision, the meeting's decision, an expenditure."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.budget.models import Article, Basis, DecisionForm
from tenants.voting.forms import DATETIME_FORMAT, DateTimeInput


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


class VoteForm(forms.Form):
    """Putting the estimate on a members' meeting's agenda: an existing draft or a new one."""

    meeting = forms.ChoiceField(label=_("Meeting"), required=False)
    form = forms.ChoiceField(label=_("Form of the meeting"), required=False)
    starts_at = forms.DateTimeField(
        label=_("Voting starts"),
        required=False,
        input_formats=[DATETIME_FORMAT],
        widget=DateTimeInput(),
    )
    ends_at = forms.DateTimeField(
        label=_("Voting ends"),
        required=False,
        input_formats=[DATETIME_FORMAT],
        widget=DateTimeInput(),
    )
    place = forms.CharField(label=_("Place of the session"), max_length=300, required=False)
    online_basis = forms.CharField(
        label=_("Charter basis for online voting"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "СНТ: the charter's clause and the general meeting's decision that name the portal "
            "(217-ФЗ ст. 17.1)."
        ),
    )
    threshold = forms.ChoiceField(label=_("Decided by"))
    takes_effect_on = forms.DateField(
        label=_("Rates apply from"),
        widget=DateInput,
        required=False,
        help_text=_("The date the decision sets; the decision's date if empty."),
    )

    def __init__(self, *args, meetings=(), forms_allowed=(), thresholds=(), online=False, **kw):
        super().__init__(*args, **kw)
        self.fields["meeting"].choices = [("", _("A new members' meeting")), *meetings]
        self.fields["form"].choices = list(forms_allowed)
        self.fields["threshold"].choices = list(thresholds)
        if not online:
            del self.fields["online_basis"]

    def clean(self):
        data = super().clean()
        if not data.get("meeting"):
            for name in ("form", "starts_at", "ends_at"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data

    def new_meeting(self) -> dict | None:
        data = self.cleaned_data
        if data.get("meeting"):
            return None
        return {
            "form": data["form"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data.get("place", ""),
            "online_basis": data.get("online_basis", ""),
        }


class ExpenditureForm(forms.Form):
    line = forms.ChoiceField(label=_("Line"))
    work_order = forms.ChoiceField(
        label=_("Closed work order"),
        required=False,
        help_text=_(
            "A closed dispatch work order with a cost: its supplier, number, closing date and "
            "cost are posted. Leave empty to enter an expenditure by hand."
        ),
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    document = forms.CharField(label=_("Document"), max_length=200, required=False)
    spent_on = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    amount = forms.DecimalField(
        label=_("Amount, ₽"), max_digits=14, decimal_places=2, required=False
    )

    def __init__(self, *args, lines=(), work_orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [(str(line.pk), line.name) for line in lines]
        if work_orders:
            self.fields["work_order"].choices = [
                ("", "—"),
                *(
                    (
                        str(order["pk"]),
                        f"№ {order['number']} · {order['supplier__name']} · {order['cost']} ₽",
                    )
                    for order in work_orders
                ),
            ]
        else:
            del self.fields["work_order"]

    def clean(self):
        data = super().clean()
        if not data.get("work_order"):
            for name in ("supplier", "spent_on", "amount"):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data
