"""Per-request association context: its time zone."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


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


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _cached_user(request):
    """``django.contrib.auth.get_user`` with the row from ``core.access.usercache``: the same
    checks (the session's backend, ``is_active``, the session's auth hash against the current
    password, its fallbacks), one ``MGET`` of Redis instead of a query."""
    from django.conf import settings
    from django.contrib import auth
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import AnonymousUser
    from django.utils.crypto import constant_time_compare

    from core.access import usercache

    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = auth.load_backend(backend_path)
    if type(backend) is not ModelBackend:
        return auth.get_user(request)  # another backend: its own get_user, uncached
    user = usercache.get_user(user_id)
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = request.session.get(auth.HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[auth.HASH_SESSION_KEY] = session_auth_hash
        return user
    request.session.flush()
    return AnonymousUser()


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` with the user's row from the shared cache
    (``core.access.usercache``; docs/performance.md): ``request.user`` stays lazy."""

    def process_request(self, request):
        super().process_request(request)  # its checks, and ``request.auser`` unchanged

        def user():
            if not hasattr(request, "_cached_user"):
                request._cached_user = _cached_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(user)
