from __future__ import annotations

from django import forms


class PreferencesForm(forms.Form):
    """One checkbox per kind that concerns the person; kinds nobody may switch off are shown
    ticked and disabled (a disabled field keeps its initial value whatever is posted)."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {}
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

    def choices(self) -> dict[str, bool]:
        return {
            kind.key: bool(self.cleaned_data.get(name))
            for name, kind in self.kinds.items()
            if kind.can_opt_out
        }
