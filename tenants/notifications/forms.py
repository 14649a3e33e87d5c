from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LINK = "link"
ATTACHED = "attached"


class PreferencesForm(forms.Form):
    """One checkbox per kind that concerns the person; kinds nobody may switch off are shown
    ticked and disabled (a disabled field keeps its initial value whatever is posted). A kind
    whose email may carry a document (a receipt's PDF) also asks how: a link or attached."""

    def __init__(self, *args, choices, attachments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {}
        self.formats = {}
        attachments = attachments or {}
        for kind, enabled in choices:
            name = f"kind_{kind.key}"
            self.kinds[name] = kind
            self.fields[name] = forms.BooleanField(
                label=kind.label,
                help_text=kind.description,
                required=False,
                initial=enabled,
                disabled=not kind.can_opt_out,
            )
            if kind.key in attachments:
                name = f"format_{kind.key}"
                self.formats[name] = kind
                self.fields[name] = forms.ChoiceField(
                    label=_("By email"),
                    choices=[
                        (LINK, _("a link to it on the portal")),
                        (ATTACHED, _("the document attached (PDF)")),
                    ],
                    initial=ATTACHED if attachments[kind.key] else LINK,
                    widget=forms.RadioSelect,
                    required=False,  # not posted: the choice stays as it is
                )

    def choices(self) -> dict[str, bool]:
        return {
            kind.key: bool(self.cleaned_data.get(name))
            for name, kind in self.kinds.items()
            if kind.can_opt_out
        }

    def attachments(self) -> dict[str, bool]:
        return {
            kind.key: self.cleaned_data[name] == ATTACHED
            for name, kind in self.formats.items()
            if self.cleaned_data.get(name)  # not posted: the choice stays as it is
        }
