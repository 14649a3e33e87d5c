"""The benchmarks' registry: each ``bench_*.py`` module in this package registers functions.

A benchmark is ``fn(env: BenchEnvironment) -> Iterable[Figure]``; ``python -m tests.perf`` runs
them in ``order`` (then name) and prints each figure as::

    bench: <name> = <value> <unit> (target <target>)
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.perf.environment import BenchEnvironment


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    # ">=", "<=" or "" (no target: the figure is for information).
    op: str = ""
    target: float | None = None
    digits: int = 2

    def met(self) -> bool | None:
        if not self.op or self.target is None:
            return None
        return self.value >= self.target if self.op == ">=" else self.value <= self.target

    def line(self) -> str:
        target = f"{self.op} {self.target:g}" if self.op and self.target is not None else "none"
        return f"bench: {self.name} = {self.value:.{self.digits}f} {self.unit} (target {target})"


BenchFunction = Callable[["BenchEnvironment"], Iterable[Figure]]


@dataclass(frozen=True)
class Benchmark:
    name: str
    function: BenchFunction
    order: int


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, order: int = 100) -> Callable[[BenchFunction], BenchFunction]:
    """Register a benchmark; a lower ``order`` runs (and prints) earlier."""

    def register(function: BenchFunction) -> BenchFunction:
        if name in BENCHMARKS:
            raise ValueError(f"benchmark {name!r} is registered twice")
        BENCHMARKS[name] = Benchmark(name, function, order)
        return function

    return register


def discover() -> list[Benchmark]:
    """Import every ``tests/perf/bench_*.py`` module; return the benchmarks in running order."""
    import tests.perf as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("bench_"):
            importlib.import_module(f"{package.__name__}.{module.name}")
    return sorted(BENCHMARKS.values(), key=lambda bench: (bench.order, bench.name))
