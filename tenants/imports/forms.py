from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv, up to 20 MB)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,text/csv",
                "data-max-bytes": str(20 * 1024 * 1024),
                "data-message-id": "file-too-large",
            }
        ),
        error_messages={"required": _("Choose a file to upload.")},
    )
