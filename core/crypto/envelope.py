"""AES-256-GCM field encryption under a data key, bound to the value's place.

A stored value is an ASCII token::

    e1.<key_ref>.<base64url nonce>.<base64url ciphertext+tag>

* ``e1`` - format version, so the format can change without guessing;
* ``key_ref`` - which data key encrypted it (e.g. the id of the wrapped-data-key row), readable
  with ``parse_token`` without decrypting, so a page can collect and prefetch its keys first;
* a random 96-bit nonce per encryption (never reused: data keys encrypt far fewer than 2**32
  values, the bound for random GCM nonces);
* the GCM ciphertext with its 128-bit tag.

The associated data is the canonical encoding of (version, key_ref, association, table, row
UUID, field). It is not stored, it is recomputed from where the token is read: a token copied
into another row, field, table or association, or relabelled with another key_ref, fails to
decrypt with ``DecryptionError`` instead of showing someone else's value.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.crypto.errors import CryptoError, DecryptionError

VERSION = "e1"
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16

_AAD_DOMAIN = b"tszh-envelope\x00"
_KEY_REF_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]+")

KeyLookup = Callable[[str], bytes]


@dataclass(frozen=True, slots=True)
class AssociatedData:
    """Where a value lives: association (schema name), table, row UUID and field name."""

    association: str
    table: str
    row: uuid.UUID | str
    field: str

    def to_bytes(self, key_ref: str, version: str = VERSION) -> bytes:
        """Canonical, unambiguous encoding: every part length-prefixed, so that
        ("ab", "c") and ("a", "bc") can never produce the same bytes.

        The constant part (version, association, table, field) is encoded once per place kind
        and cached: a list page opens hundreds of values of the same few fields."""
        place = (version, self.association, self.table, self.field)
        prefix = _PREFIX_CACHE.get(place)
        if prefix is None:
            for part in place[1:]:
                if not isinstance(part, str) or not part:
                    raise CryptoError("associated data parts must be non-empty strings")
            prefix = _AAD_DOMAIN + b"".join(_length_prefixed(part.encode()) for part in place)
            if len(_PREFIX_CACHE) >= _PREFIX_CACHE_MAX:
                _PREFIX_CACHE.clear()
            _PREFIX_CACHE[place] = prefix
        row = _canonical_row(self.row).encode()
        return prefix + _length_prefixed(key_ref.encode()) + _length_prefixed(row)


_PREFIX_CACHE: dict[tuple[str, str, str, str], bytes] = {}
_PREFIX_CACHE_MAX = 10_000


class Token(NamedTuple):
    """A parsed ciphertext token (no secret in it: safe to log the key_ref)."""

    version: str
    key_ref: str
    nonce: bytes
    ciphertext: bytes


def encrypt(plaintext: bytes, key: bytes, key_ref: str, aad: AssociatedData) -> str:
    """Encrypt ``plaintext`` under the 32-byte data ``key`` for the place ``aad``."""
    _check_key(key)
    _check_key_ref(key_ref)
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise CryptoError("plaintext must be bytes")
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, bytes(plaintext), aad.to_bytes(key_ref))
    return ".".join((VERSION, key_ref, _b64url(nonce), _b64url(sealed)))


def decrypt(token: str, key_lookup: KeyLookup, aad: AssociatedData) -> bytes:
    """Decrypt ``token`` read from the place ``aad``; ``key_lookup(key_ref)`` gives the data key
    (32 bytes, or an ``AESGCM`` already made from it, which a page reuses for all its values).

    ``key_lookup`` errors (``KeyDestroyed``, ``ProviderUnavailable``) pass through unchanged;
    every failure of the token itself is a ``DecryptionError``."""
    parsed = parse_token(token)
    key = key_lookup(parsed.key_ref)
    if isinstance(key, AESGCM):
        cipher = key
    else:
        _check_key(key)
        cipher = AESGCM(key)
    try:
        return cipher.decrypt(parsed.nonce, parsed.ciphertext, aad.to_bytes(parsed.key_ref))
    except InvalidTag:
        raise DecryptionError(
            "value does not decrypt here (wrong key, place or tampered)"
        ) from None


def parse_token(token: str) -> Token:
    """Split a token without decrypting it (to find its key_ref); malformed → DecryptionError."""
    if not isinstance(token, str):
        raise DecryptionError("encrypted value is not a string")
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise DecryptionError("encrypted value has an unknown format")
    _, key_ref, nonce_text, sealed_text = parts
    if not _KEY_REF_RE.fullmatch(key_ref):
        raise DecryptionError("encrypted value has a malformed key reference")
    nonce, sealed = _unb64url(nonce_text), _unb64url(sealed_text)
    if len(nonce) != NONCE_BYTES or len(sealed) < TAG_BYTES:
        raise DecryptionError("encrypted value is truncated")
    return Token(VERSION, key_ref, nonce, sealed)


def is_token(value: object) -> bool:
    """True if ``value`` looks like a token of this module (cheap check, no decryption)."""
    try:
        parse_token(value)  # type: ignore[arg-type]
    except DecryptionError:
        return False
    return True


def _canonical_row(row: uuid.UUID | str) -> str:
    """Rows are identified by app-generated UUIDs, in canonical form whatever the input."""
    try:
        return str(row if isinstance(row, uuid.UUID) else uuid.UUID(str(row)))
    except ValueError:
        raise CryptoError("row must be a UUID") from None


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise CryptoError("data key must be 32 bytes")


def _check_key_ref(key_ref: str) -> None:
    if not isinstance(key_ref, str) or not _KEY_REF_RE.fullmatch(key_ref):
        raise CryptoError("key_ref must match [A-Za-z0-9_-]{1,64}")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not _B64URL_RE.fullmatch(text):
        raise DecryptionError("encrypted value has malformed base64")
    try:
        # binascii directly: this runs for every value a page opens.
        return binascii.a2b_base64(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
        )
    except (binascii.Error, ValueError):
        raise DecryptionError("encrypted value has malformed base64") from None
