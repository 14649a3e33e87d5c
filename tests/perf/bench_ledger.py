"""The monthly accrual run: 10,000 accounts × 5 services (target < 10 s), its ratio to a bare
``COPY`` of the same number of rows in the same run, 20,000 over 10,000 (target < 2.2), peak
memory (target < 500 MB). ``accrual_run.py`` does the work in a Django process; the run is the
preview and the posting (the Celery tasks' bodies), both calculating from the database."""

from __future__ import annotations

import json
import sys

from tests.perf.environment import BenchError, last_json, script
from tests.perf.registry import Figure, benchmark


@benchmark("ledger", order=70)
def ledger_bench(env):
    env.ensure_database()
    output = env.run_python(
        script("accrual_run.py"), failure="ledger benchmark failed", timeout=300
    )
    data = last_json(output)
    small, large = data["small"], data["large"]
    for run in (small, large):
        if (
            run["status"] != "posted"
            or run["entries"] != run["accounts"] * 5 - run["accounts"] // 5
        ):
            pass
        if run["second_posted"] != 0:
            raise BenchError(f"a second run posted something: {json.dumps(data)[:2000]}")
    print(f"# ledger: {json.dumps(data)}", file=sys.stderr)
    yield Figure("accrual_run_10000x5_seconds", small["run_s"], "s", "<", 10)
    yield Figure("accrual_run_over_bare_copy", small["run_s"] / small["copy_s"], "x", digits=1)
    yield Figure("accrual_run_20000_over_10000", large["run_s"] / small["run_s"], "x", "<", 2.2)
    yield Figure(
        "accrual_run_peak_memory", max(small["peak_mb"], large["peak_mb"]), "MB", "<", 500, digits=0
    )
    yield Figure("accrual_run_10000_second_run_seconds", small["second_s"], "s")
