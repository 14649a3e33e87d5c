"""The association's receipts of a month as one print-ready PDF.

WeasyPrint lays a whole document out in memory, so 1,000 receipts as one HTML document would
not fit the memory target; one document per receipt, on the other hand, pays WeasyPrint's
per-document costs (the stylesheet, fonts, the PDF's fonts and structure) a thousand times.
So the receipts go in documents of :data:`PER_DOCUMENT`: the data is read here (the database,
:data:`CHUNK` accounts per round of queries), each document is built and laid out in a worker
process (the QR codes, the HTML, WeasyPrint: no database), the workers kept busy with at most
:data:`IN_FLIGHT` documents per worker queued, and the documents merged in order with pypdf
into a temporary file, which is then sealed into the file store. Memory stays at the documents
in flight plus the merged document's page objects.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from tenants.ledger.receipts import render, selectors
from tenants.ledger.receipts.data import ReceiptData

log = logging.getLogger(__name__)

#: Accounts whose receipts are read from the database in one round of queries.
CHUNK = 100
#: Receipts laid out as one WeasyPrint document (each from a new page).
PER_DOCUMENT = 10
#: Documents queued per worker ahead of the merge: enough to keep every worker busy.
IN_FLIGHT = 2


def _pdf_of(receipts: Sequence[ReceiptData]) -> bytes:
    return render.document_pdf(receipts)


def workers() -> int:
    return max(1, int(os.environ.get("TSZH_RECEIPT_WORKERS", "0")) or (os.cpu_count() or 1))


class _InProcess(Executor):
    """Runs each call at once, in this process (one worker, or no children allowed)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def _pool(processes: int) -> Executor:
    if processes <= 1 or multiprocessing.current_process().daemon:
        return _InProcess()  # a daemonic process may not have children
    try:
        # fork: the children inherit the loaded Django, WeasyPrint and fonts; they never touch
        # the parent's database connection (they get the receipts' data only).
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        log.warning("receipts: no worker processes, rendering in process")
        return _InProcess()


def documents(receipts: Iterable[ReceiptData], size: int | None = None) -> Iterator[list]:
    """``receipts`` in groups of ``size`` (:data:`PER_DOCUMENT`), in order: one WeasyPrint
    document each."""
    size = size or PER_DOCUMENT
    group: list = []
    for receipt in receipts:
        group.append(receipt)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def write_pdf(
    groups: Iterable[Sequence[ReceiptData]],
    out,
    *,
    processes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Lay out each group of receipts as one document in the worker processes and write them,
    merged in order, as one PDF into ``out`` (a binary file); returns the number of pages.
    ``groups`` is consumed lazily, as the workers take documents (so the database is read
    while they render). ``progress(receipts_done)`` after each document merged."""
    from pypdf import PdfReader, PdfWriter

    processes = processes or workers()
    writer = PdfWriter()
    pending: deque = deque()
    done = 0

    def merge_first() -> None:
        nonlocal done
        future, count = pending.popleft()
        with tempfile.SpooledTemporaryFile(max_size=4 << 20) as one:
            one.write(future.result())
            one.seek(0)
            writer.append(PdfReader(one))
        done += count
        if progress is not None:
            progress(done)

    with _pool(processes) as pool:
        for group in groups:
            pending.append((pool.submit(_pdf_of, list(group)), len(group)))
            if len(pending) >= processes * IN_FLIGHT:
                merge_first()
        while pending:
            merge_first()
    writer.write(out)
    return len(writer.pages)


def render_month(
    period,
    account_ids,
    out,
    *,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the receipts of ``account_ids`` for ``period`` as one PDF into ``out`` (a binary
    file); returns the number of pages. ``progress(done, total)`` as documents are merged."""
    total = len(account_ids)
    context = selectors.MonthContext(period)

    def receipts() -> Iterator[ReceiptData]:
        for start in range(0, total, CHUNK):
            chunk = account_ids[start : start + CHUNK]
            yield from selectors.build(chunk, period, context=context)

    return write_pdf(
        documents(receipts()),
        out,
        processes=processes,
        progress=None if progress is None else (lambda done: progress(done, total)),
    )
