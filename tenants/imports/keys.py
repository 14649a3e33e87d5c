"""Encryption for thousands of rows at once, with as few provider calls as the design allows.

Saving a row one at a time asks the key ring for its owner's writing key once per encrypted
field (a query each) and creates a new holding's provider key on the first write. An import of
10,000 premises would make ~100,000 such queries, so this module does the same work in bulk,
through the crypto layer's own pieces (``envelope.encrypt``, each field's ``place`` and
``to_bytes``, the provider, the key cache, ``WrappedDataKey``), so the stored tokens are exactly
what a single ``save()`` writes:

* ``seal(instance, field, value, ref, key)`` encrypts a value for its row under a data key
  already in hand; ``pre_save`` keeps a ``Sealed`` value as it is, so ``bulk_create`` and
  ``save(update_fields=...)`` store it without another key lookup;
* ``BlindIndexer`` computes blind indexes with the association's index key, fetched once;
* ``HoldingKeys`` creates the provider key and first data key of every new holding (one key per
  holding, ARCHITECTURE.md "Data protection") in a background thread while the import writes
  everything that needs no key; the names are noted as pending in Redis in one call first, so
  keys of an import that rolls back are destroyed by the sweeper like any other;
* ``writing_keys(holding_ids)`` finds existing holdings' active data keys with one query and one
  wave of unwraps.

The local provider serialises key creation on a file lock and fsyncs each key file (about 1 ms
per key on an SSD), so 10,000 holdings take ~10 s of key creation however many threads ask;
hence the background thread. With Vault each creation is an HTTP call and the same thread
would be the bottleneck: ``KEY_THREADS`` raises the number of creators.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
import uuid
from collections import deque

from django.conf import settings
from django.db import transaction

from core.crypto import envelope, keyring
from core.crypto.fields import BlindIndexField, Sealed
from core.crypto.models import KeyPurpose, WrappedDataKey
from core.crypto.registry import get_key_cache, get_provider

#: Threads creating holding keys: 1 suits the local provider (one file lock), more suit Vault.
KEY_THREADS = int(os.environ.get("TSZH_IMPORT_KEY_THREADS", "1"))


def seal(instance, name: str, value, ref: str, key: bytes) -> None:
    """Encrypt ``value`` into ``instance.<name>`` for the row's own place (None stays None)."""
    field = instance._meta.get_field(name)
    if value is None:
        instance.__dict__[field.attname] = None
        return
    token = envelope.encrypt(field.to_bytes(value), key, ref, field.place(instance))
    instance.__dict__[field.attname] = Sealed(token)


def association_writing_key() -> tuple[str, bytes]:
    return keyring.writing_key(keyring.association_key())


class BlindIndexer:
    """``indexer(Model, "primary_email", value)``: the blind index ``save()`` would compute."""

    def __init__(self):
        self._key: bytes | None = None
        self._fields: dict[tuple[type, str], BlindIndexField] = {}

    def __call__(self, model, source: str, value) -> str | None:
        if value in (None, ""):
            return None
        field = self._fields.get((model, source))
        if field is None:
            field = next(
                f
                for f in model._meta.fields
                if isinstance(f, BlindIndexField) and f.source == source
            )
            self._fields[(model, source)] = field
        if self._key is None:
            _ref, self._key = keyring.writing_key(keyring.association_key(), KeyPurpose.INDEX)
        message = f"{field.source}\x00{field.normalize(value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def writing_keys(holding_ids) -> dict[uuid.UUID, tuple[str, bytes]]:
    """The active data key of each existing holding: one query, one wave of unwraps."""
    names = {keyring.holding_key(holding_id): holding_id for holding_id in holding_ids}
    if not names:
        return {}
    rows = list(
        WrappedDataKey.objects.filter(key_name__in=names, purpose=KeyPurpose.DATA, active=True)
    )
    cache, provider = get_key_cache(), get_provider()
    cache.prefetch(provider, [(row.key_name, row.wrapped) for row in rows])
    keys = {
        names[row.key_name]: (row.ref, cache.unwrap(provider, row.key_name, row.wrapped))
        for row in rows
    }
    for name, holding_id in names.items():
        if holding_id not in keys:  # a holding that never had an encrypted value
            keys[holding_id] = keyring.writing_key(name)
    return keys


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


class HoldingKeys:
    """Provider keys and first data keys for new holdings, made in the background.

    ``request(ids)`` queues holdings (their key names are noted as pending at once),
    ``take(id)`` waits for one and returns ``(WrappedDataKey row to insert, ref, data key)``,
    ``close()`` stops the thread. Must be created inside the import's transaction: the pending
    marks are cleared when it commits; otherwise the sweeper destroys the keys after its grace.
    """

    def __init__(self, threads: int = KEY_THREADS):
        self._names: dict[uuid.UUID, str] = {}
        self._queue: deque[uuid.UUID] = deque()
        self._done: dict[uuid.UUID, object] = {}
        self._cancelled: set[uuid.UUID] = set()
        self._condition = threading.Condition()
        self._closed = False
        self._provider = get_provider()
        self._cache = get_key_cache()
        self.created = 0
        self.seconds = 0.0
        self._threads = [
            threading.Thread(target=self._work, name=f"import-keys-{n}", daemon=True)
            for n in range(max(1, threads))
        ]
        for thread in self._threads:
            thread.start()

    def request(self, holding_ids) -> None:
        fresh = [hid for hid in dict.fromkeys(holding_ids) if hid not in self._names]
        if not fresh:
            return
        names = {hid: keyring.holding_key(hid) for hid in fresh}
        now = time.time()
        client = _redis()
        for chunk in _chunks(list(names.values()), 5000):
            client.zadd(keyring.PENDING_KEYS, dict.fromkeys(chunk, now))
        committed = list(names.values())
        transaction.on_commit(lambda: _clear_pending(committed))
        with self._condition:
            self._names.update(names)
            self._queue.extend(fresh)
            self._condition.notify_all()

    def cancel(self, holding_ids) -> None:
        """Holdings no longer needed: skip them if their key is not made yet."""
        with self._condition:
            self._cancelled.update(holding_ids)

    def take(self, holding_id: uuid.UUID) -> tuple[WrappedDataKey, str, bytes]:
        if holding_id not in self._names:
            self.request([holding_id])
        with self._condition:
            while holding_id not in self._done:
                if self._closed:
                    raise RuntimeError("holding keys were closed")
                self._condition.wait(timeout=1)
            result = self._done.pop(holding_id)
        if isinstance(result, BaseException):
            raise result
        row = WrappedDataKey(
            key_name=self._names[holding_id], purpose=KeyPurpose.DATA, wrapped=result.wrapped
        )
        return row, row.ref, result.plaintext

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)

    def _work(self) -> None:
        while True:
            with self._condition:
                while not self._queue and not self._closed:
                    self._condition.wait()
                if self._closed:
                    return
                holding_id = self._queue.popleft()
                if holding_id in self._cancelled:
                    continue
                name = self._names[holding_id]
            started = time.perf_counter()
            try:
                self._provider.create_key(name)
                result: object = self._cache.generate_data_key(self._provider, name)
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                result = error
            with self._condition:
                self.created += 1
                self.seconds += time.perf_counter() - started
                self._done[holding_id] = result
                self._condition.notify_all()


def _clear_pending(names: list[str]) -> None:
    client = _redis()
    for chunk in _chunks(names, 5000):
        client.zrem(keyring.PENDING_KEYS, *chunk)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
