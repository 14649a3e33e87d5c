"""The Django side of envelope encryption: data keys of the current schema.

``core.crypto.providers`` and ``core.crypto.keycache`` know nothing about Django; this module ties
them to the database: which data key encrypts new values of an owner (``writing_key``), which key a
stored token needs (``key_for_ref``), fetching all keys of a page at once (``prefetch_refs``), the
association's blind index, and the lifecycle of owners' keys:

* creation: ``create_owner_key`` (noted as pending until its transaction commits, so the sweeper
  can destroy keys of transactions that rolled back);
* destruction (crypto-shredding): ``request_key_destruction`` records the request in the same
  transaction as the erasure; the key job (``destroy_requested_keys``, Celery queue ``keys``, run
  under the provisioning credential) destroys the key and retries until the provider confirms.
  A recorded destruction is also a tombstone: no new key of that name is ever made again.

Creation, sweeping and destruction of one key name serialise on a PostgreSQL advisory lock, so a
writer committing its first row cannot lose its key to a concurrent sweep.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.crypto.errors import CryptoError, KeyNotFound, ProviderUnavailable
from core.crypto.models import KeyDestruction, KeyPurpose, WrappedDataKey
from core.crypto.naming import account_key_name, association_key_name, belongs_to_association
from core.crypto.registry import get_key_cache, get_provider, get_provisioning_provider

logger = logging.getLogger(__name__)

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


def _lock_key_name(name: str) -> None:
    """Serialise work on one key name until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"tszh-key:{name}"])


# -- Redis bookkeeping of keys whose transaction has not committed yet -------------------------


@cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _redis():
    from django.conf import settings

    return _redis_client(settings.REDIS_URL)


def _note_pending(name: str) -> None:
    import redis

    try:
        _redis().zadd(PENDING_KEYS, {name: time.time()})
    except redis.RedisError as exc:
        # Without the note a rolled-back key could not be swept: refuse to create it.
        raise ProviderUnavailable("cannot record a new key (Redis unavailable)") from exc


def _forget_pending(name: str) -> None:
    import redis

    # On failure the sweeper finds the key in use and drops the note itself.
    with contextlib.suppress(redis.RedisError):
        _redis().zrem(PENDING_KEYS, name)


# -- provider keys ----------------------------------------------------------------------------


def create_owner_key(name: str) -> None:
    """Create the provider key ``name`` and note it as pending until the transaction commits.

    A rolled-back transaction leaves the provider key without any data key row; the sweeper
    (``sweep_uncommitted_keys``) destroys such keys after a grace period.
    """
    _note_pending(name)
    get_provider().create_key(name)
    transaction.on_commit(lambda: _forget_pending(name), robust=True)


def sweep_uncommitted_keys(grace_seconds: float = PENDING_GRACE_SECONDS) -> list[str]:
    """Destroy provider keys created by transactions that never committed.

    A pending key older than the grace period whose owner has no data key row was created by a
    transaction that rolled back (or a process that died). Returns the names destroyed.
    """
    client = _redis()
    cutoff = time.time() - grace_seconds
    destroyed: list[str] = []
    for raw in client.zrangebyscore(PENDING_KEYS, 0, cutoff):
        name = raw.decode()
        with transaction.atomic():
            _lock_key_name(name)  # waits for a writer that is committing its first row
            if not _key_name_in_use(name):
                get_key_cache().destroy_key(get_provisioning_provider(), name)
                forget_cached_rows(name)
                destroyed.append(name)
        client.zrem(PENDING_KEYS, name)
    return destroyed


def _schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None


def _key_name_in_use(name: str) -> bool:
    from django_tenants.utils import schema_context

    schema = _schema_of_key(name)
    if schema is None:
        return True  # not ours to judge: keep it
    if not _schema_exists(schema):
        return False  # the association is gone: nothing can use the key
    with schema_context(schema):
        return WrappedDataKey.objects.filter(key_name=name).exists()


def _schema_of_key(name: str) -> str | None:
    if name.startswith("assoc-"):
        return name[len("assoc-") :]
    if name.startswith("acct-"):
        return name[len("acct-") : -len(str(uuid.UUID(int=0))) - 1]
    return None


def request_key_destruction(name: str, *, prefix: bool = False) -> None:
    """Crypto-shred an owner (or every key starting with ``name`` when ``prefix``).

    Call it inside the transaction of the erasure: the request is recorded with it, the data
    key rows go at once, and after the commit the key job destroys the provider key, retrying
    until the provider confirms. Nothing reads the owner's data from then on, here or in any
    backup once the key is gone.
    """
    KeyDestruction.objects.get_or_create(key_name=name, defaults={"prefix": prefix})
    if not prefix:
        WrappedDataKey.objects.filter(key_name=name).delete()
        forget_cached_rows(name)
        get_key_cache().forget(name)
    transaction.on_commit(_queue_destruction, robust=True)


def _queue_destruction() -> None:
    from core.crypto.tasks import destroy_requested_keys

    try:
        destroy_requested_keys.delay()
    except Exception:  # noqa: BLE001 - the periodic run of the job picks the request up
        logger.warning("could not queue the key destruction job; the periodic run will")


def destroy_requested_keys() -> int:
    """Destroy the provider keys whose destruction was requested in this schema; return count.

    Runs under the provisioning credential (the ``keys`` queue). ``ProviderUnavailable``
    propagates so the task retries; a request stays pending until its key is confirmed gone.
    """
    provider = get_provisioning_provider()
    done = 0
    pending = KeyDestruction.objects.filter(destroyed_at__isnull=True).order_by("requested_at")
    for request_id in pending.values_list("id", flat=True):
        with transaction.atomic():
            request = (
                KeyDestruction.objects.select_for_update(skip_locked=True)
                .filter(id=request_id, destroyed_at__isnull=True)
                .first()
            )
            if request is None:
                continue
            _lock_key_name(request.key_name)
            if request.prefix:
                names = provider.destroy_keys_with_prefix(request.key_name)
            else:
                provider.destroy_key(request.key_name)
                names = [request.key_name]
            for name in names:
                get_key_cache().forget(name)
                forget_cached_rows(name)
            request.destroyed_at = timezone.now()
            request.save(update_fields=["destroyed_at"])
            done += 1
    return done


# -- data keys --------------------------------------------------------------------------------


def _active_row(name: str, purpose: str) -> WrappedDataKey | None:
    return WrappedDataKey.objects.filter(key_name=name, purpose=purpose, active=True).first()


def writing_key(name: str, purpose: str = KeyPurpose.DATA) -> tuple[str, bytes]:
    """``(key_ref, data key)`` that new values of the owner ``name`` are encrypted under.

    Creates the owner's provider key and first data key when the owner has none yet, under the
    key name's advisory lock (a concurrent first writer waits, then reads the winner's row).
    An owner whose key was destroyed stays erased: its name is never given a new key.
    """
    cache = get_key_cache()
    provider = get_provider()
    row = _active_row(name, purpose)
    if row is None:
        with transaction.atomic():
            _lock_key_name(name)
            row = _active_row(name, purpose)
            if row is None:
                if KeyDestruction.objects.filter(key_name=name).exists():
                    raise KeyNotFound("this owner's personal data was erased")
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


def prepare_association_keys() -> None:
    """Create the current association's key and its data and index keys up front.

    Called at provisioning, so that the first requests of a new association (its first
    logins look up the blind index) never race to create them.
    """
    writing_key(association_key(), KeyPurpose.DATA)
    writing_key(association_key(), KeyPurpose.INDEX)


class _KeyRow(NamedTuple):
    key_name: str
    wrapped: str


class _RefCache:
    """(schema, key_ref) → (key name, wrapped key): a warm page needs no query for its key rows.

    Bounded in size and time like the key cache; entries of a destroyed owner are dropped at
    once in this process (other processes drop them within the TTL, the same bound as keys).
    """

    def __init__(self, max_entries: int = 20_000, ttl: float = 300.0):
        self.max_entries, self.ttl = max_entries, ttl
        self._rows: dict[tuple[str, str], tuple[_KeyRow, float]] = {}
        self._lock = threading.Lock()

    def get_many(self, schema: str, refs: Iterable[str]) -> dict[str, _KeyRow]:
        now = time.monotonic()
        with self._lock:
            found = {}
            for ref in refs:
                entry = self._rows.get((schema, ref))
                if entry is not None and entry[1] > now:
                    found[ref] = entry[0]
            return found

    def put_many(self, schema: str, rows: dict[str, _KeyRow]) -> None:
        expires = time.monotonic() + self.ttl
        with self._lock:
            if len(self._rows) + len(rows) > self.max_entries:
                self._rows.clear()
            for ref, row in rows.items():
                self._rows[(schema, ref)] = (row, expires)

    def forget(self, key_name: str | None = None) -> None:
        with self._lock:
            if key_name is None:
                self._rows.clear()
                return
            doomed = [k for k, (row, _e) in self._rows.items() if row.key_name.startswith(key_name)]
            for key in doomed:
                del self._rows[key]


_ref_cache = _RefCache()


def forget_cached_rows(key_name: str | None = None) -> None:
    """Drop cached key rows (all, or those of one owner or key-name prefix)."""
    _ref_cache.forget(key_name)


def _rows_for_refs(refs: Iterable[str]) -> dict[str, _KeyRow]:
    schema = current_schema()
    wanted = set(refs)
    rows = _ref_cache.get_many(schema, wanted)
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
            # A key row names its owner; one of another association is never used here.
            if belongs_to_association(row.key_name, schema)
        }
        _ref_cache.put_many(schema, loaded)
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
    key_cache, provider = get_key_cache(), get_provider()
    ciphers = {}
    for ref, row in rows.items():
        try:
            ciphers[ref] = AESGCM(key_cache.unwrap(provider, row.key_name, row.wrapped))
        except CryptoError:
            continue
    return ciphers


def key_for_ref(ref: str) -> bytes:
    """The data key a token names."""
    row = _rows_for_refs([ref]).get(ref)
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


def blind_indexes(values: Iterable[str], *, field: str) -> list[str]:
    """``blind_index`` of each of ``values`` (in order), with the index key fetched once: for
    many values at a time (the words of a text, say)."""
    _ref, key = writing_key(association_key(), purpose=KeyPurpose.INDEX)
    return [
        hmac.new(key, f"{field}\x00{value}".encode(), hashlib.sha256).hexdigest()
        for value in values
    ]


#: The name erase services call inside their transaction.
destroy_owner_key = request_key_destruction
