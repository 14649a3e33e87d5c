"""Every page against one yardstick: the bare hello-world view (``env.yardstick()``).

``against_yardstick(env, page)`` warms both up, measures them in alternating rounds
(``load.compare_pages``) and prints both figures (the page's req/s and the bare hello's) with the
rounds' ratios; any failed request is an error. ``figures()`` turns it into the usual three lines.
"""

from __future__ import annotations

import sys

from tests.perf.environment import BenchError
from tests.perf.load import Comparison, Page, compare_pages, measure
from tests.perf.registry import Figure

WARM_UP_SECONDS = 1.0


def against_yardstick(
    env, page: Page, *, also: tuple[Page, ...] = (), rounds: int = 5, seconds: float | None = None
) -> Comparison:
    """``page`` (and ``also``) against the bare hello, alternating rounds; ratios per page."""
    yardstick = env.yardstick()
    pages = [page, *also, yardstick]
    for each in pages:
        measure(
            each.port, each.path, each.headers, seconds=WARM_UP_SECONDS,
            concurrency=env.concurrency,
        )  # fmt: skip
    comparison = compare_pages(
        pages, seconds=seconds or env.seconds, concurrency=env.concurrency, rounds=rounds
    )
    if comparison.errors:
        raise BenchError(f"{comparison.errors} failed requests:\n{env.server().log_tail()}")
    for each in pages[:-1]:
        print(
            f"# {each.name}: {comparison.rps[each.name]:.0f} req/s, bare hello "
            f"{comparison.rps[yardstick.name]:.0f} req/s; ratio per round: "
            + ", ".join(f"{r:.3f}" for r in comparison.all_ratios[each.name]),
            file=sys.stderr,
        )
    return comparison


def figures(comparison: Comparison, page: Page, prefix: str, target: float | None) -> list[Figure]:
    """``<prefix>_vs_hello_rps_ratio`` (against the bare hello), ``<prefix>_rps`` and
    ``<prefix>_bare_hello_rps``: both figures the ratio is made of."""
    bare = next(name for name in comparison.rps if name not in comparison.all_ratios)
    return [
        Figure(
            f"{prefix}_vs_hello_rps_ratio",
            comparison.ratio_of(page.name),
            "ratio",
            ">=" if target is not None else "",
            target,
        ),
        Figure(f"{prefix}_rps", comparison.rps[page.name], "req/s", digits=0),
        Figure(f"{prefix}_bare_hello_rps", comparison.rps[bare], "req/s", digits=0),
    ]
