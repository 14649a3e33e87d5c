"""Error reporting to Sentry with personal data kept out.

Sentry sends stack-frame local variables by default; with decrypted data in memory that would
leak it, so they are off, and request bodies, cookies, headers, user fields, breadcrumbs (they
carry log messages and SQL parameters) and extra data are dropped. URLs keep their shape, but
long path segments (reset, invitation and hand-over tokens) are masked.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

#: A path segment this long is a token or an id, not a route word.
_TOKEN_SEGMENT = re.compile(r"^[A-Za-z0-9_:=-]{17,}$")


def _mask_url(url: str) -> str:
    parts = urlsplit(url)
    path = "/".join(
        "[token]" if _TOKEN_SEGMENT.match(segment) else segment for segment in parts.path.split("/")
    )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _scrub(event, hint):
    request = event.get("request") or {}
    for key in ("data", "cookies", "query_string", "headers", "env"):
        request.pop(key, None)
    if request.get("url"):
        request["url"] = _mask_url(request["url"])
    for key in ("user", "breadcrumbs", "extra"):
        event.pop(key, None)
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    return event


def init_sentry(dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        include_local_variables=False,
        send_default_pii=False,
        max_request_body_size="never",
        before_send=_scrub,
    )
