"""The Django side of envelope encryption: data keys of the current schema.

``core.crypto.providers`` and ``core.crypto.keycache`` know nothing about Django; this module ties
them to the database: which data key encrypts new values of an owner (``writing_key``), which key a
stored token needs (``key_for_ref``), fetching all keys of a page at once (``prefetch_refs``), the
association's blind index, and the lifecycle of owners' keys (creation, erasure, sweeping keys
left behind by rolled-back transactions).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Iterable
from typing import NamedTuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, connection, transaction

from core.crypto.errors import CryptoError, KeyNotFound
from core.crypto.models import KeyPurpose, WrappedDataKey
from core.crypto.naming import account_key_name, association_key_name
from core.crypto.registry import get_key_cache, get_provider

#: Redis sorted set of provider keys created but not yet known to be committed (name → time).
PENDING_KEYS = "crypto:pending-keys"
#: How long a freshly created provider key may wait for its transaction before it is swept.
PENDING_GRACE_SECONDS = 3600


def current_schema() -> str:
    return connection.schema_name


def association_key() -> str:
    """Provider key name of the current association."""
    return association_key_name(current_schema())


def holding_key(holding_id: uuid.UUID | str) -> str:
    """Provider key name of one personal account holding in the current association."""
    return account_key_name(current_schema(), holding_id)


# -- provider keys ----------------------------------------------------------------------------


def _redis():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def create_owner_key(name: str) -> None:
    """Create the provider key ``name`` and note it as pending until the transaction commits.

    A rolled-back transaction leaves the provider key without any data key row; the sweeper
    (``sweep_uncommitted_keys``) destroys such keys after a grace period.
    """
    client = _redis()
    client.zadd(PENDING_KEYS, {name: time.time()})
    get_provider().create_key(name)
    transaction.on_commit(lambda: _redis().zrem(PENDING_KEYS, name))


def sweep_uncommitted_keys(grace_seconds: float = PENDING_GRACE_SECONDS) -> list[str]:
    """Destroy provider keys created by transactions that never committed.

    A pending key older than the grace period whose owner has no data key row in any schema
    was created by a transaction that rolled back (or a process that died). Returns the names.
    """
    client = _redis()
    cutoff = time.time() - grace_seconds
    destroyed: list[str] = []
    for raw in client.zrangebyscore(PENDING_KEYS, 0, cutoff):
        name = raw.decode()
        if not _key_name_in_use(name):
            get_key_cache().destroy_key(get_provider(), name)
            destroyed.append(name)
        client.zrem(PENDING_KEYS, name)
    return destroyed


def _key_name_in_use(name: str) -> bool:
    from django_tenants.utils import schema_context

    schema = _schema_of_key(name)
    if schema is None:
        return True  # not ours to judge: keep it
    with schema_context(schema):
        try:
            return WrappedDataKey.objects.filter(key_name=name).exists()
        except Exception:  # noqa: BLE001 - the schema is gone: nothing uses the key
            return False


def _schema_of_key(name: str) -> str | None:
    for prefix in ("assoc-", "acct-"):
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            return rest if prefix == "assoc-" else rest[: -len(str(uuid.UUID(int=0))) - 1]
    return None


def destroy_owner_key(name: str) -> None:
    """Crypto-shred an owner: every value under ``name``, in every backup, becomes unreadable."""
    forget_cached_rows(name)
    get_key_cache().destroy_key(get_provider(), name)
    WrappedDataKey.objects.filter(key_name=name).delete()


# -- data keys --------------------------------------------------------------------------------


def _active_row(name: str, purpose: str) -> WrappedDataKey | None:
    return WrappedDataKey.objects.filter(key_name=name, purpose=purpose, active=True).first()


def writing_key(name: str, purpose: str = KeyPurpose.DATA) -> tuple[str, bytes]:
    """``(key_ref, data key)`` that new values of the owner ``name`` are encrypted under.

    Creates the owner's provider key and first data key when the owner has none yet. Two
    concurrent first writes race on a unique constraint; the loser reads the winner's key.
    """
    cache = get_key_cache()
    provider = get_provider()
    row = _active_row(name, purpose)
    if row is None:
        if not provider.key_exists(name):
            create_owner_key(name)
        data_key = cache.generate_data_key(provider, name)
        try:
            with transaction.atomic():
                row = WrappedDataKey.objects.create(
                    key_name=name, purpose=purpose, wrapped=data_key.wrapped
                )
        except IntegrityError:
            row = _active_row(name, purpose)
            if row is None:
                raise
    return row.ref, cache.unwrap(provider, row.key_name, row.wrapped)


def retire_active_keys(name: str) -> None:
    """Stop writing under the owner's current data key (re-encryption moves rows off it)."""
    WrappedDataKey.objects.filter(key_name=name, purpose=KeyPurpose.DATA, active=True).update(
        active=False
    )


class _KeyRow(NamedTuple):
    key_name: str
    wrapped: str


class _RefCache:
    """key_ref → (key name, wrapped key), so a warm page needs no query for its key rows.

    Bounded in size and time like the key cache; entries of a destroyed owner are dropped at
    once in this process (other processes drop them within the TTL, the same bound as keys).
    """

    def __init__(self, max_entries: int = 20_000, ttl: float = 300.0):
        self.max_entries, self.ttl = max_entries, ttl
        self._rows: dict[str, tuple[_KeyRow, float]] = {}
        self._lock = threading.Lock()

    def get_many(self, refs: Iterable[str]) -> dict[str, _KeyRow]:
        now = time.monotonic()
        with self._lock:
            found = {}
            for ref in refs:
                entry = self._rows.get(ref)
                if entry is not None and entry[1] > now:
                    found[ref] = entry[0]
            return found

    def put_many(self, rows: dict[str, _KeyRow]) -> None:
        expires = time.monotonic() + self.ttl
        with self._lock:
            if len(self._rows) + len(rows) > self.max_entries:
                self._rows.clear()
            for ref, row in rows.items():
                self._rows[ref] = (row, expires)

    def forget(self, key_name: str | None = None) -> None:
        with self._lock:
            if key_name is None:
                self._rows.clear()
            else:
                for ref in [r for r, (row, _e) in self._rows.items() if row.key_name == key_name]:
                    del self._rows[ref]


_ref_cache = _RefCache()


def forget_cached_rows(key_name: str | None = None) -> None:
    """Drop cached key rows (all, or one owner's): after rotation or destruction."""
    _ref_cache.forget(key_name)


def _rows_for_refs(refs: Iterable[str]) -> dict[str, _KeyRow]:
    wanted = set(refs)
    rows = _ref_cache.get_many(wanted)
    missing = []
    for ref in wanted - rows.keys():
        try:
            missing.append(uuid.UUID(hex=ref))
        except ValueError:
            continue
    if missing:
        loaded = {
            row.ref: _KeyRow(row.key_name, row.wrapped)
            for row in WrappedDataKey.objects.filter(id__in=missing).only("key_name", "wrapped")
        }
        _ref_cache.put_many(loaded)
        rows.update(loaded)
    return rows


def prefetch_refs(refs: Iterable[str]) -> dict[str, _KeyRow]:
    """Find the key rows named by ``refs`` (cached, else one query), unwrap misses (one wave)."""
    rows = _rows_for_refs(refs)
    get_key_cache().prefetch(get_provider(), [(row.key_name, row.wrapped) for row in rows.values()])
    return rows


def ciphers_for(rows: dict[str, _KeyRow]) -> dict[str, AESGCM]:
    """AES-GCM objects for the (already prefetched) keys of a page, made once per key.

    Keys that fail (an erased holder) are left out: opening their values goes through
    ``key_for_ref``, which raises the right error. The map lives as long as the page's rows.
    """
    cache, provider = get_key_cache(), get_provider()
    ciphers = {}
    for ref, row in rows.items():
        try:
            ciphers[ref] = AESGCM(cache.unwrap(provider, row.key_name, row.wrapped))
        except CryptoError:
            continue
    return ciphers


def key_for_ref(ref: str, rows: dict[str, _KeyRow] | None = None) -> bytes:
    """The data key a token names; ``rows`` from ``prefetch_refs`` saves the lookup."""
    row = (rows or {}).get(ref) or _rows_for_refs([ref]).get(ref)
    if row is None:
        # The key row is gone: its owner was erased (or the token belongs elsewhere).
        raise KeyNotFound("the data key of this value no longer exists")
    return get_key_cache().unwrap(get_provider(), row.key_name, row.wrapped)


# -- blind index ------------------------------------------------------------------------------


def blind_index(value: str, *, field: str) -> str:
    """Keyed hash of ``value`` under the association's index key, for exact lookups.

    The key comes from the association's provider key, so the index is useless without it, and
    the field name is mixed in so equal values in different fields do not match.
    """
    _ref, key = writing_key(association_key(), purpose=KeyPurpose.INDEX)
    digest = hmac.new(key, f"{field}\x00{value}".encode(), hashlib.sha256)
    return digest.hexdigest()
