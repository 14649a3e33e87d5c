"""Sessions end after a while idle and after a fixed time in any case.

* **idle**: ``SESSION_IDLE_SECONDS`` (``TSZH_SESSION_IDLE_SECONDS``, 2 hours by default) without a
  request ends the session;
* **absolute**: ``SESSION_ABSOLUTE_SECONDS`` (``TSZH_SESSION_ABSOLUTE_SECONDS``, 12 hours) after
  the sign-in it ends however busy it was, and the cookie (``SESSION_COOKIE_AGE``) lives no
  longer either.

The sign-in time is stored in the session when the user signs in (``user_logged_in``), the time
of the last request every ``ACTIVITY_RESOLUTION`` seconds at most (so a busy page does not write
its session on every request). An expired session is flushed and the request goes on as an
anonymous one: a page redirects to the login page, the API answers 401/403 as for anyone
signed out. A session without a sign-in time (made before this rule) starts its clock now.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
#: The clock (a test moves it).
clock = time.time


def idle_seconds() -> int:
    return settings.SESSION_IDLE_SECONDS


def activity_resolution() -> int:
    """How stale the stored last-request time may get before a request rewrites it."""
    return max(1, min(300, idle_seconds() // 10))


@receiver(user_logged_in, dispatch_uid="access.sessions.signed_in")
def _start_clock(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(clock())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def expired(session, now: float) -> bool:
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT, signed_in_at)
    if signed_in_at is None:
        return False
    return now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS or now - seen_at > idle_seconds()


class SessionExpiryMiddleware:
    """After ``AuthenticationMiddleware``: ends idle and too old sessions (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(clock())
            if expired(session, now):
                request.session_expired = True
                logout(request)
            elif session.get(SIGNED_IN_AT) is None:
                session[SIGNED_IN_AT] = session[SEEN_AT] = now
            elif now - session.get(SEEN_AT, 0) >= activity_resolution():
                session[SEEN_AT] = now
        return self.get_response(request)
