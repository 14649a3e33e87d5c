"""The key store unreachable (the Vault Transit stand-in stopped, its socket closed): every page
and API call that needs a key answers 503 with a clear page, nothing is half-written, pages that
need no key still serve; the key store back, everything works again without a restart."""

from __future__ import annotations

import time

from tests.factories import TEST_PASSWORD
from tests.outages.stack import CHAIR_EMAIL, OWNER_EMAIL

DELIVER = (
    "import json\n"
    "from django_tenants.utils import schema_context\n"
    "from core.crypto.errors import ProviderUnavailable\n"
    "from tenants.notifications import services\n"
    "with schema_context('{schema}'):\n"
    "    try:\n"
    "        run = services.deliver_pending()\n"
    "        print(json.dumps({{'sent': run.sent, 'failed': run.failed}}))\n"
    "    except ProviderUnavailable:\n"
    "        print(json.dumps({{'unavailable': True}}))\n"
)


def _deliver(stack) -> dict:
    """The notifications' delivery task's body, in a process of the stack (as a worker)."""
    import json

    return json.loads(stack.django(DELIVER.format(schema=stack.facts["schema"])).splitlines()[-1])


def _wait_for_key_cache_to_expire() -> None:
    time.sleep(1.2)  # the stack's key cache keeps unwrapped keys for one second


def test_key_store_down_503_nothing_written_then_back(stack):
    owner = stack.browser()
    assert owner.login(OWNER_EMAIL, TEST_PASSWORD).status == 302
    comments = f"/api/v1/dispatch/requests/{stack.facts['request']}/comments/"
    assert owner.post(comments, data={"text": "До аварии"}).status == 201
    comments_before = stack.count("dispatch_comment")
    audit_before = stack.count("audit_auditentry")
    # The comment told the desk: its email waits in the outbox (no worker runs here).
    waiting = stack.count("notifications_outboxmessage", "status = 'pending'")
    assert waiting >= 1

    stack.keystore.stop()
    try:
        _wait_for_key_cache_to_expire()
        # A page that shows personal data: a clear Russian 503, not a 500.
        # (the request's page: its text is the member's; the list of one's requests shows
        # only numbers, kinds and states, and rightly serves without the key store.)
        page = owner.get(f"/dispatch/requests/{stack.facts['request']}/")
        assert page.status == 503, page.text[:500]
        assert page.headers["Retry-After"]
        assert "Хранилище ключей шифрования" in page.text or "недоступ" in page.text
        # The API: JSON 503.
        listed = owner.get("/api/v1/dispatch/requests/")
        assert listed.status == 503
        assert listed.headers["Content-Type"].startswith("application/json")
        # A write that needs a key: refused, and nothing of it is left.
        written = owner.post(comments, data={"text": "Во время аварии"})
        assert written.status == 503, written.text[:500]
        assert stack.count("dispatch_comment") == comments_before
        assert stack.count("audit_auditentry") == audit_before
        # A sign-in needs the email's blind index and the user's keys: refused cleanly too.
        chair = stack.browser()
        assert chair.get("/accounts/login/").status == 200  # the login page needs no key
        signed_in = chair.post(
            "/accounts/login/", form={"username": CHAIR_EMAIL, "password": TEST_PASSWORD}
        )
        assert signed_in.status == 503, signed_in.text[:500]
        assert "sessionid" not in chair.cookies
        # Pages that need no key still serve.
        public = stack.browser(host=stack.public_host)
        assert public.get("/").status == 200
        assert stack.browser().get("/accounts/password-reset/").status == 200
        # The delivery task cannot open the texts: nothing is sent or failed, the rows wait
        # in the queue with no attempt spent (not left "sending" for the lease to fail them).
        outcome = _deliver(stack)
        assert outcome.get("sent", 0) == 0 and outcome.get("failed", 0) == 0, outcome
        assert stack.count("notifications_outboxmessage", "status = 'pending'") == waiting
        assert stack.count("notifications_outboxmessage", "attempts > 0") == 0
    finally:
        stack.keystore.start()

    _wait_for_key_cache_to_expire()
    assert owner.get("/dispatch/").status == 200
    assert owner.get("/api/v1/dispatch/requests/").status == 200
    assert owner.post(comments, data={"text": "После аварии"}).status == 201
    assert stack.count("dispatch_comment") == comments_before + 1
    chair = stack.browser()
    assert chair.login(CHAIR_EMAIL, TEST_PASSWORD).status == 302
    # The task, run again by its periodic job, sends what waited.
    assert _deliver(stack)["sent"] >= waiting
