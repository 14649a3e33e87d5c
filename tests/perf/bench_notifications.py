"""One notification to every member of an association of 10,000 logins, through the outbox and
a local SMTP server (aiosmtpd in its own process, counting what it receives).

``notify_run.py`` runs, in a Django process against the benchmark database, the mass send
(``notify_members``: the message, 10,000 inbox items and outbox rows written in batches in one
transaction) and the delivery (the task's body, unpaced: production paces it at
``NOTIFICATIONS_RATE_PER_SECOND``), for 1,000 and for 10,000 members.

Figures: the whole send for 10,000 (target < 300 s), messages per second (target >= 50: well
above the default pace of 20 per second, so the rate limit, not the code, sets the pace), SQL
queries per message (target < 1.5) and the ratio of queries per message between 10,000 and 1,000
members (constant in the number of members: target ≈ 1, < 1.1). Delivery is one SMTP exchange
and one UPDATE per letter (the state machine's ``sent``, kept per letter so that a crash never
sends one twice), plus a handful of queries per batch of 50.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from deploy.services import ROOT, free_port
from tests.perf.environment import BenchError, script
from tests.perf.registry import Figure, benchmark

SIZES = (1_000, 10_000)


@benchmark("notifications", order=70)
def notifications_bench(env):
    env.ensure_database()
    port = free_port()
    count_file = env.work_dir / "smtp-count"
    sink = subprocess.Popen(
        [sys.executable, script("smtp_sink.py"), str(port), str(count_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if sink.stdout.readline().strip() != "ready":
            raise BenchError("the SMTP sink did not start")
        output = env.run_python(
            script("notify_run.py"),
            str(port),
            *map(str, SIZES),
            failure="notifications benchmark failed",
            timeout=300,
        )
    finally:
        sink.send_signal(signal.SIGTERM)
        try:
            sink.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sink.kill()
    time.sleep(0.1)
    received, distinct = (int(n) for n in count_file.read_text().split())
    runs = {row["size"]: row for row in map(json.loads, output.strip().splitlines())}
    small, large = runs[SIZES[0]], runs[SIZES[-1]]
    expected = small["recipients"] + large["recipients"]  # the members and each chairman
    # The two associations' members share addresses (member0…): distinct ones are the larger's.
    if received != expected or distinct < large["recipients"]:
        raise BenchError(f"the SMTP sink received {received} letters for {expected}")
    per_small = small["queries"] / small["recipients"]
    per_large = large["queries"] / large["recipients"]
    print(
        f"# notifications: {json.dumps(small)}\n# notifications: {json.dumps(large)}",
        file=sys.stderr,
    )
    yield Figure("notify_10000_members_seconds", large["total_s"], "s", "<", 300)
    yield Figure("notify_10000_members_write_seconds", large["write_s"], "s")
    yield Figure("notify_10000_members_deliver_seconds", large["deliver_s"], "s")
    yield Figure(
        "notify_10000_members_messages_per_second",
        large["recipients"] / large["total_s"],
        "msg/s",
        ">=",
        50,
        digits=0,
    )
    yield Figure("notify_10000_members_queries_per_message", per_large, "queries", "<", 1.5)
    yield Figure("notify_1000_members_queries_per_message", per_small, "queries", "<", 1.5)
    yield Figure(
        "notify_queries_per_message_ratio_10000_to_1000", per_large / per_small, "x", "<", 1.1
    )
