"""Invitation link tokens, signed and bound to the association.

SECRET_KEY is shared by every association and invitation ids could be copied between schemas, so
the token is signed with a salt that names the current schema and also carries the schema in its
payload (as ``core.access.tokens`` does for password reset): a token made in ``alpha`` fails the
signature check on ``beta``'s subdomain even if ``beta`` holds an invitation with the same id.

A random nonce makes each token unique, so a resend (a new token) leaves the old link dead: the
database keeps only the SHA-256 of the current token (``Invitation.token_hash``).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.core import signing
from django.db import connection

SALT = "tenants.invitations.tokens"


def _salt() -> str:
    return f"{SALT}:{connection.schema_name}"


def make_token(invitation_id: uuid.UUID) -> str:
    """A new signed token for the invitation in the current schema (URL-safe, no slashes)."""
    payload = {"s": connection.schema_name, "i": str(invitation_id), "n": secrets.token_hex(16)}
    return signing.dumps(payload, salt=_salt(), compress=False)


def token_hash(token: str) -> str:
    """What the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenClaims:
    invitation_id: uuid.UUID
    token_hash: str


def read_token(token: str) -> TokenClaims | None:
    """The invitation a token names, if it was signed for the current schema; else None.

    Expiry and revocation are decided by the invitation's row (``expires_at``, ``status``), not
    by the signature's age, so the board can resend and revoke.
    """
    if not token or len(token) > 512:
        return None
    try:
        payload = signing.loads(token, salt=_salt())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:
        return None
    try:
        invitation_id = uuid.UUID(str(payload.get("i")))
    except ValueError:
        return None
    return TokenClaims(invitation_id=invitation_id, token_hash=token_hash(token))
