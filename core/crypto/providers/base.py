"""The ``KeyProvider`` interface for envelope encryption.

A provider holds *key-encryption keys* (KEKs), one per owner (an association, a personal account
holding), named as in ``core.crypto.naming``. Field data is encrypted in the app under 256-bit
*data keys*; the database stores a data key only *wrapped* (encrypted) by its owner's KEK. The
KEK never leaves the provider (Vault) or the key store (local), so a stolen database or backup
holds nothing readable, and destroying an owner's KEK makes all of its data keys, and hence its
data, unreadable everywhere at once (crypto-shredding).

Every method is synchronous and thread-safe. ``unwrap_many`` is the only way to unwrap more than
one key at a time: it runs all provider calls concurrently (one wave), because a list page that
unwrapped its rows' keys one after another would multiply the provider's latency by the rows.
"""

from __future__ import annotations

import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

from core.crypto.errors import (
    ConfigurationError,
    CryptoError,
    DecryptionError,
    InvalidKeyName,
    KeyDestroyed,
    KeyNotFound,
    ProviderPermissionDenied,
    ProviderUnavailable,
)
from core.crypto.naming import (
    account_key_name,
    account_key_prefix,
    association_key_name,
    belongs_to_association,
    validate_key_name,
)

__all__ = [
    "DATA_KEY_BYTES",
    "ConfigurationError",
    "CryptoError",
    "DataKey",
    "DecryptionError",
    "InvalidKeyName",
    "KeyDestroyed",
    "KeyNotFound",
    "KeyProvider",
    "ProviderPermissionDenied",
    "ProviderUnavailable",
    "UnwrapRequest",
    "account_key_name",
    "account_key_prefix",
    "association_key_name",
    "wrapped_version",
]

DATA_KEY_BYTES = 32
DEFAULT_MAX_WORKERS = 32

_WRAPPED_RE = re.compile(r"([a-z]+):v([1-9][0-9]{0,8}):([A-Za-z0-9+/=_-]+)")


@dataclass(frozen=True, slots=True)
class DataKey:
    """A fresh data key: ``plaintext`` to encrypt with now, ``wrapped`` to store in the database.

    The repr hides the plaintext (and most of the wrapped form) so that a DataKey printed in a
    log line, a traceback or a debugger never shows key material."""

    plaintext: bytes = field(repr=False)
    wrapped: str

    def __post_init__(self) -> None:
        if len(self.plaintext) != DATA_KEY_BYTES:
            raise CryptoError("data key has the wrong length")

    def __repr__(self) -> str:
        prefix = ":".join(self.wrapped.split(":")[:2])
        return f"DataKey(wrapped='{prefix}:…', plaintext=<hidden>)"


class UnwrapRequest(NamedTuple):
    """One wrapped data key to unwrap with the KEK called ``name``."""

    name: str
    wrapped: str


def wrapped_version(wrapped: str) -> int:
    """KEK version a wrapped data key was made with (``<kind>:v<N>:...`` → N).

    The rotation job uses it to skip data keys already wrapped under the latest version, which is
    what makes a re-wrap run resumable without bookkeeping."""
    match = _WRAPPED_RE.fullmatch(wrapped) if isinstance(wrapped, str) else None
    if match is None:
        raise DecryptionError("malformed wrapped data key")
    return int(match.group(2))


class KeyProvider(ABC):
    """Abstract key provider: owner keys (KEKs) that wrap and unwrap data keys."""

    #: short identifier, also the prefix of wrapped keys (``local``, ``vault``)
    kind: str = "abstract"

    def __init__(self, *, max_workers: int = DEFAULT_MAX_WORKERS) -> None:
        if max_workers < 1:
            raise ConfigurationError("max_workers must be at least 1")
        self.max_workers = max_workers
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0
        self._executor_lock = threading.Lock()

    # -- owner keys ---------------------------------------------------------------------------

    @abstractmethod
    def create_key(self, name: str) -> None:
        """Create the KEK ``name``; do nothing if it already exists (safe to retry)."""

    def create_keys(self, names: Sequence[str]) -> None:
        """Create every KEK of ``names`` (those that exist are left as they are), at once.

        For an import that opens thousands of holdings, each with its own KEK. Every key is
        created by the time this returns; on an error some may be created and others not (safe
        to retry, like ``create_key``). Providers override it to share the work: the local one
        takes its lock once and syncs the files together, Vault sends the creations in one
        concurrent wave (Transit has no batch creation; ``batch_input`` is per key, for
        encrypt/decrypt/rewrap of many values under ONE key)."""
        for name in dict.fromkeys(names):
            self.create_key(name)

    @abstractmethod
    def destroy_key(self, name: str) -> None:
        """Destroy the KEK ``name`` for good (crypto-shredding); a missing key is not an error.

        Afterwards every data key it wrapped, in the database and in every backup of it, fails to
        unwrap with ``KeyDestroyed``. In-process caches of unwrapped data keys must be told
        separately (``KeyCache.forget``)."""

    @abstractmethod
    def key_exists(self, name: str) -> bool:
        """True if the KEK ``name`` exists (not destroyed)."""

    @abstractmethod
    def list_keys(self, prefix: str = "") -> list[str]:
        """Names of all KEKs starting with ``prefix``, sorted."""

    @abstractmethod
    def rotate_key(self, name: str) -> int:
        """Add a new version to the KEK ``name`` and return it.

        New data keys are wrapped under the new version; data keys wrapped under older versions
        still unwrap until they are re-wrapped (``rewrap``)."""

    @abstractmethod
    def latest_version(self, name: str) -> int:
        """Latest version of the KEK ``name`` (what ``generate_data_key`` wraps under)."""

    # -- data keys ----------------------------------------------------------------------------

    @abstractmethod
    def generate_data_key(self, name: str) -> DataKey:
        """A new random 256-bit data key, with its form wrapped by the latest version of ``name``.

        Raises ``KeyNotFound`` if the KEK does not exist: keys are created explicitly (under the
        provisioning policy), never implicitly by a write."""

    def generate_data_keys(self, names: Sequence[str]) -> list[DataKey]:
        """``generate_data_key`` for each of ``names``, in order (a name given twice gets two
        keys). For writes of many owners' rows at once (an import's new holdings); remote
        providers override it to send the calls in one concurrent wave."""
        return [self.generate_data_key(name) for name in names]

    @abstractmethod
    def unwrap(self, name: str, wrapped: str) -> bytes:
        """The 32-byte data key inside ``wrapped``.

        Raises ``KeyDestroyed``/``KeyNotFound`` if the KEK is gone, ``DecryptionError`` if
        ``wrapped`` was not made by this KEK or was altered."""

    @abstractmethod
    def rewrap(self, name: str, wrapped: str) -> str:
        """``wrapped`` re-wrapped under the latest version of ``name``.

        The data key's plaintext is not returned to the caller (Vault never reveals it at all),
        so the KEK rotation job does not need unwrap rights to the data."""

    @abstractmethod
    def retire_versions_below(self, name: str, version: int) -> None:
        """Make versions of ``name`` older than ``version`` unusable for unwrapping.

        The rotation job calls it once every data key is re-wrapped under ``version``, so a
        leaked old version no longer opens anything. Vault: ``min_decryption_version``; local:
        the old versions are removed from the key file."""

    @abstractmethod
    def check(self) -> None:
        """Raise ``ProviderUnavailable`` unless the provider can serve requests now (readiness)."""

    # -- bulk operations ----------------------------------------------------------------------

    def unwrap_many(
        self,
        requests: Sequence[UnwrapRequest | tuple[str, str]],
        *,
        return_exceptions: bool = False,
    ) -> list[bytes | CryptoError]:
        """Unwrap many data keys in one concurrent wave; results are in request order.

        Duplicate requests are sent once. All distinct requests are submitted to a thread pool at
        the same time (up to ``max_workers`` in flight), never one after another. With
        ``return_exceptions`` a failed item yields its ``CryptoError`` instead of raising, so a
        page can render the rows it can read and mark the erased ones; without it the first
        error is raised (``ProviderUnavailable`` takes precedence, so callers answer 503)."""
        items = [UnwrapRequest(*request) for request in requests]
        unique = list(dict.fromkeys(items))
        outcomes = self._run_wave(unique)
        results = [outcomes[item] for item in items]
        if not return_exceptions:
            _raise_first_error(results)
        return results

    def _run_wave(self, unique: list[UnwrapRequest]) -> dict[UnwrapRequest, bytes | CryptoError]:
        """Run ``unwrap`` for every request concurrently and collect results or CryptoErrors."""
        if len(unique) <= 1:
            return {item: self._unwrap_catching(item) for item in unique}
        executor = self._get_executor()
        futures: dict[UnwrapRequest, Future[bytes | CryptoError]] = {
            item: executor.submit(self._unwrap_catching, item) for item in unique
        }
        return {item: future.result() for item, future in futures.items()}

    def _unwrap_catching(self, item: UnwrapRequest) -> bytes | CryptoError:
        """``unwrap`` returning a CryptoError instead of raising it (other errors propagate)."""
        try:
            return self.unwrap(item.name, item.wrapped)
        except CryptoError as exc:
            return exc

    def _get_executor(self) -> ThreadPoolExecutor:
        """The provider's thread pool, created lazily and again after a fork (pre-fork servers
        would otherwise inherit a pool whose threads do not exist in the child)."""
        with self._executor_lock:
            if self._executor is None or self._executor_pid != os.getpid():
                self._executor = ThreadPoolExecutor(
                    max_workers=self.max_workers, thread_name_prefix=f"keys-{self.kind}"
                )
                self._executor_pid = os.getpid()
            return self._executor

    def destroy_keys_with_prefix(self, prefix: str) -> list[str]:
        """Destroy every KEK whose name starts with ``prefix``; return the names destroyed.

        An empty prefix is refused: it would shred the whole platform."""
        if not prefix:
            raise InvalidKeyName("refusing to destroy keys with an empty prefix")
        names = self.list_keys(prefix)
        for name in names:
            self.destroy_key(name)
        return names

    def destroy_association_keys(self, schema_name: str) -> list[str]:
        """Destroy the association's key and all of its account keys (association deletion)."""
        names = [
            name
            for name in self.list_keys(association_key_name(schema_name))
            if belongs_to_association(name, schema_name)
        ]
        names += self.list_keys(account_key_prefix(schema_name))
        for name in names:
            self.destroy_key(name)
        return sorted(set(names))

    def close(self) -> None:
        """Release the thread pool (and connections, in subclasses)."""
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    @staticmethod
    def _name(name: str) -> str:
        """Validated key name (subclasses call this on every entry point)."""
        return validate_key_name(name)

    def _parse_wrapped(self, wrapped: str) -> tuple[int, str]:
        """Split ``<kind>:v<N>:<payload>`` of this provider's kind into (N, payload)."""
        match = _WRAPPED_RE.fullmatch(wrapped) if isinstance(wrapped, str) else None
        if match is None or match.group(1) != self.kind:
            raise DecryptionError("wrapped data key is not from this provider")
        return int(match.group(2)), match.group(3)


def _raise_first_error(results: Sequence[bytes | CryptoError]) -> None:
    """Raise the error that matters most among ``results``: unavailability first (→ 503)."""
    errors = [result for result in results if isinstance(result, CryptoError)]
    for error in errors:
        if isinstance(error, ProviderUnavailable):
            raise error
    if errors:
        raise errors[0]
