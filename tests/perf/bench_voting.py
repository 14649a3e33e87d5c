"""Voting: counting a large meeting, and the ballot POST against the hello-world yardstick.

* ``voting_count``: ``voting_run.py`` makes a meeting of 10,000 register lines with a decision
  on each of 10 questions (100,000 ballots in a proper hash chain) and times the count (the
  current decision of every line on every question, exact fractions) and the chain's
  verification; checks every question sums to the register exactly.
* ``voting_post_vs_hello``: the demo owner POSTs her ballot page on the owners' meeting voting
  now (each POST a change: a new link of the chain under the meeting's lock, then the redirect
  to the vote receipt) against GETs of the hello view, by one small keep-alive client for both,
  alternating rounds (the shape of ``meters_post_vs_hello``).
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse

from tests.perf.bench_meters import post_rounds
from tests.perf.environment import BenchError, demo_credentials, last_json, script
from tests.perf.registry import Figure, benchmark

VOTERS, QUESTIONS = 10_000, 10
COUNT_TARGET = 5.0
POST_TARGET = 0.05
MEETING = re.compile(r'href="/voting/([0-9a-f-]{36})/"')
FIELD = re.compile(r'name="(v-[0-9a-f-]{36}-q-[0-9a-f-]{36})" value="for"')


@benchmark("voting_count", order=90)
def count_bench(env):
    env.ensure_database()
    output = env.run_python(
        script("voting_run.py"),
        str(VOTERS),
        str(QUESTIONS),
        failure="voting benchmark failed",
        timeout=900,
    )
    run = last_json(output)
    print(f"# voting: {json.dumps(run)}", file=sys.stderr)
    if not (run["sums_exact"] and run["chain_ok"] and run["participants"] == VOTERS):
        raise BenchError(f"voting: the count or the chain is wrong: {run}")
    return [
        Figure("voting_count_10000x10_s", run["count_s"], "s", "<=", COUNT_TARGET, digits=2),
        Figure("voting_verify_10000_s", run["verify_s"], "s", digits=2),
        Figure("voting_populate_10000x10_s", run["populate_s"], "s", digits=1),
    ]


def _ballot(env):
    server = env.server()
    session = env.demo_login(*demo_credentials("owner"))
    headers = session.headers()
    index = server.request("GET", "/voting/", headers)
    for meeting in dict.fromkeys(MEETING.findall(index.text)):
        path = f"/voting/{meeting}/ballot/"
        page = server.request("GET", path, headers)
        fields = FIELD.findall(page.text)
        if page.status == 200 and fields:
            return server, session, headers, path, fields
    raise BenchError("no meeting of the demo has a ballot open for the owner")


@benchmark("voting_post_vs_hello", order=91)
def post_vs_hello(env):
    server, session, owner, path, fields = _ballot(env)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": session.cookies["csrftoken"], **dict.fromkeys(fields, "for")}
    ).encode()
    post_headers = owner | {"Content-Type": "application/x-www-form-urlencoded"}
    first = server.request("POST", path, post_headers, body)
    if first.status != 302:
        raise BenchError(f"POST {path} answered {first.status}:\n{first.text[:2000]}")
    ratios, posts, hellos = post_rounds(
        env, server, session.host, path, post_headers, body, label="voting"
    )
    return [
        Figure(
            "voting_post_vs_hello_rps_ratio", ratios[len(ratios) // 2], "ratio", ">=", POST_TARGET
        ),
        Figure("voting_post_rps", sum(posts) / len(posts), "req/s", digits=0),
        Figure("voting_hello_rps_same_client", sum(hellos) / len(hellos), "req/s", digits=0),
    ]
