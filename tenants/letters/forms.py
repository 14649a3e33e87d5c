"""Forms of the letters' pages. They only shape the input: the services check and refuse (their
refusals come back beside the fields through ``core.ui.refusals``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.letters.models import MAX_SUBJECT, MAX_TEXT, FieldKind

#: Forms accept a little more than the services keep, so an oversized text gets the services'
#: message (with its length) instead of a browser's silent cut.
SLACK = 1000


def _account_label(account) -> str:
    premises = account.premises
    if premises is None:
        return str(_("account %(number)s") % {"number": account.number})
    return str(
        _("%(building)s, %(premises)s %(number)s (account %(account)s)")
        % {
            "building": premises.building.name,
            "premises": premises.get_kind_display().lower(),
            "number": premises.number,
            "account": account.number,
        }
    )


class AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _account_label(obj)


class _AccountForm(forms.Form):
    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        accounts = list(accounts)
        if len(accounts) == 1:
            self.fields["account"].initial = accounts[0].pk
            self.fields["account"].widget = forms.HiddenInput()


class AskForm(_AccountForm):
    account = AccountChoice(
        queryset=None,
        label=_("For the personal account"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own personal accounts.")},
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=MAX_SUBJECT + SLACK, required=False, strip=False
    )
    text = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_TEXT + SLACK,
        required=False,
        strip=False,
        help_text=_("The chairman answers in writing; you will be told when the answer comes."),
    )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT + SLACK,
        required=False,
        strip=False,
    )


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_SUBJECT + SLACK, required=False)
    question_text = forms.CharField(
        label=_("The question, as members will read it"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT + SLACK,
        required=False,
        help_text=_(
            "Write it anew without names, flat numbers, phones or anything that points to a person."
        ),
    )
    answer_text = forms.CharField(
        label=_("The answer, as members will read it"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_TEXT + SLACK,
        required=False,
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Find in the answers"), max_length=200, required=False)


class TermForm(forms.Form):
    days = forms.IntegerField(
        label=_("Answer within, working days"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("Leave empty to follow the law's term."),
    )
    valid_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_SUBJECT)
    description = forms.CharField(
        label=_("Description for members"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )
    preamble = forms.CharField(
        label=_("Text above the fields"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Printed in the application, e.g. «Прошу принять меня в члены товарищества»."),
    )
    is_active = forms.BooleanField(label=_("Accepted now"), required=False, initial=True)
    position = forms.IntegerField(label=_("Position in the list"), min_value=0, initial=100)


class FieldRowForm(forms.Form):
    label = forms.CharField(label=_("Field"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldKind.choices, initial=FieldKind.TEXT)
    required = forms.BooleanField(label=_("Required"), required=False)
    help = forms.CharField(label=_("Hint"), max_length=150, required=False)


FieldRows = forms.formset_factory(FieldRowForm, extra=3, max_num=20, absolute_max=20)


class ApplicationForm(_AccountForm):
    """The account plus one field per template field (``f1``, ``f2``…)."""

    account = AccountChoice(
        queryset=None,
        label=_("For the personal account"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your own personal accounts.")},
    )

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        for field in template.fields:
            self.fields[field["name"]] = self._field(field)

    @staticmethod
    def _field(spec: dict) -> forms.Field:
        common = {"label": spec["label"], "required": False, "help_text": spec.get("help", "")}
        kind = spec["kind"]
        if kind == FieldKind.CHECKBOX:
            return forms.BooleanField(**common)
        if kind == FieldKind.DATE:
            return forms.CharField(
                widget=forms.DateInput(attrs={"type": "date"}), max_length=20, **common
            )
        if kind == FieldKind.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 5}),
                max_length=MAX_TEXT + SLACK,
                strip=False,
                **common,
            )
        return forms.CharField(max_length=300 + SLACK, strip=False, **common)

    def values(self) -> dict:
        return {f["name"]: self.cleaned_data.get(f["name"]) for f in self.template.fields}


class AnswerApplicationForm(MessageForm):
    pass
