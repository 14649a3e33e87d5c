"""Tenant routing (``associations.routing``): what finding a request's association costs with
10 and with 1,000 associations present, from process memory, from Redis, and from the database
(django-tenants' own lookup, what every request paid before). It must stay flat: the memory
lookup at 1,000 over the one at 10 ≤ 1.2. ``routing_run.py`` does it in a Django process.
"""

from __future__ import annotations

import json
import sys

from tests.perf.environment import script
from tests.perf.registry import Figure, benchmark

SIZES = (10, 1_000)


@benchmark("routing", order=5)
def routing_bench(env):
    env.ensure_database()
    output = env.run_python(
        script("routing_run.py"), *map(str, SIZES), failure="routing benchmark failed", timeout=600
    )
    runs = [json.loads(line) for line in output.strip().splitlines()]
    for run in runs:
        print(f"# routing: {json.dumps(run)}", file=sys.stderr)
    small, large = runs[0], runs[-1]
    figures = []
    for run in (small, large):
        size = run["size"]
        for layer in ("memory", "redis", "database"):
            figures.append(
                Figure(f"routing_{layer}_us_{size}", run[layer]["median_us"], "us", digits=1)
            )
    figures.append(
        Figure(
            "routing_memory_1000_vs_10",
            large["memory"]["median_us"] / small["memory"]["median_us"],
            "ratio",
            "<=",
            1.2,
        )
    )
    figures.append(
        Figure(
            "routing_redis_1000_vs_10",
            large["redis"]["median_us"] / small["redis"]["median_us"],
            "ratio",
            "<=",
            1.2,
        )
    )
    return figures
