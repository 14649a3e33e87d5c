"""Provisioning: a signup's new association by clone (spare or replayed DDL) and by migrations.

``provisioning_run.py`` does the work in a Django process against the benchmark database, with a
key store of its own in the run's work directory (the development key store is left alone):
20 signups per path with 10 associations present, the clone paths again with 500.

Figures: the clone (spare) median and p95, the migrate median, migrate/clone, and the clone
median with 500 associations over the one with 10; the same for the replay path (no spare left),
which every signup takes when signups outrun the background job.

The run takes one to two minutes, more than ``python -m tests.perf``'s overall alarm allows the
other benchmarks; this one adds its own budget to that alarm while it runs, so the others keep
theirs.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time

from deploy.services import ROOT
from tests.perf.environment import BenchError
from tests.perf.registry import Figure, benchmark

#: This benchmark's own time, added to the run's alarm while it runs (under ten minutes).
OWN_BUDGET_SECONDS = 540


@contextlib.contextmanager
def own_budget(seconds: int):
    """Extend a pending ``SIGALRM`` by ``seconds`` while inside; afterwards the others get back
    the time they had left when this benchmark started."""
    remaining = signal.alarm(0)
    if remaining:
        signal.alarm(remaining + seconds)
    try:
        yield
    finally:
        if remaining:
            signal.alarm(remaining)


@benchmark("provisioning", order=50)
def provisioning(env):
    with own_budget(OWN_BUDGET_SECONDS):
        env.ensure_database()
        keys = env.work_dir / "provisioning-keys"
        run_env = env.subprocess_env() | {
            "TSZH_KEY_DIR": str(keys),
            "TSZH_MASTER_KEY_FILE": str(env.work_dir / "provisioning-master-key"),
            "TSZH_SPARE_SCHEMAS": "0",  # the run drives the pool itself
        }
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "perf" / "provisioning_run.py")],
            env=run_env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=OWN_BUDGET_SECONDS - 30,
        )
        if result.returncode != 0:
            raise BenchError(f"provisioning benchmark failed:\n{result.stderr[-3000:]}")
        sys.stderr.write(result.stderr)
        data = json.loads(result.stdout.strip().splitlines()[-1])
        print(f"# provisioning benchmark: {time.monotonic() - started:.0f} s", file=sys.stderr)

    spare, replay, migrate = data["spare_few"], data["replay_few"], data["migrate_few"]
    yield Figure("provisioning_clone_median", spare["median"], "s", "<", 1, digits=3)
    yield Figure("provisioning_clone_p95", spare["p95"], "s", "<", 2, digits=3)
    yield Figure("provisioning_migrate_median", migrate["median"], "s", digits=3)
    yield Figure(
        "provisioning_migrate_vs_clone", migrate["median"] / spare["median"], "ratio", ">=", 10, 1
    )
    yield Figure(
        "provisioning_clone_500_vs_10",
        data["spare_many"]["median"] / spare["median"],
        "ratio",
        "<=",
        1.3,
    )
    yield Figure("provisioning_replay_median", replay["median"], "s", "<", 1, digits=3)
    yield Figure("provisioning_replay_p95", replay["p95"], "s", "<", 2, digits=3)
    yield Figure(
        "provisioning_migrate_vs_replay", migrate["median"] / replay["median"], "ratio", digits=1
    )
    yield Figure(
        "provisioning_replay_500_vs_10",
        data["replay_many"]["median"] / replay["median"],
        "ratio",
        "<=",
        1.3,
    )
