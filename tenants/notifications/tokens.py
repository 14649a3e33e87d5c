"""One-click unsubscribe tokens: signed, bound to the association and the person.

SECRET_KEY is shared by every association and user ids are only unique by luck of UUIDs, so (as
``tenants.invitations.tokens`` does) the salt names the current schema and the payload carries it
too: a token made in ``alpha`` fails the signature check on ``beta``'s subdomain. A token is made
at delivery, never stored; it names the login and the kind, and does nothing but switch that kind
off for that login (which the person can switch on again), so it needs no expiry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core import signing
from django.db import connection

SALT = "tenants.notifications.unsubscribe"
MAX_LENGTH = 512


def _salt() -> str:
    return f"{SALT}:{connection.schema_name}"


def make_token(user_id, kind: str) -> str:
    payload = {"s": connection.schema_name, "u": str(user_id), "k": kind}
    return signing.dumps(payload, salt=_salt(), compress=False)


@dataclass(frozen=True)
class Claims:
    user_id: uuid.UUID
    kind: str


def read_token(token: str) -> Claims | None:
    """Whom and what kind a token names, if signed for the current association; else None."""
    if not token or len(token) > MAX_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=_salt())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:
        return None
    kind = payload.get("k")
    try:
        user_id = uuid.UUID(str(payload.get("u")))
    except ValueError:
        return None
    if not isinstance(kind, str) or not kind:
        return None
    return Claims(user_id=user_id, kind=kind)
