"""Labels of the staff's history: audit actions and role codes as people read them."""

from __future__ import annotations

from django import template

from core.access.roles import Role
from core.extensions import audit_label as label_of

register = template.Library()


@register.filter
def audit_label(action: str) -> str:
    return str(label_of(action))


@register.filter
def role_labels(codes) -> str:
    return ", ".join(str(Role(code).label) for code in codes or () if code in Role.values)
