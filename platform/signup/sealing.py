"""The confirmation link's secret: it finds the pending signup and is the key to its content.

The secret (256 random bits) travels only in the email. The database keeps its SHA-256, to find
and check the link, and the form's content encrypted with AES-256-GCM under a key derived from
the secret (HKDF-SHA256, salted with the signup's id, which is also the associated data). So a
database dump, a backup or an operator sees no name, email or password hash of a pending signup,
and a link opens only its own signup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


class InvalidSecret(Exception):
    """The secret does not open this signup."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(b"tszh-signup-link\x00" + secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def _key(secret: str, signup_id: uuid.UUID) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=signup_id.bytes, info=b"tszh-signup-seal-v1"
    ).derive(secret.encode())


def seal(payload: dict, secret: str, signup_id: uuid.UUID) -> str:
    nonce = os.urandom(NONCE_BYTES)
    data = json.dumps(payload, ensure_ascii=False).encode()
    ciphertext = AESGCM(_key(secret, signup_id)).encrypt(nonce, data, signup_id.bytes)
    return base64.urlsafe_b64encode(nonce + ciphertext).decode()


def unseal(sealed: str, secret: str, signup_id: uuid.UUID) -> dict:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        nonce, ciphertext = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        data = AESGCM(_key(secret, signup_id)).decrypt(nonce, ciphertext, signup_id.bytes)
    except (InvalidTag, ValueError) as error:
        raise InvalidSecret("this secret does not open the signup") from error
    return json.loads(data)
