"""A suspended association's portal: members sign in and read, change nothing, and see why.

``SuspendedAssociationMiddleware`` (after ``SecondFactorMiddleware``) puts a
``SuspensionNotice`` on ``request.suspension`` for every request to a suspended association, so
``base.html`` shows the banner on every page. The operators' reason and the date are for the
association's signed-in members only (password and, where the role requires it, the second
factor); anyone else (the login page, an anonymous API call) is told only that the portal is
suspended.

Any unsafe method (POST, PUT, PATCH, DELETE) answers 403 with a page saying so (JSON under
``/api/``), except signing in and out, the second factor, the language switch, a person's own
account safety (password reset, the Security page: a suspension for an unpaid plan must not leave
a member unable to get back in or to lock out someone who learned their password), and views
marked ``@read_only_safe``: views that take a POST without changing anything (the registry's
search is posted so that an email or phone searched for stays out of URLs and logs). Reading
must stay possible. The check is made in ``process_view``, where the view is known.

The status is read from the request's tenant, which django-tenants loads for every request, so a
suspension or reactivation takes effect on the next request.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Changes that reading a suspended portal needs: a session, its second factor, a language,
#: and a person's own account safety (a password forgotten or leaked).
ALWAYS_OPEN = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/second-factor/",
    "/accounts/password-reset/",
    "/accounts/security/",
    "/i18n/",
)
SUSPENDED = (
    "suspended"  # associations.models.AssociationStatus.SUSPENDED (core imports no platform)
)
#: The attribute ``read_only_safe`` sets on a view.
SAFE_ATTRIBUTE = "suspension_safe"

View = TypeVar("View", bound=Callable)


def read_only_safe(view: View) -> View:
    """Mark a view whose unsafe methods change nothing (a search posted to keep its terms out of
    URLs): a suspended portal serves them. The view must really write nothing on any method.

    Put it outermost, or anywhere under decorators that copy attributes (``functools.wraps``).
    """
    setattr(view, SAFE_ATTRIBUTE, True)
    return view


@dataclass(frozen=True)
class SuspensionNotice:
    """A suspended association, as the reader may learn of it.

    ``reason`` (the operators' own words) and ``since`` are given to the association's signed-in
    members only; for anyone else they are empty and the notice just says "suspended".
    """

    reason: str = ""
    since: datetime.datetime | None = None


def notice_for(tenant, *, signed_in: bool = False) -> SuspensionNotice | None:
    """The notice for a suspended association; None for an active one or the public site."""
    if tenant is None or getattr(tenant, "schema_name", None) == settings.PUBLIC_SCHEMA_NAME:
        return None
    if getattr(tenant, "status", None) != SUSPENDED:
        return None
    if not signed_in:
        return SuspensionNotice()
    return SuspensionNotice(
        reason=getattr(tenant, "suspended_reason", "") or "",
        since=getattr(tenant, "suspended_at", None),
    )


def is_signed_in(request) -> bool:
    """A member of this association, signed in fully: password, and the second factor where
    the roles require it."""
    from core.access import twofactor

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return not twofactor.required_for(user) or twofactor.is_verified(request)


def is_open(request) -> bool:
    return request.method in SAFE_METHODS or request.path.startswith(ALWAYS_OPEN)


class SuspendedAssociationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        request.suspension = None
        if getattr(tenant, "status", None) == SUSPENDED:  # the session is read only then
            request.suspension = notice_for(tenant, signed_in=is_signed_in(request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        notice = getattr(request, "suspension", None)
        if notice is None or is_open(request) or getattr(view_func, SAFE_ATTRIBUTE, False):
            return None
        return self.refuse(request, notice)

    @staticmethod
    def refuse(request, notice: SuspensionNotice):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("This association's portal is suspended: nothing can be changed."),
                    "reason": notice.reason or None,
                    "suspended_at": notice.since.isoformat() if notice.since else None,
                },
                status=403,
            )
        return render(request, "access/suspended.html", {"notice": notice}, status=403)
