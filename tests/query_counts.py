"""Counting the queries of one GET, for the pinned query counts (``tests/**/test_query_counts.py``).

A page is counted warm, as a running server answers it: one GET first fills the caches that live
across requests (the logo's file id in the shared cache, the key rows and data keys of encrypted
fields, compiled templates), then the second GET is counted. A count that differs between one item
and many is an N+1; a count that changes at all means a page now asks more (or less) of the
database: look at what changed before moving the number.

Every signed-in page of a portal starts from the same 2 queries: the savepoint and its release
around the view (``ATOMIC_REQUESTS``). The association is routed from memory or Redis
(``associations.routing``), the session is read from the cache (``cached_db``), the user's row and
the bell's unread count come from the shared cache in one ``MGET`` (``core.access.usercache``,
``core.stamped``: ciphertext as stored, a new stamp on every change), and the search path stays set
on a connection that served the same association last (a warm GET asks none of them of the
database). The API's answers and the console's pages (public schema, no bell) start from the same 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def get_queries(client, path: str, *, status: int = 200, **extra) -> tuple[int, object]:
    """(number of queries, response) of a warm GET of ``path`` by ``client``."""
    first = client.get(path, **extra)
    assert first.status_code == status, (path, first.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == status, (path, response.status_code)
    return len(captured), response


def query_count(client, path: str, **extra) -> int:
    return get_queries(client, path, **extra)[0]


def counts_at(
    sizes: Iterable[int], grow_to: Callable[[int], None], measure: Callable[[], int]
) -> dict[int, int]:
    """``{size: queries}``: ``grow_to(size)`` brings the fixture to ``size`` items (sizes grow),
    then ``measure()`` counts. Compare with the pinned figures: ``== {1: n, 20: n}``."""
    found = {}
    for size in sizes:
        grow_to(size)
        found[size] = measure()
    return found


def queries_text(client, path: str, **extra) -> str:
    """The SQL of a warm GET, one statement a line: print it when a pinned count fails."""
    client.get(path, **extra)
    with CaptureQueriesContext(connection) as captured:
        client.get(path, **extra)
    return "\n".join(query["sql"] for query in captured.captured_queries)
