"""The one contract every KeyProvider honours, run against each backend (see conftest)."""

from __future__ import annotations

import base64
import threading
import time
import uuid

import pytest

from core.crypto.errors import (
    DecryptionError,
    InvalidKeyName,
    KeyDestroyed,
    KeyNotFound,
    ProviderUnavailable,
)
from core.crypto.naming import account_key_name, account_key_prefix, association_key_name
from core.crypto.providers.base import KeyProvider, UnwrapRequest, wrapped_version
from tests.core.crypto.conftest import Backend


def _tamper(wrapped: str) -> str:
    """Flip one bit in the middle of a wrapped key's payload (still well-formed)."""
    kind, version, payload = wrapped.split(":", 2)
    raw = bytearray(base64.b64decode(payload))
    raw[len(raw) // 2] ^= 0x01
    return f"{kind}:{version}:{base64.b64encode(bytes(raw)).decode()}"


def _accounts(schema: str, count: int) -> list[str]:
    return [account_key_name(schema, uuid.uuid4()) for _ in range(count)]


def test_create_is_idempotent(backend: Backend, schema: str) -> None:
    provider, name = backend.provider, association_key_name(schema)
    assert not provider.key_exists(name)
    provider.create_key(name)
    data_key = provider.generate_data_key(name)
    provider.create_key(name)  # must not replace the key: old data keys still unwrap
    assert provider.key_exists(name)
    assert provider.list_keys(name) == [name]
    assert provider.latest_version(name) == 1
    assert provider.unwrap(name, data_key.wrapped) == data_key.plaintext


def test_create_keys_makes_each_key_and_leaves_existing_ones(backend: Backend, schema: str) -> None:
    provider = backend.provider
    existing = account_key_name(schema, uuid.uuid4())
    provider.create_key(existing)
    old = provider.generate_data_key(existing)
    names = _accounts(schema, 40)

    provider.create_keys([*names, existing, names[0]])  # duplicates and an existing key

    assert provider.list_keys(account_key_prefix(schema)) == sorted([*names, existing])
    assert provider.unwrap(existing, old.wrapped) == old.plaintext, "not replaced"
    wrapped = {name: provider.generate_data_key(name) for name in names}
    for name, data_key in wrapped.items():
        assert provider.latest_version(name) == 1
        assert provider.unwrap(name, data_key.wrapped) == data_key.plaintext
    with pytest.raises(DecryptionError):  # one key per name, not one key for the batch
        provider.unwrap(names[1], wrapped[names[2]].wrapped)
    provider.create_keys(names)  # again: nothing changes
    assert provider.unwrap(names[3], wrapped[names[3]].wrapped) == wrapped[names[3]].plaintext
    provider.create_keys([])


def test_generate_data_keys_makes_one_new_key_per_name_in_order(
    backend: Backend, schema: str
) -> None:
    provider = backend.provider
    names = _accounts(schema, 12)
    provider.create_keys(names)

    data_keys = provider.generate_data_keys([*names, names[0]])

    assert len(data_keys) == 13
    assert len({data_key.plaintext for data_key in data_keys}) == 13
    for name, data_key in zip([*names, names[0]], data_keys, strict=True):
        assert provider.unwrap(name, data_key.wrapped) == data_key.plaintext
    assert provider.generate_data_keys([]) == []
    with pytest.raises(KeyNotFound):
        provider.generate_data_keys([names[0], account_key_name(schema, uuid.uuid4())])


def test_create_keys_refuses_a_bad_name(backend: Backend, schema: str) -> None:
    with pytest.raises(InvalidKeyName):
        backend.provider.create_keys([account_key_name(schema, uuid.uuid4()), "../escape"])


def test_create_keys_of_an_unavailable_provider(backend: Backend, schema: str) -> None:
    with pytest.raises(ProviderUnavailable):
        backend.make_unavailable().create_keys(_accounts(schema, 3))


def test_data_key_roundtrip(backend: Backend, schema: str) -> None:
    provider, name = backend.provider, association_key_name(schema)
    provider.create_key(name)
    first, second = provider.generate_data_key(name), provider.generate_data_key(name)
    assert len(first.plaintext) == 32
    assert first.plaintext != second.plaintext
    assert first.wrapped.startswith(f"{provider.kind}:v1:")
    assert first.plaintext not in first.wrapped.encode()
    assert provider.unwrap(name, first.wrapped) == first.plaintext
    assert provider.unwrap(name, second.wrapped) == second.plaintext
    shown = repr(first)
    assert first.plaintext.hex() not in shown
    assert base64.b64encode(first.plaintext).decode() not in shown


def test_data_key_needs_an_existing_key(backend: Backend, schema: str) -> None:
    with pytest.raises(KeyNotFound):
        backend.provider.generate_data_key(association_key_name(schema))


def test_unwrap_refuses_foreign_or_tampered_wrapped_keys(backend: Backend, schema: str) -> None:
    provider = backend.provider
    own, other = _accounts(schema, 2)
    provider.create_key(own)
    provider.create_key(other)
    data_key = provider.generate_data_key(own)
    with pytest.raises(DecryptionError):
        provider.unwrap(other, data_key.wrapped)
    with pytest.raises(DecryptionError):
        provider.unwrap(own, _tamper(data_key.wrapped))
    with pytest.raises(DecryptionError):
        provider.unwrap(own, "not-a-wrapped-key")


def test_unwrap_after_rotate(backend: Backend, schema: str) -> None:
    provider, name = backend.provider, association_key_name(schema)
    provider.create_key(name)
    old = provider.generate_data_key(name)
    assert provider.rotate_key(name) == 2
    assert provider.latest_version(name) == 2
    new = provider.generate_data_key(name)
    assert wrapped_version(old.wrapped) == 1
    assert wrapped_version(new.wrapped) == 2
    assert provider.unwrap(name, old.wrapped) == old.plaintext
    assert provider.unwrap(name, new.wrapped) == new.plaintext


def test_rewrap_moves_to_latest_version(backend: Backend, schema: str) -> None:
    provider, name = backend.provider, association_key_name(schema)
    provider.create_key(name)
    data_key = provider.generate_data_key(name)
    provider.rotate_key(name)
    provider.rotate_key(name)
    rewrapped = provider.rewrap(name, data_key.wrapped)
    assert rewrapped != data_key.wrapped
    assert wrapped_version(rewrapped) == 3
    assert provider.unwrap(name, rewrapped) == data_key.plaintext
    with pytest.raises(DecryptionError):
        provider.rewrap(name, _tamper(data_key.wrapped))


def test_retired_versions_no_longer_unwrap(backend: Backend, schema: str) -> None:
    provider, name = backend.provider, association_key_name(schema)
    provider.create_key(name)
    old = provider.generate_data_key(name)
    provider.rotate_key(name)
    rewrapped = provider.rewrap(name, old.wrapped)
    provider.retire_versions_below(name, 2)
    with pytest.raises((DecryptionError, KeyNotFound)):
        provider.unwrap(name, old.wrapped)
    assert provider.unwrap(name, rewrapped) == old.plaintext


def test_destroy_shreds_the_key(backend: Backend, schema: str) -> None:
    provider = backend.provider
    erased, kept = _accounts(schema, 2)
    provider.create_key(erased)
    provider.create_key(kept)
    erased_key, kept_key = provider.generate_data_key(erased), provider.generate_data_key(kept)
    provider.destroy_key(erased)
    assert not provider.key_exists(erased)
    with pytest.raises(KeyDestroyed):
        provider.unwrap(erased, erased_key.wrapped)
    with pytest.raises(KeyNotFound):
        provider.rewrap(erased, erased_key.wrapped)
    with pytest.raises(KeyNotFound):
        provider.generate_data_key(erased)
    provider.destroy_key(erased)  # erasing twice is harmless (retries)
    assert provider.unwrap(kept, kept_key.wrapped) == kept_key.plaintext


def test_list_and_destroy_by_prefix(backend: Backend, schema: str) -> None:
    provider, neighbour = backend.provider, f"{schema}x"  # shares the textual prefix
    mine = [association_key_name(schema), *_accounts(schema, 2)]
    theirs = [association_key_name(neighbour), *_accounts(neighbour, 1)]
    for name in mine + theirs:
        provider.create_key(name)
    assert provider.list_keys(account_key_prefix(schema)) == sorted(mine[1:])
    assert set(mine + theirs) <= set(provider.list_keys())

    assert provider.destroy_association_keys(schema) == sorted(mine)
    assert not any(provider.key_exists(name) for name in mine)
    assert all(provider.key_exists(name) for name in theirs)

    assert provider.destroy_keys_with_prefix(account_key_prefix(neighbour)) == theirs[1:]
    assert provider.key_exists(theirs[0])
    with pytest.raises(InvalidKeyName):
        provider.destroy_keys_with_prefix("")


def test_unwrap_many_runs_in_one_concurrent_wave(
    backend: Backend, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = backend.provider
    names = _accounts(schema, 8)
    keys = {}
    for name in names:
        provider.create_key(name)
        keys[name] = provider.generate_data_key(name)
    tracker = _ConcurrencyTracker(provider, delay=0.2)
    monkeypatch.setattr(provider, "unwrap", tracker.unwrap)
    requests = [UnwrapRequest(name, keys[name].wrapped) for name in names]
    requests.append(requests[0])  # duplicates are fetched once

    started = time.monotonic()
    results = provider.unwrap_many(requests)
    elapsed = time.monotonic() - started

    assert results == [keys[name].plaintext for name in names] + [keys[names[0]].plaintext]
    assert tracker.calls == len(names)
    assert tracker.max_in_flight == len(names)  # all distinct requests at once: one wave
    assert elapsed < 0.2 * len(names) * 0.75  # sequential calls would take 0.2 s each


def test_unwrap_many_reports_per_item_failures(backend: Backend, schema: str) -> None:
    provider = backend.provider
    alive, erased = _accounts(schema, 2)
    for name in (alive, erased):
        provider.create_key(name)
    alive_key, erased_key = provider.generate_data_key(alive), provider.generate_data_key(erased)
    provider.destroy_key(erased)
    requests = [(alive, alive_key.wrapped), (erased, erased_key.wrapped)]

    results = provider.unwrap_many(requests, return_exceptions=True)
    assert results[0] == alive_key.plaintext
    assert isinstance(results[1], KeyDestroyed)
    with pytest.raises(KeyDestroyed):
        provider.unwrap_many(requests)


def test_unavailable_provider_raises_provider_unavailable(backend: Backend, schema: str) -> None:
    name = association_key_name(schema)
    backend.provider.create_key(name)
    data_key = backend.provider.generate_data_key(name)
    provider = backend.make_unavailable()
    calls = {
        "check": provider.check,
        "create_key": lambda: provider.create_key(name),
        "key_exists": lambda: provider.key_exists(name),
        "list_keys": lambda: provider.list_keys(),
        "generate_data_key": lambda: provider.generate_data_key(name),
        "unwrap": lambda: provider.unwrap(name, data_key.wrapped),
        "unwrap_many": lambda: provider.unwrap_many(
            [(name, data_key.wrapped), (name, provider_copy(data_key.wrapped))]
        ),
        "destroy_key": lambda: provider.destroy_key(name),
    }
    did_not_raise = []
    for label, call in calls.items():
        try:
            call()
        except ProviderUnavailable:
            continue
        did_not_raise.append(label)
    assert did_not_raise == []


def test_invalid_key_names_are_refused(backend: Backend) -> None:
    for bad in ("", "../etc/passwd", "a/b", ".hidden", "x" * 300, "sp ace"):
        with pytest.raises(InvalidKeyName):
            backend.provider.create_key(bad)


def provider_copy(wrapped: str) -> str:
    """A second, distinct request for the same key (so unwrap_many really uses its pool)."""
    return _tamper(wrapped)


class _ConcurrencyTracker:
    """Wraps ``provider.unwrap`` to count calls and the peak number running at once."""

    def __init__(self, provider: KeyProvider, delay: float) -> None:
        self._unwrap = provider.unwrap
        self._delay = delay
        self._lock = threading.Lock()
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def unwrap(self, name: str, wrapped: str) -> bytes:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self._delay)
            return self._unwrap(name, wrapped)
        finally:
            with self._lock:
                self.in_flight -= 1
