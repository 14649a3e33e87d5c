"""A file's bytes encrypted in chunks (AES-256-GCM) under the file's own content key.

Each file has a random 256-bit content key. The key itself is an encrypted field of the file's
row (``StoredFile.content_key``), sealed under the data key of whom the file concerns (the
holding's key for a holder's files, the association's key otherwise): erasing the holder
destroys their key and with it every content key, wherever the sealed bytes are kept; a data
key rotation re-seals the content keys like any other field, and the bytes never move.

Layout of the sealed bytes::

    MAGIC | chunk 0 | chunk 1 | ... | chunk n        (at least one chunk, the last flagged)
    chunk = 12-byte random nonce | ciphertext of up to CHUNK_BYTES | 16-byte tag

The associated data of each chunk is the file's place (association, table, row, "content"),
the chunk's index and whether it is the last: chunks cannot be reordered, dropped, cut off at
the end, or moved to another file or association without failing to decrypt.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.crypto.envelope import AssociatedData
from core.crypto.errors import DecryptionError

MAGIC = b"TSZF1\n"
CHUNK_BYTES = 256 * 1024
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
#: The key_ref slot of the associated data: the content key is the file's own.
KEY_REF = "content"


def new_content_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _aad(place: AssociatedData, index: int, last: bool) -> bytes:
    return place.to_bytes(KEY_REF) + struct.pack(">Q?", index, last)


def _chunks(plaintext: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Re-cut ``plaintext`` into CHUNK_BYTES pieces, each with whether it is the last."""
    buffer = b""
    pending: bytes | None = None
    for piece in plaintext:
        buffer += piece
        while len(buffer) > CHUNK_BYTES:
            if pending is not None:
                yield pending, False
            pending, buffer = buffer[:CHUNK_BYTES], buffer[CHUNK_BYTES:]
    if pending is not None:
        if buffer:
            yield pending, False
            yield buffer, True
        else:
            yield pending, True
    else:
        yield buffer, True


def seal(plaintext: Iterable[bytes], key: bytes, place: AssociatedData, out: BinaryIO) -> int:
    """Write the sealed form of ``plaintext`` (an iterable of byte strings) to ``out``;
    return the plaintext's length."""
    cipher = AESGCM(key)
    out.write(MAGIC)
    size = 0
    for index, (chunk, last) in enumerate(_chunks(plaintext)):
        nonce = secrets.token_bytes(NONCE_BYTES)
        out.write(nonce + cipher.encrypt(nonce, chunk, _aad(place, index, last)))
        size += len(chunk)
    return size


def open_sealed(source: BinaryIO, key: bytes, place: AssociatedData) -> Iterator[bytes]:
    """The plaintext of the sealed ``source``, chunk by chunk; any tampering, truncation or a
    wrong place raises ``DecryptionError`` (before the damaged chunk is handed out)."""
    if source.read(len(MAGIC)) != MAGIC:
        raise DecryptionError("not a sealed file")
    cipher = AESGCM(key)
    step = NONCE_BYTES + CHUNK_BYTES + TAG_BYTES
    block = source.read(step)
    index = 0
    while True:
        following = source.read(step) if len(block) == step else b""
        last = not following
        if len(block) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("sealed file is truncated")
        try:
            yield cipher.decrypt(block[:NONCE_BYTES], block[NONCE_BYTES:], _aad(place, index, last))
        except InvalidTag:
            raise DecryptionError(
                "file does not decrypt here (wrong key, place or tampered)"
            ) from None
        if last:
            return
        block, index = following, index + 1
