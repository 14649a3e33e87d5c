"""The visitor's address behind trusted reverse proxies (for rate limits)."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The address the last trusted proxy saw: X-Forwarded-For counted from the right.

    Only the rightmost ``TSZH_PROXY_HOPS`` entries were written by our proxies; anything left of
    them came from the client and could be forged.
    """
    hops = settings.TSZH_PROXY_HOPS
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
