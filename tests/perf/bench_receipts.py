"""Receipts: a member's receipt PDF p95 (< 0.5 s) and the association's receipts as one PDF
(1,000 in < 150 s with both cores, peak memory < 1 GB). The batch is measured at
``TSZH_BENCH_RECEIPTS`` (200) receipts and extrapolated linearly to 1,000 (the line says so):
the receipts are laid out a few per document, so time grows with the count and memory with the
documents in flight."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.perf.environment import BenchError
from tests.perf.registry import Figure, benchmark

ROOT = Path(__file__).resolve().parents[2]


@benchmark("receipts", order=70)
def receipts(env):
    count = int(os.environ.get("TSZH_BENCH_RECEIPTS", "200"))
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "perf" / "receipts_run.py"), "--count", str(count)],
        env=env.subprocess_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise BenchError(f"receipts benchmark failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
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
