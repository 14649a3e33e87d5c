"""Receipts: a member's receipt PDF p95 (< 0.5 s) and the association's receipts as one PDF
(1,000 in < 150 s with both cores, peak memory < 1 GB). The batch is measured at
``TSZH_BENCH_RECEIPTS`` (200) receipts and extrapolated linearly to 1,000 (the line says so):
the receipts are laid out a few per document, so time grows with the count and memory with the
documents in flight."""

from __future__ import annotations

import os
import sys

from tests.perf.environment import last_json, script
from tests.perf.registry import Figure, benchmark


@benchmark("receipts", order=70)
def receipts(env):
    count = int(os.environ.get("TSZH_BENCH_RECEIPTS", "200"))
    output = env.run_python(
        script("receipts_run.py"),
        "--count",
        str(count),
        failure="receipts benchmark failed",
        timeout=600,
    )
    figures = last_json(output)
    print(
        f"# {figures['count']} receipts as one PDF of {figures.get('pages', '?')} pages: "
        f"{figures['seconds']:.1f} s, {figures['bytes'] / 1e6:.1f} MB",
        file=sys.stderr,
    )
    yield Figure("receipt_pdf_p95", figures["p95"], "s", "<=", 0.5)
    per_thousand = figures["seconds"] * 1000 / figures["count"]
    yield Figure(
        f"receipts_1000_pdf_extrapolated_from_{figures['count']}", per_thousand, "s", "<=", 150, 1
    )
    yield Figure("receipts_batch_peak_memory", figures["peak_mb"], "MB", "<=", 1024, 0)
