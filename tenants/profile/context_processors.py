"""``portal_logo_url`` for the header of every page of an association's portal (members only)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def branding(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from tenants.profile import selectors

    logo_id = selectors.logo_id()
    if not logo_id:
        return {}
    return {"portal_logo_url": reverse("files:download", kwargs={"pk": logo_id})}
