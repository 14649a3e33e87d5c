"""The demo owner's dashboard against a hello-world view on the same server (requests/s).

Both go through the same gunicorn, middleware and tenant routing (``demo.localhost``), one after
the other at the same concurrency over keep-alive connections, after a short warm-up each. The
dashboard is requested with the owner's session (checked to be the owner's page before and after
the run); the hello view anonymously: the ceiling of the stack. Sent with the owner's cookies it
would pay for the per-user middleware too and hide that cost in the ratio.
"""

from __future__ import annotations

import sys

from tests.perf.environment import BenchError, demo_credentials
from tests.perf.load import measure
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

    results = {}
    for name, path, headers in (("hello", HELLO, anonymous), ("dashboard", DASHBOARD, owner)):
        measure(server.port, path, headers, seconds=WARM_UP_SECONDS, concurrency=env.concurrency)
        result = measure(
            server.port, path, headers, seconds=env.seconds, concurrency=env.concurrency
        )
        results[name] = result
        print(
            f"# {name}: {result.ok} answers, {result.errors} errors in {result.seconds:.1f} s "
            f"({result.client}, {env.concurrency} connections)",
            file=sys.stderr,
        )
        if result.errors:
            raise BenchError(f"{result.errors} failed requests to {path}:\n{server.log_tail()}")

    # Still signed in after the run (a redirect to the login page would be a cheap "success").
    if server.request("GET", DASHBOARD, owner).status != 200:
        raise BenchError("the owner's session was lost during the run")

    ratio = results["dashboard"].rps / results["hello"].rps
    return [
        Figure("dashboard_vs_hello_rps_ratio", ratio, "ratio", ">=", TARGET_RATIO),
        Figure("dashboard_rps", results["dashboard"].rps, "req/s", digits=0),
        Figure("hello_rps", results["hello"].rps, "req/s", digits=0),
    ]
