"""The demo owner's dashboard against a hello-world view on the same server (requests/s).

Both go through the same gunicorn, middleware and tenant routing (``demo.localhost``), in
alternating short rounds at the same concurrency over keep-alive connections, after a short
warm-up each; the figure is the median of the rounds' ratios (the shared machine drifts). The
dashboard is requested with the owner's session (checked to be the owner's page before and after
the run); the hello view anonymously: the ceiling of the stack. Sent with the owner's cookies it
would pay for the per-user middleware too and hide that cost in the ratio.
"""

from __future__ import annotations

import sys

from tests.perf.environment import BenchError, demo_credentials
from tests.perf.load import compare, measure
from tests.perf.registry import Figure, benchmark

HELLO = "/bench/hello/"
DASHBOARD = "/"
TARGET_RATIO = 0.25
WARM_UP_SECONDS = 1.0


@benchmark("dashboard_vs_hello", order=0)
def dashboard_vs_hello(env):
    server = env.server()
    email, password = demo_credentials("owner")
    session = env.demo_login(email, password)
    owner = session.headers()
    anonymous = {"Host": session.host}

    page = server.request("GET", DASHBOARD, owner)
    if page.status != 200 or 'data-section="home"' not in page.text:
        raise BenchError(f"the owner's dashboard answered {page.status}, not the owner's page")
    hello = server.request("GET", HELLO, anonymous)
    if hello.status != 200:
        raise BenchError(f"{HELLO} answered {hello.status}")

    for path, headers in ((HELLO, anonymous), (DASHBOARD, owner)):  # warm-up
        measure(server.port, path, headers, seconds=WARM_UP_SECONDS, concurrency=env.concurrency)
    comparison = compare(
        server.port,
        (DASHBOARD, owner),
        (HELLO, anonymous),
        seconds=env.seconds,
        concurrency=env.concurrency,
    )
    print(
        f"# dashboard vs hello, {len(comparison.ratios)} alternating rounds: "
        + ", ".join(f"{r:.2f}" for r in comparison.ratios),
        file=sys.stderr,
    )
    if comparison.errors:
        raise BenchError(f"{comparison.errors} failed requests:\n{server.log_tail()}")

    # Still signed in after the run (a redirect to the login page would be a cheap "success").
    if server.request("GET", DASHBOARD, owner).status != 200:
        raise BenchError("the owner's session was lost during the run")

    return [
        Figure("dashboard_vs_hello_rps_ratio", comparison.ratio, "ratio", ">=", TARGET_RATIO),
        Figure("dashboard_rps", comparison.rps[DASHBOARD], "req/s", digits=0),
        Figure("hello_rps", comparison.rps[HELLO], "req/s", digits=0),
    ]
