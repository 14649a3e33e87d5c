"""PostgreSQL restarted (fast mode) under a stream of writes: requests in flight fail cleanly
(503, never a 500 or a dropped connection) or succeed; every acknowledged write is in the
database exactly once, a client's retry with the same Idempotency-Key never writes twice; the
server recovers without a restart."""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from collections import Counter

from tests.factories import TEST_PASSWORD
from tests.outages.stack import OWNER_EMAIL

WRITERS = 4
#: seconds of writing before the restart, and after PostgreSQL is back
BEFORE, AFTER = 1.5, 2.0
DOWN = 1.0


def test_postgres_restart_under_writes(stack):
    owner = stack.browser()
    assert owner.login(OWNER_EMAIL, TEST_PASSWORD).status == 302
    comments = f"/api/v1/dispatch/requests/{stack.facts['request']}/comments/"
    before = Counter(item["text"] for item in owner.get(comments).json())

    stop_writing = threading.Event()
    lock = threading.Lock()
    acknowledged: list[str] = []
    statuses: Counter = Counter()
    failures: list[str] = []

    def writer(number: int) -> None:
        browser = stack.browser()
        browser.cookies = dict(owner.cookies)
        sequence = 0
        while not stop_writing.is_set():
            sequence += 1
            text = f"w{number}-{sequence}"
            key = uuid.uuid4().hex
            deadline = time.monotonic() + 30
            # One write, retried with its key until it is acknowledged (as a client would).
            while time.monotonic() < deadline:
                try:
                    answer = browser.post(
                        comments, data={"text": text}, headers={"Idempotency-Key": key}
                    )
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        statuses[type(error).__name__] += 1
                    time.sleep(0.1)
                    continue
                with lock:
                    statuses[answer.status] += 1
                if answer.status == 201 or answer.headers.get("Idempotent-Replayed"):
                    with lock:
                        acknowledged.append(text)
                    break
                if answer.status != 503:
                    with lock:
                        failures.append(f"{answer.status}: {answer.text[:300]}")
                    return
                assert answer.headers.get("Retry-After")
                time.sleep(0.1)
            else:
                with lock:
                    failures.append(f"{text} never acknowledged")
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(BEFORE)
        stack.postgres.stop()
        time.sleep(DOWN)
        stack.postgres.start()
        time.sleep(AFTER)
    finally:
        stop_writing.set()
        for thread in threads:
            thread.join(60)

    assert not failures, (failures, statuses, stack.log_tail())
    assert 500 not in statuses, (statuses, stack.log_tail())
    assert statuses[503] >= 1, statuses  # the restart was seen by the writers
    assert len(acknowledged) > WRITERS, statuses

    stored = Counter(item["text"] for item in owner.get(comments).json()) - before
    doubled = [text for text, count in stored.items() if count > 1]
    assert not doubled
    # Every write was retried until acknowledged: what is stored is exactly what was.
    assert set(stored) == set(acknowledged)

    # Recovered without a restart of the server: reads and writes as before.
    assert owner.get("/dispatch/").status == 200
    assert owner.post(comments, data={"text": "после перезапуска"}).status == 201
