"""Per-request association context: its time zone; the request's reads from Redis in one
round trip (``ReadAheadMiddleware``); the signed-in user from the cache."""

from __future__ import annotations

import hashlib
import threading
import zoneinfo
from collections import OrderedDict

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


#: Which user a session belonged to when this process last saw it: ``ReadAheadMiddleware`` reads
#: that user's entries ahead. Only a guess, never trusted: the user is the one the session read
#: from Redis (or its table) names, and a wrong guess costs the lookup's own ``MGET``. Keyed by a
#: digest of the schema and the session key (no session key kept in memory), at most
#: ``_SEEN_SESSIONS`` of them, the oldest forgotten first.
_SEEN_SESSIONS = 4096
_session_users: OrderedDict[bytes, str] = OrderedDict()
_session_users_lock = threading.Lock()


def _session_digest(session_key: str) -> bytes:
    from django.db import connection

    return hashlib.blake2b(
        f"{connection.schema_name}:{session_key}".encode(), digest_size=16
    ).digest()


def _seen_user(session_key: str) -> str | None:
    digest = _session_digest(session_key)
    with _session_users_lock:
        user_id = _session_users.get(digest)
        if user_id is not None:
            _session_users.move_to_end(digest)
        return user_id


def _remember_user(session_key: str | None, user_id) -> None:
    if not session_key:
        return
    digest = _session_digest(session_key)
    with _session_users_lock:
        _session_users[digest] = str(user_id)
        _session_users.move_to_end(digest)
        while len(_session_users) > _SEEN_SESSIONS:
            _session_users.popitem(last=False)


class ReadAheadMiddleware:
    """One ``MGET`` of Redis for what a signed-in request reads from it, instead of four round
    trips (docs/performance.md, "Where a request's time goes"): the session's cache entry, the
    association's entries every page reads (``core.stamped.read_on_every_page``: the logo, the
    emergency notices) and, when this process saw the session before, its user's row and the
    entries read with it (``core.access.usercache``). The session store and
    ``core.stamped.lookup_many`` take what was read; nothing is trusted from the guess (see
    ``_session_users``). After routing (the cache's keys carry the schema) and the session
    middleware; a request without a session cookie reads nothing here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core import stamped

        try:
            self._read_ahead(request)
            return self.get_response(request)
        finally:
            stamped.end_request()

    @staticmethod
    def _read_ahead(request) -> None:
        from django.conf import settings
        from django.db import connection

        from core import stamped
        from core.access import session_store, usercache

        session = getattr(request, "session", None)
        if not isinstance(session, session_store.SessionStore) or not session.session_key:
            return
        if settings.SESSION_CACHE_ALIAS != "default":  # stamped reads the default cache
            return
        wanted = []
        if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
            wanted += stamped.every_page()
        user_id = _seen_user(session.session_key)
        if user_id is not None:
            wanted += usercache.read_with_user(user_id)
        key = session.cache_key
        found = stamped.read_ahead(wanted, raw_keys=[key])
        session.read_ahead(found.get(key))


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
        _remember_user(request.session.session_key, user.pk)
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[auth.HASH_SESSION_KEY] = session_auth_hash
        _remember_user(request.session.session_key, user.pk)
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
