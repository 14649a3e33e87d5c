"""In-process cache of unwrapped data keys, bounded in size (LRU) and in time (TTL).

Unwrapped data keys exist only in process memory, and only briefly: an entry lives at most
``ttl`` seconds after it was fetched, and at most ``max_entries`` keys are held. That bounds the
damage of a memory dump and the time a key destroyed in *another* process stays usable here
(destruction in this process evicts at once, see ``destroy_key``).

A page first collects the (key name, wrapped key) pairs of its rows and calls ``prefetch``: the
misses are unwrapped with one ``unwrap_many`` call, i.e. one concurrent wave of provider calls;
on a warm page every pair is a hit and the provider is not called at all. The counters in
``stats`` exist so that benchmarks and tests can assert exactly that.

Deterministic failures (``KeyNotFound`` for an erased holder, ``DecryptionError`` for a bad
wrapped key) are cached too, so that a page listing erased holders stays warm; they are raised
again, as new exceptions of the same class, on every lookup. Unavailability is never cached.

Python cannot wipe ``bytes`` from memory; eviction drops the reference and leaves the rest to the
garbage collector. That is the limit of what a Python process can promise.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from core.crypto.errors import CryptoError, DecryptionError, KeyNotFound
from core.crypto.providers.base import DataKey, KeyProvider, UnwrapRequest

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_TTL_SECONDS = 300.0

_CACHEABLE_FAILURES = (KeyNotFound, DecryptionError)


@dataclass(slots=True)
class CacheStats:
    """Counters since creation or the last ``reset_stats``."""

    hits: int = 0
    misses: int = 0
    provider_calls: int = 0  # unwraps requested from the provider
    waves: int = 0  # provider round trips: one per unwrap or unwrap_many call
    evictions: int = 0  # entries dropped by the size bound


@dataclass(frozen=True, slots=True)
class _Failure:
    """A cached deterministic failure: the class and the (secret-free) message."""

    error_type: type[CryptoError]
    message: str

    def raise_again(self) -> None:
        raise self.error_type(self.message)


@dataclass(slots=True)
class _Entry:
    value: bytes | _Failure
    expires_at: float

    def __repr__(self) -> str:
        return f"_Entry(expires_at={self.expires_at})"  # never the key


class KeyCache:
    """Thread-safe LRU + TTL cache of data keys, keyed by (key name, wrapped data key)."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or ttl <= 0:
            raise ValueError("max_entries and ttl must be positive")
        self.max_entries = max_entries
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[UnwrapRequest, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._stats = CacheStats()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"KeyCache(entries={len(self)}, max_entries={self.max_entries}, ttl={self.ttl})"

    @property
    def stats(self) -> CacheStats:
        """A snapshot of the counters."""
        with self._lock:
            return replace(self._stats)

    def reset_stats(self) -> None:
        with self._lock:
            self._stats = CacheStats()

    # -- lookups -------------------------------------------------------------------------------

    def get(self, name: str, wrapped: str) -> bytes | None:
        """The cached key, ``None`` on a miss; a cached failure is raised again."""
        with self._lock:
            value = self._lookup(UnwrapRequest(name, wrapped))
        if isinstance(value, _Failure):
            value.raise_again()
        return value  # type: ignore[return-value]

    def put(self, name: str, wrapped: str, key: bytes) -> None:
        """Remember an unwrapped (or freshly generated) data key."""
        with self._lock:
            self._store(UnwrapRequest(name, wrapped), key)

    def unwrap(self, provider: KeyProvider, name: str, wrapped: str) -> bytes:
        """The data key, from the cache or with one provider call (the single-row path)."""
        item = UnwrapRequest(name, wrapped)
        with self._lock:
            value = self._lookup(item)
            if value is None:
                self._stats.provider_calls += 1
                self._stats.waves += 1
        if value is None:
            try:
                value = provider.unwrap(name, wrapped)
            except _CACHEABLE_FAILURES as exc:
                with self._lock:
                    self._store(item, _as_value(exc))
                raise
            with self._lock:
                self._store(item, value)
        if isinstance(value, _Failure):
            value.raise_again()
        return value  # type: ignore[return-value]

    def prefetch(self, provider: KeyProvider, items: Iterable[tuple[str, str]]) -> int:
        """Make sure every (name, wrapped) pair is cached; return how many were fetched.

        All misses go to the provider in ONE ``unwrap_many`` call (one concurrent wave); a
        warm prefetch makes no provider call. ``ProviderUnavailable`` propagates (nothing is
        cached for it); per-key failures are cached as failures and raised on lookup."""
        unique = list(dict.fromkeys(UnwrapRequest(*item) for item in items))
        with self._lock:
            misses = [item for item in unique if self._lookup(item) is None]
            self._stats.provider_calls += len(misses)
            self._stats.waves += 1 if misses else 0
        if not misses:
            return 0
        results = provider.unwrap_many(misses, return_exceptions=True)
        _raise_uncacheable(results)
        with self._lock:
            for item, result in zip(misses, results, strict=True):
                self._store(item, _as_value(result))
        return len(misses)

    # -- writes and eviction -------------------------------------------------------------------

    def generate_data_key(self, provider: KeyProvider, name: str) -> DataKey:
        """A new data key from the provider, cached so the row just written reads warm."""
        data_key = provider.generate_data_key(name)
        self.put(name, data_key.wrapped, data_key.plaintext)
        return data_key

    def generate_data_keys(self, provider: KeyProvider, names: list[str]) -> list[DataKey]:
        """New data keys for ``names`` (``provider.generate_data_keys``: one wave), cached."""
        data_keys = provider.generate_data_keys(names)
        with self._lock:
            for name, data_key in zip(names, data_keys, strict=True):
                self._store(UnwrapRequest(name, data_key.wrapped), data_key.plaintext)
        return data_keys

    def forget(self, name: str) -> int:
        """Evict every cached key of the KEK ``name``; return how many were dropped."""
        with self._lock:
            doomed = [item for item in self._entries if item.name == name]
            for item in doomed:
                del self._entries[item]
        return len(doomed)

    def destroy_key(self, provider: KeyProvider, name: str) -> None:
        """Crypto-shred ``name`` at the provider and evict its keys from this cache."""
        self.forget(name)
        provider.destroy_key(name)
        self.forget(name)  # a prefetch racing with the destroy may have re-added some

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    # -- internals (caller holds the lock) -------------------------------------------------

    def _lookup(self, item: UnwrapRequest) -> bytes | _Failure | None:
        """Hit → value (moved to the LRU end); expired or absent → None. Counts hits/misses."""
        entry = self._entries.get(item)
        if entry is not None and entry.expires_at <= self._clock():
            del self._entries[item]
            entry = None
        if entry is None:
            self._stats.misses += 1
            return None
        self._entries.move_to_end(item)
        self._stats.hits += 1
        return entry.value

    def _store(self, item: UnwrapRequest, value: bytes | _Failure) -> None:
        self._entries[item] = _Entry(value, self._clock() + self.ttl)
        self._entries.move_to_end(item)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
            self._stats.evictions += 1


def _as_value(result: bytes | CryptoError) -> bytes | _Failure:
    if isinstance(result, CryptoError):
        return _Failure(type(result), str(result))
    return result


def _raise_uncacheable(results: list[bytes | CryptoError]) -> None:
    """Raise the first failure that is not a property of the key itself (e.g. unavailable)."""
    for result in results:
        if isinstance(result, CryptoError) and not isinstance(result, _CACHEABLE_FAILURES):
            raise result
