"""The member's pages against the yardstick, a bare Django hello-world view with no middleware
served by the same gunicorn command in the same run (``tests.perf.yardstick``), in requests/s.

* ``stack_hello_vs_bare``: the portal's own ``bench/hello/`` (the same view behind the whole
  middleware stack and tenant routing, anonymous) against the bare one: what the stack costs
  (target ≥ 0.5).
* ``dashboard_vs_hello``: the demo owner's dashboard (target ≥ 0.25), with the stack's hello in
  the same rounds.
* ``my_home_vs_hello``: the owner's "My home" (``/home/``, target ≥ 0.15).
* ``account_page_vs_hello``: the owner's personal account page (``/money/accounts/<id>/``, the
  first account of ``/money/``; target ≥ 0.15).

Pages are requested with the owner's session (checked to be the owner's page before and after the
run: a redirect to the login page would be a cheap "success"); the hellos anonymously.
"""

from __future__ import annotations

import re

from tests.perf.environment import HELLO, BenchError, demo_credentials
from tests.perf.load import Page
from tests.perf.registry import Figure, benchmark
from tests.perf.yardstick import against_yardstick, figures

DASHBOARD = "/"
MY_HOME = "/home/"
MONEY = "/money/"
ACCOUNT_LINK = re.compile(r'href="(/money/accounts/[0-9a-f-]{36}/)"')
STACK_TARGET = 0.5
DASHBOARD_TARGET = 0.25
MY_HOME_TARGET = 0.15
ACCOUNT_TARGET = 0.15


def _owner(env):
    server = env.server()
    session = env.demo_login(*demo_credentials("owner"))
    return server, session, session.headers()


def _checked(server, path, headers, marker: str) -> str:
    page = server.request("GET", path, headers)
    if page.status != 200 or marker not in page.text:
        raise BenchError(f"{path} answered {page.status}, not the owner's page ({marker!r})")
    return page.text


@benchmark("stack_hello_vs_bare", order=0)
def stack_hello_vs_bare(env):
    server = env.server()
    stack = Page(server.port, HELLO, {"Host": env.demo_host()}, label="stack hello")
    if server.request("GET", HELLO, stack.headers).status != 200:
        raise BenchError(f"{HELLO} answered no 200 through the stack")
    comparison = against_yardstick(env, stack)
    return [
        Figure(
            "stack_hello_vs_bare_hello_rps_ratio",
            comparison.ratio_of(stack.name),
            "ratio",
            ">=",
            STACK_TARGET,
        ),
        Figure("stack_hello_rps", comparison.rps[stack.name], "req/s", digits=0),
        Figure("bare_hello_rps", comparison.rps["bare hello"], "req/s", digits=0),
    ]


def _page_bench(env, path: str, marker: str, prefix: str, target: float, *, with_stack=False):
    server, _session, owner = _owner(env)
    _checked(server, path, owner, marker)
    page = Page(server.port, path, owner)
    also = ()
    if with_stack:
        also = (Page(server.port, HELLO, {"Host": env.demo_host()}, label="stack hello"),)
    comparison = against_yardstick(env, page, also=also)
    _checked(server, path, owner, marker)  # still signed in after the run
    found = figures(comparison, page, prefix, target)
    if with_stack:
        found.append(
            Figure("stack_hello_rps_same_rounds", comparison.rps["stack hello"], "req/s", digits=0)
        )
    return found


@benchmark("dashboard_vs_hello", order=1)
def dashboard_vs_hello(env):
    return _page_bench(
        env, DASHBOARD, 'data-section="home"', "dashboard", DASHBOARD_TARGET, with_stack=True
    )


@benchmark("my_home_vs_hello", order=2)
def my_home_vs_hello(env):
    return _page_bench(env, MY_HOME, 'class="card home"', "my_home", MY_HOME_TARGET)


@benchmark("account_page_vs_hello", order=3)
def account_page_vs_hello(env):
    server, _session, owner = _owner(env)
    links = ACCOUNT_LINK.findall(_checked(server, MONEY, owner, "/money/accounts/"))
    if not links:
        raise BenchError(f"{MONEY} links to no personal account of the owner")
    return _page_bench(env, links[0], "/money/accounts/", "account_page", ACCOUNT_TARGET)
