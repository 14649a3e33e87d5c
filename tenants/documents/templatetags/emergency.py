"""``{% emergency_banner %}``: the emergency notices that have not ended, on top of every page.

Read from the cache (``selectors.active_emergencies``): a warm page asks the database nothing
for it; the entry gets a new stamp whenever a news item changes. Nothing is shown outside an
association (the public site, the console) or to visitors who are not signed in, so
``base.html`` can carry it everywhere.
"""

from __future__ import annotations

from django import template
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants.documents import selectors

register = template.Library()


@register.inclusion_tag("documents/_emergency_banner.html", takes_context=True)
def emergency_banner(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or connection.schema_name == get_public_schema_name()
    ):
        return {"notices": []}
    return {"notices": selectors.active_emergencies()}
