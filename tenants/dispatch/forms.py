"""Forms of the dispatch pages. They only shape input: every rule is the services' (refusals come
back beside the fields through ``core.ui.refusals``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.dispatch import services
from tenants.dispatch.models import Category, Place, RequestKind, Status, Urgency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (the photos). A file, not an image: the file store decodes
    and re-encodes images itself and says what it refused."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _blank(choices, label="—"):
    return [("", label), *choices]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it"),
        choices=RequestKind.choices,
        initial=RequestKind.REPAIR,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("Category"), choices=_blank(Category.choices))
    place = forms.ChoiceField(
        label=_("Where"), choices=Place.choices, initial=Place.PREMISES, widget=forms.RadioSelect
    )
    premises = forms.ChoiceField(label=_("Which premises"), required=False)
    building = forms.ChoiceField(label=_("Building"), required=False)
    location_note = forms.CharField(
        label=_("Where exactly"),
        required=False,
        max_length=services.MAX_SHORT,
        help_text=_("Entrance, floor, room: whatever helps to find it."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe the problem.")},
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Emergency: water flooding, no heating in winter, sparks, a person stuck."),
    )
    access_time = forms.CharField(
        label=_("Convenient time for access"),
        required=False,
        max_length=services.MAX_SHORT,
        help_text=_("For example: weekdays after 18:00."),
    )
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    share_phone = forms.BooleanField(
        label=_("The contractor may see my phone on the work order"), required=False
    )
    photos = MultipleFileField(
        label=_("Photos (up to 10)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB each."),
    )

    def __init__(self, *args, homes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premises"].choices = [
            (str(home.pk), f"{home.building.name}, {home.get_kind_display().lower()} {home.number}")
            for home in homes
        ]
        buildings = {str(home.building_id): home.building.name for home in homes}
        self.fields["building"].choices = _blank(sorted(buildings.items(), key=lambda b: b[1]))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "category": data["category"],
            "place": data["place"],
            "premises": data.get("premises") or None,
            "building": data.get("building") or None,
            "location_note": data.get("location_note", ""),
            "description": data["description"],
            "urgency": data["urgency"],
            "access_time": data.get("access_time", ""),
            "contact_phone": data.get("contact_phone", ""),
            "share_phone": data.get("share_phone", False),
            "photos": data.get("photos") or [],
        }


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the comment.")},
    )


class PhotosForm(forms.Form):
    photos = MultipleFileField(label=_("Add photos"))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment on the work"),
        required=False,
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong again"),
        required=False,
        max_length=services.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# -- the desk -----------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(Status.choices, _("open"))
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_blank(Category.choices, _("any"))
    )
    building = forms.ChoiceField(label=_("Building"), required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=_blank(Urgency.choices, _("any"))
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = _blank([(str(b.pk), b.name) for b in buildings], _("any"))


class AssignForm(forms.Form):
    supplier = forms.ChoiceField(label=_("Supplier or contractor"), required=False)
    work_description = forms.CharField(
        label=_("Work to do (shown on the work order)"),
        required=False,
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your wording of the job for the contractor; the member's own text is not printed."
        ),
    )

    def __init__(self, *args, suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = _blank(
            [(str(s.pk), s.name) for s in suppliers], _("our own staff")
        )


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    cost = forms.CharField(label=_("Cost, ₽"), required=False, max_length=20)


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)


class MergeForm(forms.Form):
    description = forms.CharField(
        label=_("Shared description"),
        required=False,
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Every member on the collective request reads it: name no member and quote no one."
        ),
    )
    into = forms.ChoiceField(label=_("Join into"), required=False)

    def __init__(self, *args, collectives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = _blank(
            [(str(c.pk), f"№ {c.number}") for c in collectives], _("a new collective request")
        )


class SlaForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=2000)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE, initial=timezone.localdate)


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    inn = forms.CharField(label=_("ИНН"), required=False, max_length=12)
    categories = forms.MultipleChoiceField(
        label=_("Categories served"),
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=300)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=60)
    email = forms.EmailField(label=_("Email"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=60)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    amount = forms.DecimalField(
        label=_("Amount, ₽"), required=False, min_value=0, max_digits=14, decimal_places=2
    )


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("To"), required=False, widget=DATE)
