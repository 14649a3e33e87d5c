"""Budget: the execution report (отчёт об исполнении сметы) of 100 lines × 12 months, built
and rendered as PDF and Excel (seconds), and its queries against 10 lines × 1 month (constant:
the same count). ``budget_run.py`` does the work in a Django process in the demo's schema."""

from __future__ import annotations

import json
import sys

from tests.perf.environment import BenchError, last_json, script
from tests.perf.registry import Figure, benchmark


@benchmark("budget_report", order=90)
def budget_bench(env):
    env.ensure_database()
    output = env.run_python(script("budget_run.py"), failure="budget benchmark failed", timeout=300)
    data = last_json(output)
    small, large = data["small"], data["large"]
    print(f"# budget: {json.dumps(data)}", file=sys.stderr)
    if large["lines"] != 100 or small["lines"] != 10:
        raise BenchError(f"budget: unexpected report {json.dumps(data)}")
    yield Figure("budget_report_100x12_seconds", large["total_s"], "s", "<", 10.0, digits=2)
    yield Figure("budget_report_100x12_pdf_seconds", large["pdf_s"], "s", digits=2)
    yield Figure("budget_report_100x12_xlsx_seconds", large["xlsx_s"], "s", digits=3)
    yield Figure("budget_report_100x12_queries", large["queries"], "queries", digits=0)
    yield Figure(
        "budget_report_queries_100x12_minus_10x1",
        large["queries"] - small["queries"],
        "queries",
        "<=",
        0,
        digits=0,
    )
