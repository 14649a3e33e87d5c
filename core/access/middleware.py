"""Per-request association context: its time zone."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
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


class SecondFactorMiddleware:
    """Until a board member or operator confirms the second factor, only its page is open."""

    ALWAYS_OPEN = ("/accounts/second-factor/", "/accounts/logout/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.access import twofactor

        if request.path.startswith(self.ALWAYS_OPEN):
            return self.get_response(request)  # without touching the session
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and twofactor.required_for(user)
            and not twofactor.is_verified(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Confirm the second factor in the browser first."}, status=403
                )
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("access:second_factor")
            )
        return self.get_response(request)
