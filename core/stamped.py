"""Values kept in the shared cache and invalidated by a stamp: the signed-in user's row, the
bell's unread count, anything a page reads on every request and a few writers change.

Each entry is two keys of the default cache (whose keys carry the schema, so an association's
entry never answers another's): a **stamp** (a random token) and the **value** stored with the
stamp it was computed under. A value counts only while its stamp is the current one. Writers
never delete values; they give the entry a new stamp (``invalidate``), at once and again when
their transaction commits. That closes the race a plain "delete on change" leaves open:

* a reader reads the stamp *before* it queries the database, and stores its result under that
  stamp; a writer that commits in between sets a new stamp, so the late result is never read
  (with a delete, it would be stored after the delete and served until it expired);
* an entry with no stamp yet gets one by ``add`` (set if absent) before the query: if a writer
  got there first, the reader's result is not stored at all.

The one gap: a request that changes an entry's source, reads the entry again in the same
transaction (getting its own uncommitted rows) and then rolls back leaves that value under the
stamp it set at once; it is served until ``VALUE_TTL``. No page of this code base does that.
Redis unreachable: every lookup is a miss (the database answers) and nothing is stored; an
``invalidate`` that could not reach Redis is logged, and values expire after ``VALUE_TTL``.

``lookup(kind, ident)`` and ``lookup_many([...])`` read entries (one ``MGET`` for all of them);
``Entry.get(compute)`` answers from the cache or computes and stores.

**Reading ahead** (docs/performance.md, "Where a request's time goes"): a request's entries are
read in one ``MGET`` at its start (``read_ahead``, called by
``core.access.middleware.ReadAheadMiddleware``) together with the session, instead of a round
trip each: the association's own entries that every page reads (``read_on_every_page``: the
logo, the emergency notices; ident ``ASSOCIATION``) and the signed-in user's. Until the request
ends (``end_request``), ``lookup_many`` answers those entries from what was read ahead, keyed by
the schema too; everything else about them (stamps, ``get``, ``invalidate``) is unchanged.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

#: How long a value is kept: also the bound on staleness if an invalidation could not be made.
VALUE_TTL = 600
#: Stamps outlive values: a value whose stamp expired is simply recomputed under a new one.
STAMP_TTL = 24 * 3600
_MISSING = object()
#: Invalidations made by this thread: an entry read before one of them is read again (a view
#: that marks notifications read and then renders the bell must not show the count it read
#: with the user).
_local = threading.local()


#: The ident of an entry that belongs to the association itself (its key carries the schema).
ASSOCIATION = "association"
#: Kinds of the association's entries read ahead on every request of a signed-in visitor.
_every_page: list[str] = []


def read_on_every_page(kind: str) -> None:
    """Read the entry ``(kind, ASSOCIATION)`` ahead, with the session, on every request."""
    if kind not in _every_page:
        _every_page.append(kind)


def every_page() -> list[tuple[str, str]]:
    return [(kind, ASSOCIATION) for kind in _every_page]


def _generation() -> int:
    return getattr(_local, "invalidations", 0)


def _stamp_key(kind: str, ident) -> str:
    return f"stamped:{kind}:{ident}:stamp"


def _value_key(kind: str, ident) -> str:
    return f"stamped:{kind}:{ident}:value"


@dataclass
class Entry:
    """One entry as read: its current stamp (None: none yet) and the value stored under it."""

    kind: str
    ident: str
    stamp: str | None
    value: Any = _MISSING
    reachable: bool = True
    generation: int = 0

    @property
    def hit(self) -> bool:
        return self.value is not _MISSING and self.generation == _generation()

    def get(self, compute: Callable[[], Any]) -> Any:
        """The cached value, or ``compute()`` stored under the stamp read before it ran."""
        if self.hit:
            return self.value
        stamp = self.stamp if self.generation == _generation() else None
        if stamp is None and self.generation != _generation():
            stamp = _read_stamp(self.kind, self.ident)
        if stamp is None and self.reachable:
            token = uuid.uuid4().hex
            try:
                if cache.add(_stamp_key(self.kind, self.ident), token, STAMP_TTL):
                    stamp = token
            except Exception:  # noqa: BLE001 - Redis down: answer from the database
                logger.warning("stamped cache unreachable: %s not stored", self.kind)
        value = compute()
        if stamp is not None:
            try:
                cache.set(_value_key(self.kind, self.ident), (stamp, value), VALUE_TTL)
            except Exception:  # noqa: BLE001
                logger.warning("stamped cache unreachable: %s not stored", self.kind)
            else:
                self.stamp, self.value, self.generation = stamp, value, _generation()
        return value


def _read_stamp(kind: str, ident: str) -> str | None:
    try:
        return cache.get(_stamp_key(kind, ident))
    except Exception:  # noqa: BLE001
        return None


def _read(
    pairs: list[tuple[str, str]], raw_keys: Iterable[str] = ()
) -> tuple[dict[tuple[str, str], Entry], dict[str, Any]]:
    """The entries ``pairs`` and the plain cache keys ``raw_keys``, with one ``MGET``."""
    raw_keys = list(raw_keys)
    keys = raw_keys + [
        key for kind, ident in pairs for key in (_stamp_key(kind, ident), _value_key(kind, ident))
    ]
    reachable = True
    try:
        found = cache.get_many(keys) if keys else {}
    except Exception:  # noqa: BLE001 - Redis down: every entry is a miss
        logger.warning("stamped cache unreachable: reading from the database")
        found, reachable = {}, False
    entries = {}
    for kind, ident in pairs:
        stamp = found.get(_stamp_key(kind, ident))
        stored = found.get(_value_key(kind, ident))
        entry = Entry(kind, ident, stamp, reachable=reachable, generation=_generation())
        if (
            stamp is not None
            and isinstance(stored, tuple)
            and len(stored) == 2
            and stored[0] == stamp
        ):
            entry.value = stored[1]
        entries[(kind, ident)] = entry
    return entries, {key: found[key] for key in raw_keys if key in found}


def lookup_many(wanted: Iterable[tuple[str, Any]]) -> dict[tuple[str, str], Entry]:
    """``{(kind, ident): Entry}`` for every wanted entry, read with one ``MGET`` (none for the
    entries this request read ahead)."""
    pairs = [(kind, str(ident)) for kind, ident in wanted]
    ahead = getattr(_local, "ahead", None)
    entries: dict[tuple[str, str], Entry] = {}
    if ahead:
        schema = connection.schema_name
        for pair in pairs:
            entry = ahead.get((schema, *pair))
            if entry is not None:
                entries[pair] = entry
    missing = [pair for pair in pairs if pair not in entries]
    if missing:
        entries.update(_read(missing)[0])
    return entries


def read_ahead(wanted: Iterable[tuple[str, Any]], raw_keys: Iterable[str] = ()) -> dict[str, Any]:
    """Read the entries ``wanted`` and the plain cache keys ``raw_keys`` (the session's) in one
    ``MGET``; the entries answer ``lookup_many`` until ``end_request``. Returns the raw keys'
    values that were found."""
    pairs = [(kind, str(ident)) for kind, ident in wanted]
    entries, raw = _read(pairs, raw_keys)
    schema = connection.schema_name
    _local.ahead = {(schema, *pair): entry for pair, entry in entries.items()}
    return raw


def end_request() -> None:
    """Forget what ``read_ahead`` read (the next request of this thread reads its own)."""
    _local.ahead = None


def lookup(kind: str, ident) -> Entry:
    return lookup_many([(kind, ident)])[(kind, str(ident))]


def _restamp(keys: list[str]) -> None:
    try:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, STAMP_TTL)
    except Exception:  # noqa: BLE001
        logger.warning(
            "stamped cache unreachable: %d entr(y/ies) not invalidated (stale for at most %d s)",
            len(keys),
            VALUE_TTL,
        )


def invalidate(kind: str, idents: Iterable[Any]) -> None:
    """New stamps for these entries, now and when the current transaction commits (so a
    reader that read the old rows before the commit cannot have its result served)."""
    keys = sorted({_stamp_key(kind, str(ident)) for ident in idents})
    if not keys:
        return
    _local.invalidations = _generation() + 1
    _restamp(keys)
    transaction.on_commit(lambda: _restamp(keys))
