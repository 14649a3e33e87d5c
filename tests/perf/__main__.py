"""``python -m tests.perf [NAME...]``: run the benchmarks (all, or the named ones).

Run it through ``make bench`` (the embedded PostgreSQL and Redis). Each figure prints as
``bench: <name> = <value> <unit> (target <target>)``; progress notes go to stderr. Benchmarks
live in ``tests/perf/bench_*.py`` and register themselves (see ``tests/perf/registry.py``).

Environment: ``TSZH_BENCH_SECONDS`` (5) per measurement, ``TSZH_BENCH_CONCURRENCY`` (8)
connections, ``TSZH_BENCH_CLIENT`` (``wrk`` if on PATH, else ``python``),
``TSZH_BENCH_DATABASE`` (default ``tszh_bench_<pid>``: one per run, dropped at its end),
``TSZH_BENCH_WORKER_CLASS`` (gunicorn's, ``gthread``: 2 workers x 4 threads, keep-alive).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback

from tests.perf.environment import BenchEnvironment, BenchError
from tests.perf.load import client_name
from tests.perf.registry import discover

BUDGET_SECONDS = 900  # the whole run (import and provisioning take minutes), servers included


class BenchTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise BenchTimeout(f"the benchmarks ran out of their {BUDGET_SECONDS} s budget")


def _on_terminate(signum, frame):
    # Unwind like Ctrl-C, so the servers are stopped and the database dropped.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a figure misses its target"
    )
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("TSZH_BENCH_SECONDS", "5"))
    )
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("TSZH_BENCH_CONCURRENCY", "8"))
    )
    options = parser.parse_args(argv)

    benchmarks = discover()
    if options.list:
        for bench in benchmarks:
            print(bench.name)
        return 0
    unknown = set(options.names) - {bench.name for bench in benchmarks}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if options.names:
        benchmarks = [bench for bench in benchmarks if bench.name in options.names]

    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_terminate)
    signal.alarm(BUDGET_SECONDS)
    started = time.monotonic()
    failures = missed = 0
    print(
        f"# load client: {client_name()}, {options.concurrency} connections, "
        f"{options.seconds:g} s per measurement",
        flush=True,
    )
    try:
        with BenchEnvironment(seconds=options.seconds, concurrency=options.concurrency) as env:
            for bench in benchmarks:
                try:
                    for figure in bench.function(env):
                        print(figure.line(), flush=True)
                        missed += figure.met() is False
                except (BenchError, BenchTimeout):
                    raise
                except Exception:
                    failures += 1
                    print(f"# benchmark {bench.name} failed:", file=sys.stderr)
                    traceback.print_exc()
    except (BenchError, BenchTimeout) as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench interrupted; its servers are stopped", file=sys.stderr)
        return 130
    finally:
        signal.alarm(0)
    print(f"# benchmarks done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    if failures:
        return 1
    return 1 if options.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
