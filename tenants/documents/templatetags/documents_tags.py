"""Small filters of the documents' templates."""

from __future__ import annotations

from django import template

from tenants.files.purposes import KINDS

register = template.Library()

_LABELS = {kind.content_type: kind.label for kind in KINDS.values()}


@register.filter
def file_kind(content_type: str) -> str:
    """``application/pdf`` → ``PDF``."""
    return _LABELS.get(content_type, "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
