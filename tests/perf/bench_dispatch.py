"""The dispatch desk: the dispatcher's queue with 5,000 open requests against the hello-world
yardstick in the same run (requests/s, ratio), its queries at the demo's size and at 5,000
(constant), and the category classifier's time per request.

* ``dispatch_queue_vs_hello``: ``dispatch_run.py`` signs the demo dispatcher in, counts the
  queue's queries, fills the demo association up to 5,000 open requests and counts again; then
  the dispatcher's ``/dispatch/desk/`` (the first page of 50, most urgent first, with the
  headline counts) and the yardstick (the bare hello-world server, ``tests.perf.yardstick``) in
  alternating rounds, as the dashboard's benchmark does.
* ``dispatch_classification_ms``: ``classifier.suggest`` with the demo's trained model (loaded
  once, as a worker keeps it), and the keyword rules alone, per text.
"""

from __future__ import annotations

import json
import sys

from tests.perf.environment import BenchError, last_json
from tests.perf.load import Page
from tests.perf.registry import Figure, benchmark
from tests.perf.yardstick import against_yardstick, figures

PAGE = "/dispatch/desk/"
SIZE = 5_000
TARGET_RATIO = 0.1
_prepared: dict = {}


def _prepare(env) -> dict:
    """Sign the dispatcher in and fill the queue (once per run); the run's figures."""
    if _prepared:
        return _prepared
    env.ensure_database()
    output = env.run_python(
        "-m",
        "tests.perf.dispatch_run",
        str(SIZE),
        failure="the dispatch benchmark's set-up failed",
        timeout=600,
    )
    _prepared.update(last_json(output))
    print(
        f"# dispatch: {json.dumps({k: v for k, v in _prepared.items() if k != 'session'})}",
        file=sys.stderr,
    )
    return _prepared


@benchmark("dispatch_queue_vs_hello", order=85)
def queue_vs_hello(env):
    prepared = _prepare(env)
    server = env.server()
    host = env.demo_host()
    dispatcher = {"Host": host, "Cookie": f"sessionid={prepared['session']}"}
    page = server.request("GET", PAGE, dispatcher)
    if page.status != 200 or "dsp-row" not in page.text:
        raise BenchError(f"{PAGE} answered {page.status}, not the dispatcher's queue")
    page = Page(server.port, PAGE, dispatcher)
    comparison = against_yardstick(env, page)
    if server.request("GET", PAGE, dispatcher).status != 200:
        raise BenchError("the dispatcher's session was lost during the run")
    before, after = prepared["queries_before"], prepared["queries_after"]
    return [
        *figures(comparison, page, "dispatch_queue", TARGET_RATIO),
        Figure("dispatch_queue_open_requests", prepared["open_after"], "requests", digits=0),
        Figure("dispatch_queue_queries_demo", before, "queries", digits=0),
        Figure("dispatch_queue_queries_5000", after, "queries", "<=", before, digits=0),
    ]


@benchmark("dispatch_classification", order=86)
def classification(env):
    prepared = _prepare(env)
    if prepared["sources"] != ["model"]:
        raise BenchError(f"the demo's classifier is not trained: {prepared['sources']}")
    return [
        Figure("dispatch_classification_ms", prepared["model_ms"], "ms", "<=", 50.0, digits=2),
        Figure("dispatch_rules_ms", prepared["rules_ms"], "ms", digits=3),
    ]
