"""The in-process data key cache: bounds, prefetch waves, eviction on destroy."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence

import pytest

from core.crypto.errors import KeyDestroyed, ProviderUnavailable
from core.crypto.keycache import KeyCache
from core.crypto.naming import account_key_name
from core.crypto.providers.base import KeyProvider, UnwrapRequest
from core.crypto.providers.local import LocalKeyProvider


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingProvider:
    """Wraps a real provider and records each unwrap_many wave and each unwrap call."""

    def __init__(self, inner: KeyProvider, delay: float = 0.0) -> None:
        self.inner = inner
        self.delay = delay
        self.waves: list[int] = []
        self.unwraps = 0
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        inner.unwrap = self._tracked_unwrap  # type: ignore[method-assign]
        self._real_unwrap = type(inner).unwrap.__get__(inner)

    def _tracked_unwrap(self, name: str, wrapped: str) -> bytes:
        with self._lock:
            self.unwraps += 1
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            time.sleep(self.delay)
            return self._real_unwrap(name, wrapped)
        finally:
            with self._lock:
                self._in_flight -= 1

    def unwrap(self, name: str, wrapped: str) -> bytes:
        self.waves.append(1)
        return self.inner.unwrap(name, wrapped)

    def unwrap_many(
        self, requests: Sequence[tuple[str, str]], *, return_exceptions: bool = False
    ) -> list:
        self.waves.append(len(requests))
        return self.inner.unwrap_many(requests, return_exceptions=return_exceptions)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.fixture
def accounts(local_provider: LocalKeyProvider) -> list[tuple[str, str, bytes]]:
    """Ten account keys, each with one data key: (name, wrapped, plaintext)."""
    rows = []
    for _ in range(10):
        name = account_key_name("alpha", uuid.uuid4())
        local_provider.create_key(name)
        data_key = local_provider.generate_data_key(name)
        rows.append((name, data_key.wrapped, data_key.plaintext))
    return rows


def test_cold_prefetch_is_one_concurrent_wave_and_warm_makes_no_call(
    local_provider: LocalKeyProvider, accounts: list[tuple[str, str, bytes]]
) -> None:
    provider = CountingProvider(local_provider, delay=0.05)
    cache = KeyCache()
    pairs = [(name, wrapped) for name, wrapped, _ in accounts]

    assert cache.prefetch(provider, pairs + pairs[:3]) == len(accounts)  # type: ignore[arg-type]
    assert provider.waves == [len(accounts)]
    assert provider.max_in_flight > 1
    assert cache.stats.provider_calls == len(accounts)
    assert cache.stats.waves == 1

    cache.reset_stats()
    assert cache.prefetch(provider, pairs) == 0  # type: ignore[arg-type]
    for name, wrapped, plaintext in accounts:
        assert cache.unwrap(provider, name, wrapped) == plaintext  # type: ignore[arg-type]
    assert provider.waves == [len(accounts)]
    assert provider.unwraps == len(accounts)
    assert cache.stats.provider_calls == 0
    assert cache.stats.hits == 2 * len(accounts)


def test_partially_warm_prefetch_fetches_only_misses(
    local_provider: LocalKeyProvider, accounts: list[tuple[str, str, bytes]]
) -> None:
    provider = CountingProvider(local_provider)
    cache = KeyCache()
    pairs = [(name, wrapped) for name, wrapped, _ in accounts]
    cache.prefetch(provider, pairs[:4])  # type: ignore[arg-type]
    assert cache.prefetch(provider, pairs) == 6  # type: ignore[arg-type]
    assert provider.waves == [4, 6]


def test_ttl_expiry(local_provider: LocalKeyProvider, accounts) -> None:
    clock = FakeClock()
    cache = KeyCache(ttl=300, clock=clock)
    name, wrapped, plaintext = accounts[0]
    assert cache.unwrap(local_provider, name, wrapped) == plaintext
    clock.now += 299
    assert cache.get(name, wrapped) == plaintext
    clock.now += 2
    assert cache.get(name, wrapped) is None
    assert len(cache) == 0


def test_lru_bound(local_provider: LocalKeyProvider, accounts) -> None:
    cache = KeyCache(max_entries=3)
    for name, wrapped, _ in accounts[:3]:
        cache.unwrap(local_provider, name, wrapped)
    first = accounts[0]
    assert cache.get(first[0], first[1]) == first[2]  # touch: now most recently used
    cache.unwrap(local_provider, accounts[3][0], accounts[3][1])
    assert len(cache) == 3
    assert cache.get(accounts[1][0], accounts[1][1]) is None  # least recently used went
    assert cache.get(first[0], first[1]) == first[2]
    assert cache.stats.evictions == 1


def test_destroy_evicts_and_shreds(local_provider: LocalKeyProvider, accounts) -> None:
    cache = KeyCache()
    name, wrapped, _ = accounts[0]
    other_name, other_wrapped, other_plaintext = accounts[1]
    cache.prefetch(local_provider, [(name, wrapped), (other_name, other_wrapped)])
    cache.destroy_key(local_provider, name)
    assert cache.get(name, wrapped) is None
    assert cache.get(other_name, other_wrapped) == other_plaintext
    with pytest.raises(KeyDestroyed):
        cache.unwrap(local_provider, name, wrapped)


def test_erased_holders_stay_warm_as_cached_failures(
    local_provider: LocalKeyProvider, accounts
) -> None:
    provider = CountingProvider(local_provider)
    cache = KeyCache()
    name, wrapped, _ = accounts[0]
    local_provider.destroy_key(name)
    pairs = [(n, w) for n, w, _ in accounts[:3]]
    cache.prefetch(provider, pairs)  # type: ignore[arg-type]
    cache.prefetch(provider, pairs)  # type: ignore[arg-type]
    assert provider.waves == [3]
    for _ in range(2):
        with pytest.raises(KeyDestroyed):
            cache.get(name, wrapped)


def test_unavailability_is_raised_and_not_cached(
    local_provider: LocalKeyProvider, accounts, key_dir
) -> None:
    cache = KeyCache()
    pairs = [(n, w) for n, w, _ in accounts[:3]]
    key_dir.rename(key_dir.with_name("gone"))
    with pytest.raises(ProviderUnavailable):
        cache.prefetch(local_provider, pairs)
    assert len(cache) == 0
    key_dir.with_name("gone").rename(key_dir)
    assert cache.prefetch(local_provider, pairs) == 3


def test_new_data_keys_are_cached(local_provider: LocalKeyProvider, accounts) -> None:
    provider = CountingProvider(local_provider)
    cache = KeyCache()
    name = accounts[0][0]
    data_key = cache.generate_data_key(provider, name)  # type: ignore[arg-type]
    assert cache.unwrap(provider, name, data_key.wrapped) == data_key.plaintext  # type: ignore[arg-type]
    assert provider.unwraps == 0


def test_repr_shows_no_keys(local_provider: LocalKeyProvider, accounts) -> None:
    cache = KeyCache()
    cache.prefetch(local_provider, [UnwrapRequest(n, w) for n, w, _ in accounts])
    shown = repr(cache) + repr(list(cache._entries.values()))
    assert not any(plaintext.hex() in shown for _, _, plaintext in accounts)
