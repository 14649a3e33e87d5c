"""Load generators: requests per second of one URL at a fixed concurrency, keep-alive.

``wrk`` when it is on PATH (``TSZH_BENCH_CLIENT=python`` forces the fallback), else a small
multi-process client: ``http.client`` keep-alive connections, a few threads per process. Only
answers with the expected status count; anything else is an error.
"""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import os
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoadResult:
    client: str
    ok: int
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def client_name() -> str:
    forced = os.environ.get("TSZH_BENCH_CLIENT", "")
    if forced in {"python", "wrk"}:
        return forced
    return "wrk" if shutil.which("wrk") else "python"


def measure(
    port: int,
    path: str,
    headers: dict[str, str],
    *,
    seconds: float,
    concurrency: int,
    expect_status: int = 200,
) -> LoadResult:
    if client_name() == "wrk":
        return _measure_wrk(port, path, headers, seconds, concurrency, expect_status)
    return _measure_python(port, path, headers, seconds, concurrency, expect_status)


# --- wrk ------------------------------------------------------------------------------------


def _measure_wrk(port, path, headers, seconds, concurrency, expect_status) -> LoadResult:
    if expect_status != 200:
        raise ValueError("wrk counts every 2xx/3xx answer as a success: expect 200 with it")
    command = [
        "wrk",
        f"-t{min(2, concurrency)}",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    )
    out = result.stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if not done:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    total = int(done.group(1))
    elapsed = float(done.group(2)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(group) for group in socket_errors.groups())
    return LoadResult("wrk", total - (int(bad.group(1)) if bad else 0), errors, elapsed)


# --- the Python client ----------------------------------------------------------------------


def _client_thread(port, path, headers, start_at, end_at, expect_status, totals, lock) -> None:
    ok = errors = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    pause = start_at - time.time()
    if pause > 0:
        time.sleep(pause)
    while True:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if time.time() > end_at:
                break
            if response.status == expect_status:
                ok += 1
            else:
                errors += 1
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException):
            if time.time() > end_at:
                break
            errors += 1
            connection.close()
    with contextlib.suppress(OSError):
        connection.close()
    with lock:
        totals[0] += ok
        totals[1] += errors


def _client_process(args) -> tuple[int, int]:
    port, path, headers, start_at, end_at, threads, expect_status = args
    totals = [0, 0]
    lock = threading.Lock()
    workers = [
        threading.Thread(
            target=_client_thread,
            args=(port, path, headers, start_at, end_at, expect_status, totals, lock),
        )
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return totals[0], totals[1]


def _measure_python(port, path, headers, seconds, concurrency, expect_status) -> LoadResult:
    processes = max(1, min(concurrency, os.cpu_count() or 1))
    per_process = [concurrency // processes] * processes
    for index in range(concurrency % processes):
        per_process[index] += 1
    # Every connection starts at the same moment, once the processes are up.
    start_at = time.time() + 0.3
    end_at = start_at + seconds
    jobs = [
        (port, path, headers, start_at, end_at, threads, expect_status)
        for threads in per_process
        if threads
    ]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        results = list(pool.map(_client_process, jobs, timeout=seconds + 30))
    ok = sum(result[0] for result in results)
    errors = sum(result[1] for result in results)
    return LoadResult(f"python ({processes} processes)", ok, errors, seconds)


@dataclass(frozen=True)
class Page:
    """What one series of a comparison requests: a server's port, a path and its headers."""

    port: int
    path: str
    headers: dict[str, str]
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.path


@dataclass(frozen=True)
class Comparison:
    """Pages measured in alternating rounds: the machine's drift hits them all alike."""

    rps: dict[str, float]  # mean requests/s of each page over the rounds, by path (or label)
    ratios: list[float]  # per round: first page's rps over the last one's (the yardstick)
    errors: int
    #: per page (by path or label): its rps over the yardstick's, each round
    all_ratios: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """The median of the per-round ratios (robust to one noisy round)."""
        return _median(self.ratios)

    def ratio_of(self, name: str) -> float:
        return _median(self.all_ratios[name])


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def compare_pages(
    pages: list[Page], *, seconds: float, concurrency: int, rounds: int = 5
) -> Comparison:
    """``pages`` in turn (A B C A B C …), ``seconds`` in all for each; the last one is the
    yardstick every other page's ratio is taken against, round by round.

    Measuring one page for five seconds and then the other lets a slow patch of the shared
    machine fall on one of them only; alternating short rounds spreads it over all.
    """
    per_round = max(seconds / rounds, 0.5)
    totals: dict[str, list[float]] = {page.name: [] for page in pages}
    ratios: dict[str, list[float]] = {page.name: [] for page in pages[:-1]}
    errors = 0
    for _ in range(rounds):
        round_rps = []
        for page in pages:
            result = measure(
                page.port, page.path, page.headers, seconds=per_round, concurrency=concurrency
            )
            errors += result.errors
            totals[page.name].append(result.rps)
            round_rps.append(result.rps)
        if round_rps[-1]:
            for page, rps in zip(pages[:-1], round_rps, strict=False):
                ratios[page.name].append(rps / round_rps[-1])
    rps = {name: sum(values) / len(values) for name, values in totals.items()}
    return Comparison(rps=rps, ratios=ratios[pages[0].name], errors=errors, all_ratios=ratios)


def compare(
    port: int,
    first: tuple[str, dict[str, str]],
    second: tuple[str, dict[str, str]],
    *,
    seconds: float,
    concurrency: int,
    rounds: int = 5,
) -> Comparison:
    """Two pages of the same server (path, headers), alternating: ``compare_pages``."""
    return compare_pages(
        [Page(port, *first), Page(port, *second)],
        seconds=seconds,
        concurrency=concurrency,
        rounds=rounds,
    )
