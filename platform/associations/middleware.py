"""When an association was last used, for the operators' console (``last_activity_at``).

``LastActivityMiddleware`` (after ``AuthenticationMiddleware``) notes a request by a signed-in
member of an association: at most once per ``ACTIVITY_THROTTLE_SECONDS`` per association, an
``add`` in the cache (one Redis round trip, the only cost of most requests) decides whether this
request writes. The write is one UPDATE of the association's row in the public schema, made
after the view's answer, outside the request's transaction, so it holds no lock while the view
runs. Anonymous requests (probes, bots, the login page) are not activity; nor is the public site.
Best effort: a failure is logged and never changes the answer.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from associations.models import Association

logger = logging.getLogger(__name__)

ACTIVITY_THROTTLE_SECONDS = 300


def note_activity(tenant) -> bool:
    """Write ``tenant``'s last activity unless it was written in the last five minutes."""
    schema = tenant.schema_name
    if not cache.add(f"activity:{schema}", 1, ACTIVITY_THROTTLE_SECONDS):
        return False
    Association.objects.filter(pk=tenant.pk).update(last_activity_at=timezone.now())
    return True


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
