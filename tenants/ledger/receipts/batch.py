"""The association's receipts of a month as one print-ready PDF.

WeasyPrint lays a whole document out in memory, so 1,000 receipts as one HTML document would
not fit the memory target. Instead each receipt is laid out on its own: the data and HTML are
made here (the database), the PDFs in worker processes (WeasyPrint alone, no database), a chunk
at a time, and merged with pypdf into a temporary file, which is then sealed into the file
store. Memory stays at one chunk's PDFs plus the merged document's page objects.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

from tenants.ledger.receipts import render, selectors

log = logging.getLogger(__name__)

CHUNK = 50


def _pdf_of(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def workers() -> int:
    return max(1, int(os.environ.get("TSZH_RECEIPT_WORKERS", "0")) or (os.cpu_count() or 1))


class _InProcess(Executor):
    def map(self, fn, *iterables, **kwargs):
        return map(fn, *iterables)


def _pool(processes: int) -> Executor:
    if processes <= 1:
        return _InProcess()
    try:
        # fork: the children inherit the loaded WeasyPrint and fonts; they never touch the
        # parent's database connection (they get HTML strings only).
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError, AssertionError):  # a daemonic worker may not have children
        log.warning("receipts: no worker processes, rendering in process")
        return _InProcess()


def render_month(
    period,
    account_ids,
    out,
    *,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the receipts of ``account_ids`` for ``period`` as one PDF into ``out`` (a binary
    file); returns the number of pages. ``progress(done, total)`` after each chunk."""
    from pypdf import PdfReader, PdfWriter

    total = len(account_ids)
    context = selectors.MonthContext(period)
    writer = PdfWriter()
    done = 0
    with _pool(processes or workers()) as pool:
        for start in range(0, total, CHUNK):
            chunk = account_ids[start : start + CHUNK]
            receipts = selectors.build(chunk, period, context=context)
            pages = [render.render_html(receipt) for receipt in receipts]
            for pdf in pool.map(_pdf_of, pages, chunksize=max(1, len(pages) // 8)):
                with tempfile.SpooledTemporaryFile(max_size=1 << 20) as one:
                    one.write(pdf)
                    one.seek(0)
                    writer.append(PdfReader(one))
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    writer.write(out)
    return len(writer.pages)
