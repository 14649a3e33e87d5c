"""Forms of the console: search and filters, suspension, deletion, audit log filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import AssociationKind, AssociationStatus
from console.selectors import NO_PLAN
from console.services import REASON_MAX_LENGTH


class AssociationSearchForm(forms.Form):
    """GET form of the list. An invalid filter is reported beside its field and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, subdomain or ИНН")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *AssociationKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *AssociationStatus.choices],
    )
    plan = forms.ChoiceField(label=_("Plan"), required=False)

    def __init__(self, *args, plans: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [
            ("", _("Any plan")),
            (NO_PLAN, _("No plan")),
            *[(plan, plan) for plan in plans],
        ]

    def filters(self) -> dict:
        """The valid filters (invalid ones are left out; their errors show on the page)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "kind", "status", "plan")}


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for suspension"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Members of the association see it on every page of their portal."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason: members will see it on every page.")},
    )


class DeleteForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the subdomain to confirm"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
        error_messages={"required": _("Type the subdomain exactly as shown to confirm.")},
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action"))] + [(a, a) for a in actions]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        self.is_valid()
        return {
            "action": self.cleaned_data.get("action") or "",
            "date_from": self.cleaned_data.get("date_from"),
            "date_to": self.cleaned_data.get("date_to") if "date_to" not in self.errors else None,
        }


class ChairSuccessorForm(forms.Form):
    """The successor's login email, typed as the association gave it (never a member list)."""

    email = forms.EmailField(
        label=_("The successor's login email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "As the association's board gave it to you (a letter on its letterhead). The person "
            "must already have a login on the portal; they accept the chair there."
        ),
    )
