"""Run by ``bench_receipts`` in its own process (so its peak memory is its own): render one
receipt ``--samples`` times for the p95, then ``--count`` receipts through the association
batch's renderer (``batch.write_pdf``: documents of ``batch.PER_DOCUMENT`` receipts laid out in
worker processes, pypdf merge into a temporary file). Prints one JSON line.

The receipts are the tests' sample (two recipients, a meter): the database part of the batch
(``selectors.build``, a constant number of queries per chunk of 50) is not in these figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from tenants.ledger.receipts import batch, render
    from tests.tenants.ledger.receipts import sample

    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2)
    options = parser.parse_args()

    data = sample.receipt()
    render.render_pdf(data)  # warm: fonts, templates
    times = []
    for _ in range(options.samples):
        start = time.perf_counter()
        render.render_pdf(data)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]

    # Each with its own account number, so every QR code and page differs as in a real month.
    receipts = [
        dataclasses.replace(data, account_number=f"{number:06d}")
        for number in range(1, options.count + 1)
    ]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        pages = batch.write_pdf(batch.documents(receipts), out, processes=options.processes)
        size = out.tell()
    elapsed = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "p95": p95,
                "count": options.count,
                "pages": pages,
                "seconds": elapsed,
                "bytes": size,
                # Peak RSS of the parent plus that of the largest worker times the workers.
                "peak_mb": own + workers * options.processes,
            }
        )
    )


if __name__ == "__main__":
    main()
