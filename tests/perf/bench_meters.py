"""Meters: the member's submission page, GET and POST, against the hello-world yardstick in the
same run (requests/s, ratio), and the reminders' fan-out for 10,000 members.

* ``meters_page_vs_hello``: the demo owner's ``/meters/`` (four meters, five registers) against
  the yardstick (the bare hello-world server, ``tests.perf.yardstick``), alternating rounds.
* ``meters_post_vs_hello``: the same owner POSTs every register's reading (the last figure
  again: zero consumption is valid, each POST is a correction that supersedes the previous one
  under the register's lock, then the redirect) against GETs of the bare hello, by one small
  keep-alive client for both (the load client only sends GETs), alternating rounds.
* ``meters_reminders``: ``reminders_run.py`` makes associations of 1,000 and 10,000 members
  (one flat and one meter each) and times the "window closes in two days" reminder to all of
  them (the audience, the ledger, the notification rows); queries per member at both sizes
  (constant: the ratio ≈ 1) and a second run that sends nothing.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse

from tests.perf.environment import BenchError, demo_credentials, script
from tests.perf.load import Page
from tests.perf.registry import Figure, benchmark
from tests.perf.yardstick import against_yardstick, figures

PAGE = "/meters/"
PAGE_TARGET = 0.2
POST_TARGET = 0.1
ROUNDS = 4
SIZES = (1_000, 10_000)
INPUT = re.compile(r'<input[^>]*name="(r-[0-9a-f-]{36})"[^>]*>')
PREVIOUS = re.compile(r'data-previous="([0-9.]+)"')


def _owner(env):
    server = env.server()
    session = env.demo_login(*demo_credentials("owner"))
    headers = session.headers()
    page = server.request("GET", PAGE, headers)
    if page.status != 200 or "meter-card" not in page.text:
        raise BenchError(f"{PAGE} answered {page.status}, not the owner's meters")
    return server, session, headers, page.text


@benchmark("meters_page_vs_hello", order=80)
def page_vs_hello(env):
    server, _session, owner, _text = _owner(env)
    page = Page(server.port, PAGE, owner)
    comparison = against_yardstick(env, page)
    return figures(comparison, page, "meters_page", PAGE_TARGET)


def _form_body(text: str, token: str) -> bytes:
    # Zero consumption is unusual against the demo's twelve months of history: the member
    # confirms it, as the page asks (the same work for the server, one more field).
    fields = {"csrfmiddlewaretoken": token, "confirm": "on"}
    for tag in INPUT.finditer(text):
        previous = PREVIOUS.search(tag.group(0))
        if previous is None:
            raise BenchError("a reading field without its previous figure")
        fields[tag.group(1)] = previous.group(1)
    if len(fields) < 2:
        raise BenchError("no reading fields on the page")
    return urllib.parse.urlencode(fields).encode()


def _hammer(port, method, path, headers, body, seconds, concurrency, expect) -> tuple[float, int]:
    """Requests/s of ``method path`` over ``concurrency`` keep-alive connections."""
    totals = [0, 0]
    lock = threading.Lock()
    end_at = time.monotonic() + seconds

    def client():
        ok = errors = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < end_at:
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == expect:
                    ok += 1
                else:
                    errors += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
        with contextlib.suppress(OSError):
            connection.close()
        with lock:
            totals[0] += ok
            totals[1] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return totals[0] / (time.monotonic() - started), totals[1]


def post_rounds(env, server, host, path, headers, body, *, label, rounds=ROUNDS):
    """Alternate rounds of the POST (a 302 each) and of the yardstick (the bare hello-world
    server, ``env.yardstick()``) by the same client; the sorted ratios, the POSTs' and hello's
    req/s. Raises when any request failed."""
    yardstick = env.yardstick()
    per_round = max(env.seconds / rounds, 0.5)
    ratios, posts, hellos, errors = [], [], [], 0
    for _ in range(rounds):
        post_rps, post_errors = _hammer(
            server.port, "POST", path, headers, body, per_round, env.concurrency, 302
        )
        hello_rps, hello_errors = _hammer(
            yardstick.port, "GET", yardstick.path, yardstick.headers, None, per_round,
            env.concurrency, 200,
        )  # fmt: skip
        errors += post_errors + hello_errors
        posts.append(post_rps)
        hellos.append(hello_rps)
        if hello_rps:
            ratios.append(post_rps / hello_rps)
    if errors:
        raise BenchError(f"{errors} failed requests:\n{server.log_tail()}")
    ratios.sort()
    print(
        f"# {label} POST vs bare hello: " + ", ".join(f"{r:.3f}" for r in ratios), file=sys.stderr
    )
    return ratios, posts, hellos


@benchmark("meters_post_vs_hello", order=81)
def post_vs_hello(env):
    server, session, owner, text = _owner(env)
    body = _form_body(text, session.cookies["csrftoken"])
    post_headers = owner | {"Content-Type": "application/x-www-form-urlencoded"}
    first = server.request("POST", PAGE, post_headers, body)
    if first.status != 302:
        raise BenchError(f"POST {PAGE} answered {first.status}:\n{first.text[:2000]}")
    ratios, posts, hellos = post_rounds(
        env, server, session.host, PAGE, post_headers, body, label="meters"
    )
    return [
        Figure(
            "meters_post_vs_hello_rps_ratio", ratios[len(ratios) // 2], "ratio", ">=", POST_TARGET
        ),
        Figure("meters_post_rps", sum(posts) / len(posts), "req/s", digits=0),
        Figure("meters_hello_rps_same_client", sum(hellos) / len(hellos), "req/s", digits=0),
    ]


@benchmark("meters_reminders", order=82)
def reminders_bench(env):
    env.ensure_database()
    output = env.run_python(
        script("reminders_run.py"),
        *map(str, SIZES),
        failure="reminders benchmark failed",
        timeout=600,
    )
    runs = {row["size"]: row for row in map(json.loads, output.strip().splitlines())}
    small, large = runs[SIZES[0]], runs[SIZES[-1]]
    print(f"# reminders: {json.dumps(small)}\n# reminders: {json.dumps(large)}", file=sys.stderr)
    for run in (small, large):
        if run["sent"] != run["size"] or run["second_sent"] != 0:
            raise BenchError(f"reminders: {run}")
    per_small = small["queries"] / small["size"]
    per_large = large["queries"] / large["size"]
    return [
        Figure("meters_reminders_10000_s", large["seconds"], "s", "<=", 60.0, digits=2),
        Figure("meters_reminders_queries_per_member_1000", per_small, "queries", digits=4),
        Figure("meters_reminders_queries_per_member_10000", per_large, "queries", digits=4),
        Figure(
            "meters_reminders_queries_per_member_ratio",
            per_large / per_small,
            "ratio",
            "<=",
            1.1,
            digits=3,
        ),
    ]
