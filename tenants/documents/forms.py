"""Forms of the documents' and news pages. They only shape input: the rules are the services'
(refusals come back beside the fields through ``core.ui.refusals``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.documents.models import NewsKind
from tenants.documents.purposes import DOCUMENT_FILE
from tenants.documents.sections import ReaderGroup, Section

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def file_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=_("%(kinds)s, at most %(size)s.")
        % {"kinds": DOCUMENT_FILE.describe_kinds(), "size": DOCUMENT_FILE.describe_size()},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.odt,.ods",
            }
        ),
    )


class DocumentDetailsForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    readers = forms.ChoiceField(
        label=_("Who may read it"),
        choices=ReaderGroup.choices,
        initial=ReaderGroup.OWNERS,
        help_text=_(
            "Documents of ЖК РФ ст. 143.1 (the charter, reports, estimates, protocols…) must be "
            "open to all owners or to everyone."
        ),
    )
    dated = forms.DateField(label=_("Document date"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DocumentForm(DocumentDetailsForm):
    file = file_field(_("File"))
    note = forms.CharField(label=_("Note on this version"), required=False, max_length=300)


class VersionForm(forms.Form):
    file = file_field(_("File of the new version"))
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=300,
        help_text=_("For example: the new edition approved by the meeting of 12 May."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    section = forms.ChoiceField(
        label=_("Section"), required=False, choices=[("", _("All sections")), *Section.choices]
    )


class NewsForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=NewsKind.choices,
        initial=NewsKind.NEWS,
        widget=forms.RadioSelect,
        help_text=_(
            "An emergency notice is shown on top of every page until it ends and is emailed to "
            "everyone at once."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    starts_at = forms.DateTimeField(
        label=_("Starts (emergency)"),
        required=False,
        widget=MOMENT,
        input_formats=MOMENT_FORMATS,
        help_text=_("Empty: now."),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends (emergency)"),
        required=False,
        widget=MOMENT,
        input_formats=MOMENT_FORMATS,
        help_text=_("Empty: until the board ends it."),
    )


class NewsEditForm(NewsForm):
    def __init__(self, *args, emergency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        if not emergency:
            del self.fields["starts_at"]
            del self.fields["ends_at"]
