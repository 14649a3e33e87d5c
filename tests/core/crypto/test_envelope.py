"""Envelope encryption of field values: format, integrity and binding to the value's place."""

from __future__ import annotations

import dataclasses
import secrets
import uuid

import pytest

from core.crypto.envelope import AssociatedData, decrypt, encrypt, is_token, parse_token
from core.crypto.errors import CryptoError, DecryptionError

KEY = secrets.token_bytes(32)
ROW = uuid.uuid4()
PLACE = AssociatedData("alpha", "residents_holder", ROW, "full_name")


def _lookup(key: bytes = KEY):
    return lambda key_ref: key


def test_roundtrip_and_format() -> None:
    token = encrypt(b"Ivanov", KEY, "dk42", PLACE)
    assert token.isascii()
    version, key_ref, _, _ = token.split(".")
    assert (version, key_ref) == ("e1", "dk42")
    assert parse_token(token).key_ref == "dk42"
    assert decrypt(token, _lookup(), PLACE) == b"Ivanov"


def test_unicode_and_empty_plaintexts() -> None:
    for text in ("Иванов Иван Иванович, кв. 12 ☎ +7 900 000-00-00", "", "😀" * 1000):
        token = encrypt(text.encode(), KEY, "dk1", PLACE)
        if text:
            assert text.encode() not in token.encode()
        assert decrypt(token, _lookup(), PLACE).decode() == text


def test_same_plaintext_encrypts_differently_each_time() -> None:
    first, second = (encrypt(b"same", KEY, "dk1", PLACE) for _ in range(2))
    assert first != second
    assert parse_token(first).nonce != parse_token(second).nonce


@pytest.mark.parametrize("part", [1, 2, 3])
def test_tampering_with_any_part_fails(part: int) -> None:
    token = encrypt(b"Ivanov", KEY, "dk1", PLACE)
    pieces = token.split(".")
    piece = pieces[part]
    pieces[part] = piece[:-2] + ("A" if piece[-2] != "A" else "B") + piece[-1]
    with pytest.raises(DecryptionError):
        decrypt(".".join(pieces), _lookup(), PLACE)


@pytest.mark.parametrize(
    "moved",
    [
        {"row": uuid.uuid4()},
        {"field": "phone"},
        {"table": "residents_owner"},
        {"association": "beta"},
    ],
)
def test_ciphertext_moved_to_another_place_fails(moved: dict) -> None:
    token = encrypt(b"Ivanov", KEY, "dk1", PLACE)
    with pytest.raises(DecryptionError):
        decrypt(token, _lookup(), dataclasses.replace(PLACE, **moved))


def test_row_may_be_given_as_uuid_or_string() -> None:
    token = encrypt(b"x", KEY, "dk1", PLACE)
    same_place = dataclasses.replace(PLACE, row=str(ROW).upper())
    assert decrypt(token, _lookup(), same_place) == b"x"


def test_associated_data_encoding_is_unambiguous() -> None:
    left = AssociatedData("ab", "c", ROW, "f").to_bytes("k")
    right = AssociatedData("a", "bc", ROW, "f").to_bytes("k")
    assert left != right


def test_wrong_key_fails() -> None:
    token = encrypt(b"Ivanov", KEY, "dk1", PLACE)
    with pytest.raises(DecryptionError):
        decrypt(token, _lookup(secrets.token_bytes(32)), PLACE)


def test_key_lookup_receives_the_key_ref_and_its_errors_pass_through() -> None:
    token = encrypt(b"x", KEY, "dk7", PLACE)
    seen = []

    def lookup(key_ref: str) -> bytes:
        seen.append(key_ref)
        raise CryptoError("key gone")

    with pytest.raises(CryptoError, match="key gone"):
        decrypt(token, lookup, PLACE)
    assert seen == ["dk7"]


@pytest.mark.parametrize(
    "token",
    ["", "plain text", "e2.dk1.AAAA.AAAA", "e1.dk1.AAAA", "e1.d.k.AAAA.AAAA", "e1.dk1.!!.AAAA", 42],
)
def test_malformed_tokens_are_decryption_errors(token: object) -> None:
    assert not is_token(token)
    with pytest.raises(DecryptionError):
        decrypt(token, _lookup(), PLACE)  # type: ignore[arg-type]


def test_bad_inputs_to_encrypt_are_refused() -> None:
    with pytest.raises(CryptoError):
        encrypt(b"x", b"short", "dk1", PLACE)
    with pytest.raises(CryptoError):
        encrypt(b"x", KEY, "has.dot", PLACE)
    with pytest.raises(CryptoError):
        encrypt(b"x", KEY, "dk1", dataclasses.replace(PLACE, row="not-a-uuid"))
    with pytest.raises(CryptoError):
        encrypt("text, not bytes", KEY, "dk1", PLACE)  # type: ignore[arg-type]
