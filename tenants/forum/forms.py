"""The forum's forms: they read what was typed; the services decide."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.forum import markup
from tenants.forum.models import Section


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class IdsField(forms.MultipleChoiceField):
    """Ids picked in the page (the mention picker); the service checks who they are."""

    def valid_value(self, value) -> bool:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,  # the service says why an empty text is refused
        max_length=markup.MAX_LENGTH * 2,
        help_text=_("Markdown: **bold**, *italic*, lists, > quotes, [links](https://…)."),
    )
    quote = forms.UUIDField(required=False, widget=forms.HiddenInput)
    mentions = IdsField(label=_("Mention"), required=False)
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("Pictures (PNG, JPEG, WebP) or PDF, up to 10 MB each, at most 5."),
    )


class TopicForm(PostForm):
    title = forms.CharField(label=_("Title"), max_length=400, required=False)

    field_order = ["title", "body", "mentions", "attachments"]


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=markup.MAX_LENGTH * 2,
    )


class ModeratePostForm(forms.Form):
    ACTIONS = (("hide", _("Hide the post")), ("show", _("Show the post again")))
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Reason (the author sees it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class ModerateTopicForm(forms.Form):
    ACTIONS = (
        ("lock", _("Lock: no new posts")),
        ("unlock", _("Unlock")),
        ("hide", _("Hide the topic")),
        ("show", _("Show the topic again")),
        ("move", _("Move to another section")),
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.all(), required=False
    )
    reason = forms.CharField(
        label=_("Reason (the author sees it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)
