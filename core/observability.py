"""Error reporting to Sentry with personal data kept out.

Russian citizens' personal data may not be stored in databases outside Russia (152-ФЗ ст. 18
ч. 5, DOMAIN.md): error reports go to a self-hosted Sentry in Russia, and whatever the Sentry,
an event carries nothing personal:

* stack-frame local variables are off (``include_local_variables=False``; with decrypted data in
  memory they would leak it) and any ``vars`` that still arrive are dropped;
* request bodies, cookies, headers, query strings and the WSGI environment are dropped; URLs keep
  their shape, but long path segments (reset, invitation and hand-over tokens) are masked;
* user fields, breadcrumbs (they carry log messages and SQL parameters), extra data (Celery's
  task arguments), contexts other than the runtime's and the trace's, and log-message
  parameters are dropped;
* e-mail addresses, phone numbers, personal names (capitalised Cyrillic words, initials) and the
  values of ``name=…``/``email: …``-like pairs are replaced in exception and log messages.

Release and environment tags come from ``SENTRY_RELEASE`` and ``SENTRY_ENVIRONMENT`` (the Helm
chart sets them from the image tag and its ``environment`` value).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: A path segment this long is a token or an id, not a route word.
_TOKEN_SEGMENT = re.compile(r"^[A-Za-z0-9_:=-]{17,}$")

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Russian numbers (+7 / 8 and ten digits, any usual separators), international ones with a plus,
# and bare runs of 10-12 digits (a phone without separators; an ИНН goes too, which costs
# nothing). Dates and times keep their shape: they are shorter runs.
_PHONE = re.compile(
    r"(?<!\w)(?:\+7|8)[\s(-]{0,2}\d{3}[\s)-]{0,2}\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\w)"
    r"|(?<!\w)\+\d[\d\s().-]{8,16}\d(?!\w)"
    r"|(?<![\w-])\d{10,12}(?![\w-])"
)
# A Russian passport's series and number as people type them: "4509 123456", "45 09 123456".
_PASSPORT = re.compile(r"(?<![\w-])\d{2}\s?\d{2}\s\d{6}(?![\w-])")
# "Иванов Иван Иванович", "Анна", "Иванов И. И.", "И.И. Иванов": any capitalised Cyrillic word,
# with the capitalised words and initials next to it. Our own messages are English, so a
# Cyrillic capitalised word in an exception or log message came from someone's data.
_CYRILLIC_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_INITIAL = r"[А-ЯЁ]\.\s?"
_NAME = re.compile(
    rf"(?:{_INITIAL}){{0,2}}{_CYRILLIC_WORD}(?:\s+(?:{_CYRILLIC_WORD}|(?:{_INITIAL}){{1,2}}))*"
)
# key=value / 'key': 'value' pairs whose key says the value is about a person.
_PERSONAL_PAIR = re.compile(
    r"""(?ix)
    (\b\w*(?:name|email|e-mail|phone|address|passport|snils|birth|holder|owner)\w*)
    (['"]?\s*[:=]\s*)
    (['"]?)
    ([^,'"\)\}\]\n]*)
    """
)

REDACTED = "[redacted]"
#: Contexts kept: the machine's and the trace's. Others (a task's arguments, a response's
#: headers, anything a library adds) are dropped.
_SAFE_CONTEXTS = frozenset({"runtime", "os", "trace", "app", "device", "culture"})


def scrub_text(text: str) -> str:
    """``text`` with e-mails, phones, names and personal key-value pairs replaced."""
    if not text:
        return text
    text = _PERSONAL_PAIR.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{REDACTED}", text)
    text = _EMAIL.sub("[email]", text)
    text = _PASSPORT.sub("[passport]", text)
    text = _PHONE.sub("[phone]", text)
    return _NAME.sub("[name]", text)


class PersonalDataFormatter(logging.Formatter):
    """The log handlers' formatter: each formatted line (message and traceback) goes through
    ``scrub_text``. Exception messages can carry what a person typed (a validation error, a failed
    lookup), and the request logger prints them with their traceback. The record itself is left
    as it is for other handlers."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub_text(super().format(record))


def _mask_url(url: str) -> str:
    parts = urlsplit(url)
    path = "/".join(
        "[token]" if _TOKEN_SEGMENT.match(segment) else segment for segment in parts.path.split("/")
    )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _scrub_frames(container: dict[str, Any] | None) -> None:
    for frame in ((container or {}).get("stacktrace") or {}).get("frames") or []:
        frame.pop("vars", None)


def _scrub(event: dict[str, Any], hint: Any) -> dict[str, Any]:
    """``before_send``: remove or rewrite everything that could carry personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "headers", "env"):
            request.pop(key, None)
        if request.get("url"):
            request["url"] = _mask_url(request["url"])
    for key in ("user", "breadcrumbs", "extra"):
        event.pop(key, None)
    if isinstance(event.get("contexts"), dict):
        event["contexts"] = {
            name: value for name, value in event["contexts"].items() if name in _SAFE_CONTEXTS
        }
    if isinstance(event.get("tags"), dict):
        event["tags"] = {
            name: scrub_text(value) if isinstance(value, str) else value
            for name, value in event["tags"].items()
        }
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
        _scrub_frames(exception)
    for thread in (event.get("threads") or {}).get("values") or []:
        _scrub_frames(thread)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        # The parameters are the values formatted into the message: dropped, and the message
        # (a template, or already formatted) scrubbed.
        logentry.pop("params", None)
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = scrub_text(logentry[key])
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    for span in event.get("spans") or []:
        span.pop("data", None)
        if isinstance(span.get("description"), str):
            span["description"] = scrub_text(span["description"])
    return event


def _no_breadcrumb(crumb: dict[str, Any], hint: Any) -> None:
    """Breadcrumbs are not even collected: they hold log lines and SQL parameters."""
    return None


def sentry_options(dsn: str, environment: str, release: str | None = None) -> dict[str, Any]:
    """Options for ``sentry_sdk.init`` (separate so that tests can add a transport)."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    return {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "integrations": [
            DjangoIntegration(),
            CeleryIntegration(),
            RedisIntegration(),
        ],
        "include_local_variables": False,
        # send_default_pii stays at its default (off); naming it is deprecated since the SDK's
        # data_collection option, and the scrubbing below is what keeps personal data out anyway.
        "max_request_body_size": "never",
        "max_breadcrumbs": 0,
        "before_breadcrumb": _no_breadcrumb,
        "before_send": _scrub,
        "before_send_transaction": _scrub,
        # Performance traces are off unless asked for; their spans are scrubbed as well.
        "traces_sample_rate": 0.0,
    }


def init_sentry(dsn: str, environment: str, release: str | None = None) -> None:
    import sentry_sdk

    sentry_sdk.init(**sentry_options(dsn, environment, release))
