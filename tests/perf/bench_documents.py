"""Documents and news: the owner's documents list, and the dashboard with an emergency notice on
top, against the hello-world yardstick in the same run (requests/s, ratio).

* ``documents_list_vs_hello``: the demo owner's ``/documents/`` (the demo's documents by section,
  the owner's reader groups read from the register) and the yardstick (the bare hello-world
  server, ``tests.perf.yardstick``), alternating rounds, as the dashboard's benchmark does.
* ``emergency_dashboard_vs_hello``: the owner's dashboard while an emergency notice is shown on
  top of every page (``documents_run.py on``; taken away afterwards): the banner comes from the
  cache, so the ratio should stay the dashboard's own (``dashboard_vs_hello``, ≥ 0.25).
"""

from __future__ import annotations

from tests.perf.environment import BenchError, demo_credentials, script
from tests.perf.load import Page
from tests.perf.registry import benchmark
from tests.perf.yardstick import against_yardstick, figures

LIST = "/documents/"
DASHBOARD = "/"
LIST_TARGET = 0.2
DASHBOARD_TARGET = 0.25


def _compare(env, server, path, owner):
    page = Page(server.port, path, owner)
    return against_yardstick(env, page), page


def _owner(env):
    server = env.server()
    session = env.demo_login(*demo_credentials("owner"))
    return server, session, session.headers()


def _emergency(env, action: str) -> None:
    env.run_python(
        script("documents_run.py"), action, failure=f"documents_run.py {action} failed", timeout=120
    )


@benchmark("documents_list_vs_hello", order=90)
def list_vs_hello(env):
    server, _session, owner = _owner(env)
    page = server.request("GET", LIST, owner)
    if page.status != 200 or "doc-row" not in page.text:
        raise BenchError(f"{LIST} answered {page.status}, not the owner's documents")
    comparison, page = _compare(env, server, LIST, owner)
    return figures(comparison, page, "documents_list", LIST_TARGET)


@benchmark("emergency_dashboard_vs_hello", order=91)
def emergency_dashboard_vs_hello(env):
    server, _session, owner = _owner(env)
    _emergency(env, "on")
    try:
        page = server.request("GET", DASHBOARD, owner)
        if page.status != 200 or "emergency-banner" not in page.text:
            raise BenchError(f"{DASHBOARD} answered {page.status} without the emergency banner")
        comparison, measured = _compare(env, server, DASHBOARD, owner)
    finally:
        _emergency(env, "off")
    return figures(comparison, measured, "emergency_dashboard", DASHBOARD_TARGET)
