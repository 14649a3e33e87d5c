"""Budget: the execution report (отчёт об исполнении сметы) of 100 lines × 12 months, built
and rendered as PDF and Excel (seconds), and its queries against 10 lines × 1 month (constant:
the same count). ``budget_run.py`` does the work in a Django process in the demo's schema."""

from __future__ import annotations

import json
import subprocess
import sys

from deploy.services import ROOT
from tests.perf.environment import BenchError
from tests.perf.registry import Figure, benchmark


@benchmark("budget_report", order=90)
def budget_bench(env):
    env.ensure_database()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "perf" / "budget_run.py")],
        env=env.subprocess_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise BenchError(f"budget benchmark failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
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
