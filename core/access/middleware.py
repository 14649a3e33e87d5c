"""Per-request association context: its time zone."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone


class AssociationContextMiddleware:
    """Activate the association's time zone for the request (dates shown in local time)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        tz_name = getattr(tenant, "time_zone", None)
        if tz_name:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
