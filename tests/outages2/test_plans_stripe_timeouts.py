"""The platform's own Stripe (billing/plans, against localstripe on loopback) timing out or
dropping the connection: the library retries with backoff under the call's deterministic
Idempotency-Key and Stripe makes one customer and one subscription.

localstripe does not replay idempotent requests, so the proxy in front of it does what Stripe
documents: the first answer to a key is kept and given again to a request with the same key."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from billing.plans import gateway, selectors

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("outages2")]

TIMEOUT = 1.0
SLOW = 2.0


class FaultyProxy:
    """Forwards to localstripe; for the next POSTs named in ``faults`` it answers too late
    (``slow``) or drops the connection (``drop``), after localstripe did the work."""

    def __init__(self, upstream: str):
        proxy = self
        self.upstream = upstream
        #: ``(path prefix, "slow" | "drop")``: the next POST to that path fails so.
        self.faults: list[tuple[str, str]] = []
        self.posts: list[tuple[str, str]] = []
        self.replayed: dict[str, tuple[int, bytes]] = {}
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def _relay(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                key = self.headers.get("Idempotency-Key", "")
                with proxy.lock:
                    if method == "POST":
                        proxy.posts.append((self.path, key))
                    kept = proxy.replayed.get(key) if method == "POST" and key else None
                    fault = None
                    for index, (prefix, kind) in enumerate(proxy.faults):
                        if method == "POST" and self.path.startswith(prefix):
                            fault = kind
                            del proxy.faults[index]
                            break
                if kept is not None:
                    status, data = kept
                else:
                    request = urllib.request.Request(
                        proxy.upstream + self.path, data=body, method=method
                    )
                    for name in ("Authorization", "Content-Type", "Stripe-Version"):
                        if self.headers.get(name):
                            request.add_header(name, self.headers[name])
                    try:
                        with urllib.request.urlopen(request, timeout=10) as answer:
                            status, data = answer.status, answer.read()
                    except urllib.error.HTTPError as error:
                        status, data = error.code, error.read()
                    if method == "POST" and key:
                        with proxy.lock:
                            proxy.replayed[key] = (status, data)
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault == "slow":
                    time.sleep(SLOW)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._relay("GET")

            def do_POST(self):
                self._relay("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxied_stripe(settings, localstripe):
    proxy = FaultyProxy(localstripe)
    settings.STRIPE_SECRET_KEY = "sk_test_plans"
    settings.STRIPE_API_BASE = proxy.url
    settings.TSZH_PAYMENTS_TIMEOUT = TIMEOUT
    yield proxy
    proxy.close()


def test_plan_customer_and_subscription_once_whatever_the_lost_answers(
    alpha, proxied_stripe, localstripe
):
    remote = stripe.StripeClient("sk_test_plans", base_addresses={"api": localstripe})

    def customers_of_alpha() -> int:
        listed = remote.v1.customers.list({"limit": 100}).data
        return sum(
            1
            for c in listed
            if (c.to_dict().get("metadata") or {}).get("association") == str(alpha.pk)
        )

    before = customers_of_alpha()
    # The first create is done, its answer lost, twice over.
    proxied_stripe.faults = [("/v1/customers", "slow"), ("/v1/customers", "drop")]
    started = time.monotonic()
    customer = gateway.create_customer(alpha)
    assert time.monotonic() - started >= TIMEOUT, "it waited, then retried"
    customers = [path for path, _key in proxied_stripe.posts if path.startswith("/v1/customers")]
    assert len(customers) == 3
    assert {key for path, key in proxied_stripe.posts} == {f"plans-customer-{alpha.pk}"}
    assert customers_of_alpha() == before + 1, "one customer at Stripe"

    proxied_stripe.faults = [("/v1/subscriptions", "slow")]
    house = selectors.plan_by_code("house")
    found = gateway.create_subscription(
        customer_id=customer, plan=house, association_id=alpha.pk, revision=7, trial_days=30
    )
    subscriptions = remote.v1.subscriptions.list({"customer": customer}).data
    assert [s.id for s in subscriptions] == [found.id], "one subscription, one charge"
    keys = [key for path, key in proxied_stripe.posts if path.startswith("/v1/subscriptions")]
    assert keys == [f"plans-subscription-{alpha.pk}-7"] * 2
