"""Helpers for the signup tests: a valid form, sending it, and the link from the email."""

from __future__ import annotations

import re
import time
import uuid

from django.core import mail, signing

from signup.forms import STARTED_SALT
from tests.platform.associations.support import unique_slug

CHAIRMAN_NAME = "Ирина Павловна Соколова"
CHAIRMAN_PASSWORD = "Kvartira-Na-Lesnoi-17"
LINK_RE = re.compile(r"https?://[^/\s]+(/signup/confirm/([0-9a-f-]{36})/([A-Za-z0-9_-]+)/)")


def started_seconds_ago(seconds: float = 60) -> str:
    return signing.dumps(time.time() - seconds, salt=STARTED_SALT)


def form_data(**overrides) -> dict:
    """A signup form as a person sends it, filled a minute after it was shown."""
    data = {
        "name": "ТСЖ «Лесная, 17»",
        "kind": "tszh",
        "inn": "",
        "ogrn": "",
        "slug": unique_slug("les"),
        "time_zone": "Europe/Moscow",
        "chairman_name": CHAIRMAN_NAME,
        "email": f"chair-{uuid.uuid4().hex[:8]}@example.test",
        "password1": CHAIRMAN_PASSWORD,
        "password2": CHAIRMAN_PASSWORD,
        "consent": "on",
        "website": "",
        "started": started_seconds_ago(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def link_in(message) -> tuple[str, uuid.UUID, str]:
    """(path, signup id, secret) of the confirmation link in an email."""
    match = LINK_RE.search(message.body)
    assert match, "the email carries no confirmation link"
    return match.group(1), uuid.UUID(match.group(2)), match.group(3)


def sign_up(client, **overrides) -> tuple[str, dict]:
    """Send the form; return the confirmation link's path and the data sent."""
    data = form_data(**overrides)
    sent_before = len(mail.outbox)
    response = client.post("/signup/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(mail.outbox) == sent_before + 1
    path, _signup_id, _secret = link_in(mail.outbox[-1])
    return path, data
