"""A suspended association's portal: members sign in and read, change nothing, and see why.

``SuspendedAssociationMiddleware`` (after ``SecondFactorMiddleware``) puts a
``SuspensionNotice`` on ``request.suspension`` for every request to a suspended association, so
``base.html`` shows the banner with the operators' reason on every page. Any unsafe method
(POST, PUT, PATCH, DELETE) answers 403 with a page saying why (JSON under ``/api/``), except
signing in and out, the second factor and the language switch: reading must stay possible.

The status is read from the request's tenant, which django-tenants loads for every request, so a
suspension or reactivation takes effect on the next request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Changes that reading a suspended portal needs: a session, its second factor, a language.
ALWAYS_OPEN = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/second-factor/",
    "/i18n/",
)
SUSPENDED = (
    "suspended"  # associations.models.AssociationStatus.SUSPENDED (core imports no platform)
)


@dataclass(frozen=True)
class SuspensionNotice:
    """Why and since when an association is suspended (shown to its members)."""

    reason: str
    since: datetime.datetime | None


def notice_for(tenant) -> SuspensionNotice | None:
    """The notice for a suspended association; None for an active one or the public site."""
    if tenant is None or getattr(tenant, "schema_name", None) == settings.PUBLIC_SCHEMA_NAME:
        return None
    if getattr(tenant, "status", None) != SUSPENDED:
        return None
    return SuspensionNotice(
        reason=getattr(tenant, "suspended_reason", "") or "",
        since=getattr(tenant, "suspended_at", None),
    )


def is_open(request) -> bool:
    return request.method in SAFE_METHODS or request.path.startswith(ALWAYS_OPEN)


class SuspendedAssociationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        notice = notice_for(getattr(request, "tenant", None))
        request.suspension = notice
        if notice is not None and not is_open(request):
            return self.refuse(request, notice)
        return self.get_response(request)

    @staticmethod
    def refuse(request, notice: SuspensionNotice):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("This association's portal is suspended: nothing can be changed."),
                    "reason": notice.reason,
                    "suspended_at": notice.since.isoformat() if notice.since else None,
                },
                status=403,
            )
        return render(request, "access/suspended.html", {"notice": notice}, status=403)
