"""Forms of the voting pages: setting a meeting up, its agenda, a ballot, a paper decision.

They only read what is typed; the services decide (dates against the rule, thresholds, who
votes for what) and their refusals are shown beside the fields (``core.ui.refusals``).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.residents.models import Building
from tenants.voting import rules
from tenants.voting.models import Choice, PollBasis, Source

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MeetingSetupForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"))
    form = forms.ChoiceField(label=_("Form"), choices=rules.MeetingForm.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Voting starts"), input_formats=[DATETIME_FORMAT], widget=DateTimeInput()
    )
    ends_at = forms.DateTimeField(
        label=_("Voting ends"), input_formats=[DATETIME_FORMAT], widget=DateTimeInput()
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.order_by("name"),
        required=False,
        empty_label=_("All buildings"),
    )
    place = forms.CharField(label=_("Place of the session"), max_length=300, required=False)
    online_basis = forms.CharField(
        label=_("Charter basis for online voting"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Where an online vote on the portal can bind (СНТ, ЖСК): the charter's clause and "
            "the meeting's decision that name the portal."
        ),
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, rules.MeetingKind(k).label) for k in kinds]


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    threshold = forms.ChoiceField(label=_("Decided by"), required=False)
    gardeners_vote = forms.BooleanField(
        label=_("Individual gardeners vote on it (estimate, contributions: 217-ФЗ ст. 17 ч. 3)"),
        required=False,
    )

    def __init__(self, *args, rule: rules.MeetingRule, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].choices = [
            ("", _("Choose the majority")),
            *rule.threshold_choices(),
        ]
        if not rule.gardeners:
            del self.fields["gardeners_vote"]


class BallotForm(forms.Form):
    """A radio group per register line × question: ``v-<line>-q-<question>``."""

    def __init__(self, *args, lines, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.questions = list(questions)
        from django.utils import timezone

        today = timezone.localdate()
        for line in lines:
            if line.voter.ends_on is not None and line.voter.ends_on <= today:
                continue  # the premises changed hands: its new owner decides now
            for question in self.questions:
                if line.voter.kind == "gardener" and not question.gardeners_vote:
                    continue
                current = line.choices.get(question.pk)
                self.fields[self.field_name(line.voter, question)] = forms.ChoiceField(
                    label=question.text,
                    choices=Choice.choices,
                    widget=forms.RadioSelect,
                    required=False,
                    initial=current.choice if current else None,
                )

    @staticmethod
    def field_name(voter, question) -> str:
        return f"v-{voter.pk}-q-{question.pk}"

    def rows(self):
        """(line, [(question, bound field)]) for the template."""
        for line in self.lines:
            fields = [
                (question, self[self.field_name(line.voter, question)])
                for question in self.questions
                if self.field_name(line.voter, question) in self.fields
            ]
            yield line, fields

    def choices_by_line(self) -> list[tuple]:
        """(line, {question id: choice}) for the lines where something was chosen."""
        found = []
        for line in self.lines:
            chosen = {
                question.pk: self.cleaned_data[self.field_name(line.voter, question)]
                for question in self.questions
                if self.cleaned_data.get(self.field_name(line.voter, question))
            }
            if chosen:
                found.append((line, chosen))
        return found


class PaperDecisionForm(forms.Form):
    voter = forms.ChoiceField(label=_("Register line"))
    source = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Source.PAPER, Source.PAPER.label), (Source.IN_PERSON, Source.IN_PERSON.label)],
    )
    scan = forms.FileField(label=_("Scan of the signed decision"), required=False)

    def __init__(self, *args, voters, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = {str(v.pk): v for v in voters}
        self.fields["voter"].choices = [("", "—")] + [
            (str(v.pk), v.label or str(v.position + 1)) for v in voters
        ]
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q-{question.pk}"] = forms.ChoiceField(
                label=f"{question.number}. {question.text}",
                choices=Choice.choices,
                widget=forms.RadioSelect,
                required=False,
            )

    def question_fields(self):
        return [self[f"q-{q.pk}"] for q in self.questions]

    def chosen(self) -> dict:
        return {
            q.pk: self.cleaned_data[f"q-{q.pk}"]
            for q in self.questions
            if self.cleaned_data.get(f"q-{q.pk}")
        }

    def voter_object(self):
        return self.voters.get(self.cleaned_data["voter"])


class ProxyForm(forms.Form):
    """A power of attorney for one of the reader's register lines (or any, for the board)."""

    voter = forms.ChoiceField(label=_("Register line"))
    representative_email = forms.EmailField(
        label=_("Representative's email on the portal"),
        required=False,
        help_text=_(
            "Leave it empty when the representative signs a paper decision: the board enters it."
        ),
    )
    document = forms.FileField(label=_("Power of attorney (scan or photo)"))

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = {str(v.pk): v for v in voters}
        self.fields["voter"].choices = [(str(v.pk), v.label or "—") for v in voters]

    def voter_object(self):
        return self.voters.get(self.cleaned_data["voter"])


class RepresentationForm(forms.Form):
    """A login representing an organisation that owns premises on the register."""

    voter = forms.ChoiceField(label=_("The organisation's premises"))
    basis = forms.ChoiceField(label=_("You represent it as"), widget=forms.RadioSelect)
    document = forms.FileField(
        label=_("Document (scan or photo)"),
        help_text=_(
            "The head: the extract from ЕГРЮЛ or the decision appointing you. Anyone else: the "
            "organisation's power of attorney."
        ),
    )

    def __init__(self, *args, voters, **kwargs):
        from tenants.voting.models import ProxyBasis

        super().__init__(*args, **kwargs)
        self.voters = {str(v.pk): v for v in voters}
        self.fields["voter"].choices = [(str(v.pk), v.label or "—") for v in voters]
        self.fields["basis"].choices = ProxyBasis.choices

    def voter_object(self):
        return self.voters.get(self.cleaned_data["voter"])


class ProxyDecisionForm(forms.Form):
    accept = forms.BooleanField(required=False)
    reason = forms.CharField(label=_("Reason for refusing"), max_length=300, required=False)


class PollSetupForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(
        label=_("Answers, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2200,
    )
    basis = forms.ChoiceField(label=_("Who votes"), choices=PollBasis.choices)
    closes_at = forms.DateTimeField(
        label=_("Closes"), input_formats=[DATETIME_FORMAT], widget=DateTimeInput()
    )

    def option_texts(self) -> list[str]:
        return self.cleaned_data["options"].splitlines()


class PollAnswerForm(forms.Form):
    option = forms.ChoiceField(label=_("Your answer"), widget=forms.RadioSelect)
    premises = forms.ChoiceField(label=_("Premises"), required=False)

    def __init__(self, *args, poll, premises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(str(o.pk), o.text) for o in poll.options.all()]
        if poll.basis == PollBasis.PREMISES and len(premises) > 1:
            self.fields["premises"].choices = [(str(p.pk), str(p)) for p in premises]
        else:
            del self.fields["premises"]


class DemandSettingForm(forms.Form):
    """The charter's threshold for demanding a meeting (where the law leaves it to the charter)."""

    kind = forms.ChoiceField(label=_("Kind of meeting"))
    share = forms.CharField(
        label=_("Share of all votes"),
        max_length=30,
        help_text=_("A fraction like 1/10 or 1/5, as the charter says."),
    )
    strict = forms.BooleanField(label=_('More than this share (not "at least")'), required=False)
    days = forms.IntegerField(
        label=_("Days for the board to call the meeting"), min_value=1, max_value=365
    )
    clause = forms.CharField(label=_("Charter clause"), max_length=300)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, rules.MeetingKind(k).label) for k in kinds]

    def clean_share(self):
        from tenants.residents.shares import parse_share

        return parse_share(self.cleaned_data.get("share"))


class DemandForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"))
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.order_by("name"),
        required=False,
        empty_label=_("All buildings"),
    )
    agenda = forms.CharField(
        label=_("Questions for the meeting"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, rules.MeetingKind(k).label) for k in kinds]
