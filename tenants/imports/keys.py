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
* ``HoldingKeys`` has the provider key of every new holding (one key per holding, ARCHITECTURE.md
  "Data protection") created by a helper process while the import writes everything that needs
  no key, and makes each holding's first data key when the holding is written; the names are
  noted as pending in Redis in one call first, so keys of an import that rolls back are
  destroyed by the sweeper like any other;
* ``writing_keys(holding_ids)`` finds existing holdings' active data keys with one query and one
  wave of unwraps.

The local provider fsyncs each key file; one key at a time that was 1 ms a key on a quiet SSD
and ~10 ms on a busy one (100 s for 10,000 holdings, longer than the rest of the import), so the
key maker hands the provider batches (``create_keys``: one lock, the batch's files synced
together, ~0.6 ms a key on the same busy disk), in a process of its own, overlapping the rest of
the import (see ``keymaker``). With Vault each creation is an HTTP call and a batch is one
concurrent wave of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.crypto import envelope, keyring
from core.crypto.errors import CryptoError, ProviderUnavailable
from core.crypto.fields import BlindIndexField, Sealed
from core.crypto.models import KeyPurpose, WrappedDataKey
from core.crypto.registry import get_key_cache, get_provider, load_config


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
    """Provider keys for new holdings, made in the background while the import writes the rest.

    ``request(ids)`` notes the holdings' key names as pending (one Redis call) and hands them to
    the key maker; ``take(id)`` waits for that holding's key, makes its first data key and
    returns ``(WrappedDataKey row to insert, ref, data key)`` (``take_many(ids)``: the same for
    a batch of holdings, their data keys in one provider call); ``close()`` stops the key maker.
    Create it inside the import's transaction: the pending marks are cleared when that commits,
    otherwise the sweeper destroys the keys after its grace period (``keyring``), as it does for
    any key whose transaction rolled back.

    The key maker is a helper process (``tenants.imports.keymaker``) or, where no process can be
    started, a thread of this one.
    """

    def __init__(self, process: bool = True):
        self._names: dict[uuid.UUID, str] = {}
        self._holdings: dict[str, uuid.UUID] = {}
        self._made: dict[uuid.UUID, BaseException | None] = {}
        self._condition = threading.Condition()
        self._provider = get_provider()
        self._cache = get_key_cache()
        self._first: float | None = None
        self._last: float | None = None
        self._stopped: BaseException | None = None
        self.created = 0
        self._process = process
        self._maker = None  # started with the first request: a re-import may need no key

    def _start(self):
        if self._process:
            try:
                return _ProcessMaker(self._made_one, self._maker_stopped)
            except OSError:
                pass
        return _ThreadMaker(self._provider, self._made_one)

    @property
    def seconds(self) -> float:
        """Wall time from the first request to the last key made."""
        if self._first is None or self._last is None:
            return 0.0
        return self._last - self._first

    def request(self, holding_ids, *, until_commit: bool = True) -> None:
        """Have the keys of ``holding_ids`` made. They stay noted as pending until the current
        transaction commits (``until_commit``), or, for keys made ahead of an import, until the
        import that uses them commits (else the sweeper destroys them after its grace)."""
        fresh = [hid for hid in dict.fromkeys(holding_ids) if hid not in self._names]
        if not fresh:
            return
        names = {hid: keyring.holding_key(hid) for hid in fresh}
        now = time.time()
        client = _redis()
        for chunk in _chunks(list(names.values()), 5000):
            client.zadd(keyring.PENDING_KEYS, dict.fromkeys(chunk, now))
        if until_commit:
            committed = list(names.values())
            transaction.on_commit(lambda: _clear_pending(committed))
        with self._condition:
            self._names.update(names)
            self._holdings.update({name: hid for hid, name in names.items()})
            if self._first is None:
                self._first = time.perf_counter()
        if self._maker is None:
            self._maker = self._start()
        self._maker.submit(list(names.values()))

    def take(self, holding_id: uuid.UUID) -> tuple[WrappedDataKey, str, bytes]:
        return self.take_many([holding_id])[0]

    def take_many(self, holding_ids) -> list[tuple[WrappedDataKey, str, bytes]]:
        """``take`` for several holdings: waits for all of their keys, then makes their first
        data keys with one ``generate_data_keys`` call (one concurrent wave with Vault)."""
        holding_ids = list(holding_ids)
        self.request([hid for hid in holding_ids if hid not in self._names])
        errors = []
        with self._condition:
            for holding_id in holding_ids:
                while holding_id not in self._made:
                    if self._stopped is not None:
                        raise self._stopped
                    self._condition.wait(timeout=1)
                errors.append(self._made.pop(holding_id))
        for error in errors:
            if error is not None:
                raise error
        names = [self._names[holding_id] for holding_id in holding_ids]
        taken = []
        for name, data_key in zip(
            names, self._cache.generate_data_keys(self._provider, names), strict=True
        ):
            row = WrappedDataKey(key_name=name, purpose=KeyPurpose.DATA, wrapped=data_key.wrapped)
            taken.append((row, row.ref, data_key.plaintext))
        return taken

    def wait(self) -> int:
        """Wait until every requested key is made; the number made (errors are raised)."""
        with self._condition:
            while len(self._made) < len(self._names):
                if self._stopped is not None:
                    raise self._stopped
                self._condition.wait(timeout=1)
            errors = [error for error in self._made.values() if error is not None]
        if errors:
            raise errors[0]
        return self.created

    def close(self) -> None:
        if self._maker is not None:
            self._maker.close()

    def _made_one(self, name: str, error: BaseException | None) -> None:
        with self._condition:
            holding_id = self._holdings.get(name)
            if holding_id is None:
                return
            self._made[holding_id] = error
            self.created += error is None
            self._last = time.perf_counter()
            self._condition.notify_all()

    def _maker_stopped(self) -> None:
        with self._condition:
            self._stopped = ProviderUnavailable("the key maker stopped before making every key")
            self._condition.notify_all()


class _ProcessMaker:
    """Key names to ``python -m tenants.imports.keymaker``; its answers read by a thread."""

    def __init__(self, on_made, on_stopped):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        env.update(_provider_environment())
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tenants.imports.keymaker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
            cwd=str(settings.BASE_DIR),
        )
        self._on_made, self._on_stopped = on_made, on_stopped
        self._closing = False
        self._reader = threading.Thread(target=self._read, name="import-keys", daemon=True)
        self._reader.start()

    def submit(self, names: list[str]) -> None:
        try:
            self._process.stdin.write("".join(f"{name}\n" for name in names))
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            self._on_stopped()

    def _read(self) -> None:
        for line in self._process.stdout:
            word, _, rest = line.strip().partition(" ")
            if word == "ok":
                self._on_made(rest, None)
            elif word == "error":
                name, _, kind = rest.partition(" ")
                error_class = ProviderUnavailable if "Unavailable" in kind else CryptoError
                self._on_made(name, error_class(f"creating a holding key failed ({kind})"))
        if not self._closing:
            self._on_stopped()

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._reader.join(timeout=5)


def _provider_environment() -> dict[str, str]:
    """The key provider's configuration as this process has it, for the key maker to use.

    The key maker reads its configuration from the environment (and Django's settings, which
    read it too); this process may have been configured before the environment changed (the
    test suite does that), so the effective values are passed on explicitly.
    """
    config = load_config()
    provider = get_provider()
    kind = getattr(provider, "kind", "")
    if kind not in ("local", "vault"):
        raise OSError("no key maker process for this provider")  # a test double: use a thread
    base = Path(config.get("BASE_DIR") or ".")
    env = {"TSZH_KEY_PROVIDER": kind}
    if kind == "local":
        master_file = Path(config["MASTER_KEY_FILE"])
        env["TSZH_KEY_DIR"] = str(provider.directory.resolve())
        env["TSZH_MASTER_KEY_FILE"] = str(
            master_file if master_file.is_absolute() else base / master_file
        )
    return env


class _ThreadMaker:
    """The same in a thread of this process (slower: it competes for the GIL), in batches as
    the key maker makes them."""

    def __init__(self, provider, on_made):
        self._provider, self._on_made = provider, on_made
        self._queue: deque[str | None] = deque()
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="import-keys", daemon=True)
        self._thread.start()

    def submit(self, names: list[str]) -> None:
        with self._condition:
            self._queue.extend(names)
            self._condition.notify()

    def _work(self) -> None:
        from tenants.imports.keymaker import BATCH

        while True:
            with self._condition:
                while not self._queue:
                    self._condition.wait()
                batch = []
                while self._queue and len(batch) < BATCH:
                    batch.append(self._queue.popleft())
            stop = None in batch
            batch = batch[: batch.index(None)] if stop else batch
            if batch:
                try:
                    self._provider.create_keys(batch)
                    error = None
                except Exception as failure:  # noqa: BLE001 - handed to the waiting import
                    error = failure
                for name in batch:
                    self._on_made(name, error)
            if stop:
                return

    def close(self) -> None:
        self.submit([None])
        self._thread.join(timeout=30)


def _clear_pending(names: list[str]) -> None:
    client = _redis()
    for chunk in _chunks(names, 5000):
        client.zrem(keyring.PENDING_KEYS, *chunk)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
