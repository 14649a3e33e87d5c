"""Error reporting to Sentry with personal data kept out.

Sentry sends stack-frame local variables by default; with decrypted data in memory that would
leak it, so they are off, and request bodies, cookies and user fields are scrubbed.
"""

from __future__ import annotations


def _scrub(event, hint):
    request = event.get("request") or {}
    for key in ("data", "cookies", "query_string", "headers"):
        request.pop(key, None)
    event.pop("user", None)
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
