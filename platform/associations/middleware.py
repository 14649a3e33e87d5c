"""When an association was last used, for the operators' console (``last_activity_at``).

``LastActivityMiddleware`` (after ``AuthenticationMiddleware``) notes a request by a signed-in
member of an association: at most once per ``ACTIVITY_THROTTLE_SECONDS`` per association, an
``add`` in the cache decides whether this request writes; each process then remembers the window
in its own memory, so most requests cost a dictionary lookup (no Redis round trip, no query).
The write is one UPDATE of the association's row in the public schema, made after the view's
answer, outside the request's transaction, so it holds no lock while the view runs. Anonymous
requests (probes, bots, the login page) are not activity; nor is the public site.
Best effort: a failure is logged and never changes the answer.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from associations.models import Association

logger = logging.getLogger(__name__)

ACTIVITY_THROTTLE_SECONDS = 300


#: schema → the monotonic time until which this process knows the activity is noted.
_noted_until: dict[str, float] = {}


def note_activity(tenant) -> bool:
    """Write ``tenant``'s last activity unless it was written in the last five minutes.

    This process remembers for the same five minutes that it is noted (from its own write or
    from a refused ``add``), so most requests ask neither Redis nor the database anything."""
    schema = tenant.schema_name
    now = time.monotonic()
    if _noted_until.get(schema, 0.0) > now:
        return False
    # The cache's entry, not this memory, decides across processes; a refused add means another
    # process wrote within the window (this one trusts that for the rest of a window at most).
    _noted_until[schema] = now + ACTIVITY_THROTTLE_SECONDS
    if not cache.add(f"activity:{schema}", 1, ACTIVITY_THROTTLE_SECONDS):
        return False
    Association.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
    return True


def forget_noted() -> None:
    """Forget what this process noted (tests)."""
    _noted_until.clear()


class LastActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                note_activity(tenant)
            except Exception as error:  # bookkeeping must never fail a request
                logger.warning("last activity not noted (%s)", type(error).__name__)
        return response
