"""``{% notification_bell %}``: the bell with the unread count in the page header.

It renders nothing outside an association (the public site, the console) and for visitors who
are not signed in, so ``base.html`` can carry it everywhere.
"""

from __future__ import annotations

from django import template
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants.notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or connection.schema_name == get_public_schema_name()
    ):
        return {"show": False}
    return {"show": True, "unread": selectors.unread_count(user)}
