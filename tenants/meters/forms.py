"""Forms of the meters' pages. They only shape input: every rule is the services' (refusals come
back beside the fields through ``core.ui.refusals``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.meters.checks import MAX_TEXT
from tenants.meters.models import CloseReason, MeterKind, RegisterCode, Tariff

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def reading_input(**attrs) -> forms.TextInput:
    """A figure typed on a phone: the numeric keyboard with a decimal separator."""
    return forms.TextInput(
        attrs={
            "inputmode": "decimal",
            "autocomplete": "off",
            "enterkeyhint": "next",
            "maxlength": MAX_TEXT,
            **attrs,
        }
    )


class ReadingsForm(forms.Form):
    """One field per register of every meter shown, one optional photo per meter.

    ``rows`` are ``selectors.MeterRow``s; field names are ``r-<register id>`` and
    ``photo-<meter id>`` (the names the services' refusals use).
    """

    confirm = forms.BooleanField(
        label=_("I have checked the unusual figures: they are right"), required=False
    )

    def __init__(self, *args, rows, board: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for item in row.registers:
                attrs = {
                    "data-previous": str(item.previous),
                    "data-unit": str(row.meter.unit),
                    "aria-describedby": f"prev-{item.register.pk}",
                }
                self.fields[item.field_name] = forms.CharField(
                    label=item.register.get_code_display(),
                    required=False,
                    max_length=MAX_TEXT,
                    strip=True,
                    widget=reading_input(**attrs),
                )
            # A file, not an ImageField: the file store decodes and re-encodes images itself.
            self.fields[row.photo_field] = forms.FileField(
                label=_("Photo of the meter (optional)"),
                required=False,
                widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
            )
        if board:
            self.fields["taken_on"] = forms.DateField(
                label=_("Read off the meter on"),
                required=False,
                widget=DATE,
                initial=timezone.localdate,
            )
        self.order_fields([*(n for n in self.fields if n != "confirm"), "confirm"])

    def entries(self):
        """(register, typed text) for every register field."""
        for row in self.rows:
            for item in row.registers:
                yield item.register, self.cleaned_data.get(item.field_name, "")

    def photos(self) -> dict:
        return {
            row.meter.pk: self.cleaned_data.get(row.photo_field)
            for row in self.rows
            if self.cleaned_data.get(row.photo_field)
        }

    def pairs(self):
        """(meter row, [(register row, bound field)], photo bound field) for the template."""
        for row in self.rows:
            yield (
                row,
                [(item, self[item.field_name]) for item in row.registers],
                self[row.photo_field],
            )


INITIAL_LABELS = {
    RegisterCode.TOTAL: _("Initial reading"),
    RegisterCode.DAY: _("Initial reading, day"),
    RegisterCode.NIGHT: _("Initial reading, night"),
    RegisterCode.PEAK: _("Initial reading, peak"),
    RegisterCode.SEMI_PEAK: _("Initial reading, semi-peak"),
}


def _initial_fields(form: forms.Form) -> None:
    for code, label in INITIAL_LABELS.items():
        form.fields[f"initial-{code}"] = forms.CharField(
            label=label,
            required=False,
            max_length=MAX_TEXT,
            widget=reading_input(),
            help_text=_("Zones of a multi-tariff meter only; empty means 0.")
            if code != RegisterCode.TOTAL
            else "",
        )


class MeterFieldsMixin(forms.Form):
    serial_number = forms.CharField(label=_("serial number"), max_length=40)
    place = forms.CharField(
        label=_("place"),
        max_length=100,
        required=False,
        help_text=_("For example: bathroom, kitchen, stairwell."),
    )
    digits = forms.IntegerField(
        label=_("digits before the decimal point"), min_value=1, max_value=12, initial=5
    )
    decimals = forms.IntegerField(
        label=_("digits after the decimal point"), min_value=0, max_value=4, initial=3
    )
    verified_on = forms.DateField(label=_("last verification"), required=False, widget=DATE)
    verification_interval_years = forms.IntegerField(
        label=_("verification interval, years"), min_value=1, max_value=30, required=False
    )


class MeterForm(MeterFieldsMixin):
    kind = forms.ChoiceField(label=_("resource"), choices=MeterKind.choices)
    tariff = forms.ChoiceField(label=_("tariff"), choices=Tariff.choices, initial=Tariff.SINGLE)
    installed_on = forms.DateField(label=_("installed on"), widget=DATE)
    field_order = ["kind", "tariff", "serial_number", "place", "digits", "decimals"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _initial_fields(self)

    def initial_values(self) -> dict:
        return {code: self.cleaned_data.get(f"initial-{code}", "") for code in INITIAL_LABELS}

    def meter_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for code in INITIAL_LABELS:
            data.pop(f"initial-{code}", None)
        return data


class EditMeterForm(MeterFieldsMixin):
    pass


def _final_fields(form: forms.Form, meter, required: bool) -> None:
    for register in meter.registers.all():
        form.fields[f"final-{register.code}"] = forms.CharField(
            label=pgettext_lazy("meter", "Final reading: %(register)s")
            % {"register": register.get_code_display()},
            required=required,
            max_length=MAX_TEXT,
            widget=reading_input(),
        )


class CloseMeterForm(forms.Form):
    on = forms.DateField(label=_("closed on"), widget=DATE, initial=timezone.localdate)
    reason = forms.ChoiceField(
        label=_("reason"),
        choices=[
            (CloseReason.REMOVED, CloseReason.REMOVED.label),
            (CloseReason.FAILED, CloseReason.FAILED.label),
        ],
    )

    def __init__(self, *args, meter, **kwargs):
        super().__init__(*args, **kwargs)
        _final_fields(self, meter, required=False)

    def final_values(self) -> dict:
        return {
            name.removeprefix("final-"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("final-")
        }


class ReplaceMeterForm(MeterFieldsMixin):
    on = forms.DateField(label=_("replaced on"), widget=DATE, initial=timezone.localdate)
    tariff = forms.ChoiceField(label=_("tariff of the new meter"), choices=Tariff.choices)
    field_order = ["on"]

    def __init__(self, *args, meter, **kwargs):
        super().__init__(*args, **kwargs)
        _final_fields(self, meter, required=True)
        self.order_fields(["on", *[n for n in self.fields if n.startswith("final-")]])
        _initial_fields(self)
        self.fields["serial_number"].label = _("serial number of the new meter")

    def final_values(self) -> dict:
        return {
            name.removeprefix("final-"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("final-")
        }

    def initial_values(self) -> dict:
        return {code: self.cleaned_data.get(f"initial-{code}", "") for code in INITIAL_LABELS}

    def new_meter(self) -> dict:
        names = (
            "serial_number",
            "place",
            "digits",
            "decimals",
            "verified_on",
            "verification_interval_years",
            "tariff",
        )
        return {name: self.cleaned_data[name] for name in names}
