"""Redis stopped: pages serve (sessions from the database, the cache a miss), sign-in fails
closed (its rate limits cannot be counted), the notifications written meanwhile wait in their
outbox and go to the broker when Redis is back (the periodic relay); Redis back, all is normal."""

from __future__ import annotations

import time

from tests.factories import TEST_PASSWORD
from tests.outages.stack import CHAIR_EMAIL, OWNER_EMAIL

RELAY = (
    "from core.tasks import fan_out\nprint(fan_out('tenants.notifications.tasks.deliver_due'))\n"
)


def test_redis_down_pages_serve_login_closed_tasks_relayed(stack):
    owner = stack.browser()
    assert owner.login(OWNER_EMAIL, TEST_PASSWORD).status == 302
    comments = f"/api/v1/dispatch/requests/{stack.facts['request']}/comments/"
    outbox_before = stack.count("notifications_outboxmessage", "status = 'pending'")

    stack.redis.stop()
    try:
        # Signed-in pages serve: the session comes from its table, the cache is a miss.
        for path in ("/", "/dispatch/", "/documents/", "/forum/"):
            page = owner.get(path)
            assert page.status == 200, (path, page.status, page.text[:300])
        # A write that queues a task: answered at once, its notification kept in the outbox.
        started = time.monotonic()
        written = owner.post(comments, data={"text": "Пока Redis не отвечает"})
        assert written.status == 201, written.text[:500]
        assert time.monotonic() - started < 10
        pending = stack.count("notifications_outboxmessage", "status = 'pending'")
        assert pending > outbox_before
        # Sign-in fails closed: its failed-attempt limits cannot be counted, so it is refused
        # with a clear message, and no session is issued.
        visitor = stack.browser()
        assert visitor.get("/accounts/login/").status == 200
        refused = visitor.post(
            "/accounts/login/", form={"username": CHAIR_EMAIL, "password": TEST_PASSWORD}
        )
        assert refused.status == 503
        assert "Вход временно недоступен" in refused.text
        assert "sessionid" not in visitor.cookies
        # Wrong passwords are refused the same way: no unlimited guessing while Redis is down.
        for _attempt in range(3):
            guess = visitor.post(
                "/accounts/login/", form={"username": CHAIR_EMAIL, "password": "wrong"}
            )
            assert guess.status == 503
    finally:
        stack.redis.start()

    broker = stack.redis.client()
    assert broker.llen("celery") == 0  # the new Redis is empty: the enqueue at commit was lost
    # The periodic relay (beat's every-minute notifications-deliver-due in each association)
    # sends the delivery for the rows that waited.
    stack.django(RELAY)
    assert broker.llen("celery") >= 1
    assert stack.count("notifications_outboxmessage", "status = 'pending'") == pending

    # All is normal again: sign-in, sessions in the cache, rate limits counted.
    again = stack.browser()
    assert again.login(OWNER_EMAIL, TEST_PASSWORD).status == 302
    assert again.get("/dispatch/").status == 200
    assert owner.get("/dispatch/").status == 200
    assert broker.dbsize() > 0  # the cache is written again
