"""Helpers of the plans' tests: localstripe and the Checkout stand-in on loopback, Stripe-shaped
events signed with the stripe library's own signing, bank invoices."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import stripe

WEBHOOK_SECRET = "whsec_test_plans_platform"

#: localstripe without its shared /tmp/localstripe.pickle (other test runs use localstripe too).
LOCALSTRIPE = (
    "import sys, localstripe.resources as r\n"
    "r.Store.try_load_from_disk = lambda self: None\n"
    "r.Store.dump_to_disk = lambda self: None\n"
    "from localstripe.server import start\n"
    "sys.argv = ['localstripe', '--port', sys.argv[1], '--from-scratch']\n"
    "start()\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def start_localstripe() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", LOCALSTRIPE, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    return process, f"http://127.0.0.1:{port}"


class CheckoutStandIn(BaseHTTPRequestHandler):
    """Stripe's documented ``POST /v1/checkout/sessions`` (a Checkout Session object with its
    ``url``), and the hosted page at that URL, which sends the payer to ``success_url``."""

    sessions: dict = {}

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        if self.path != "/v1/checkout/sessions":
            return self._json(404, {"error": {"type": "invalid_request_error"}})
        if not self.headers.get("Authorization", "").startswith("Bearer sk_"):
            return self._json(401, {"error": {"type": "authentication_error"}})
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if form.get("mode") not in ("setup", "payment", "subscription") or not form.get(
            "success_url"
        ):
            return self._json(400, {"error": {"type": "invalid_request_error"}})
        session_id = f"cs_test_{uuid.uuid4().hex}"
        host, port = self.server.server_address[:2]
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form["mode"],
            "customer": form.get("customer"),
            "status": "open",
            "success_url": form["success_url"],
            "cancel_url": form.get("cancel_url"),
            "url": f"http://{host}:{port}/c/pay/{session_id}",
            "idempotency_key": self.headers.get("Idempotency-Key"),
        }
        self.sessions[session_id] = session
        return self._json(200, session)

    def do_GET(self):
        session = self.sessions.get(self.path.rsplit("/", 1)[-1])
        if session is None:
            return self._json(404, {})
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(
            f'<html><body><h1>Stripe Checkout (stand-in)</h1><a id="done" '
            f'href="{session["success_url"]}">Save card</a></body></html>'.encode()
        )

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start_checkout_standin() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), CheckoutStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# -- events --------------------------------------------------------------------------------------


def event(event_type: str, obj: dict, *, created: int, event_id: str | None = None) -> dict:
    """An event in Stripe's documented shape (``object: event``, ``data.object``)."""
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }


def subscription_object(
    sub_id: str,
    customer: str,
    status: str,
    *,
    plan: str,
    period_end: int,
    trial_end: int | None = None,
) -> dict:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "trial_end": trial_end,
        "current_period_end": period_end,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{sub_id[-8:]}",
                    "object": "subscription_item",
                    "plan": {"id": plan, "object": "plan", "amount": 149000, "currency": "rub"},
                    "current_period_end": period_end,
                }
            ],
        },
        "metadata": {},
    }


def invoice_object(
    invoice_id: str, customer: str, sub_id: str, *, amount: int, paid: bool, period: tuple[int, int]
) -> dict:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "subscription": sub_id,
        "number": f"TSZH-{invoice_id[-6:]}",
        "status": "paid" if paid else "open",
        "amount_due": amount,
        "amount_paid": amount if paid else 0,
        "currency": "rub",
        "created": period[0],
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice_id}",
        "lines": {
            "object": "list",
            "data": [
                {
                    "object": "line_item",
                    "amount": amount,
                    "period": {"start": period[0], "end": period[1]},
                }
            ],
        },
    }


def signed(payload: dict, secret: str = WEBHOOK_SECRET) -> tuple[str, str]:
    """(body, Stripe-Signature header) signed by the stripe library's own helper."""
    body = json.dumps(payload)
    return body, stripe.WebhookSignature.generate_signature_header(body, secret)


def post_event(client, payload: dict, *, secret: str = WEBHOOK_SECRET):
    body, header = signed(payload, secret)
    return client.post(
        "/billing/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


# -- bank invoices -------------------------------------------------------------------------------


def bank_invoice(association, *, paid: bool = False, plan_code: str = "house"):
    """A счёт of ``association`` on ``plan_code`` (paid: confirmed as an operator would)."""
    from billing.plans import services
    from billing.plans.models import PaymentMethod, Plan

    subscription = services.subscription_for(association)
    subscription.plan = Plan.objects.get(code=plan_code)
    subscription.payment_method = PaymentMethod.INVOICE
    subscription.save()
    invoice = services.issue_bank_invoice(association, subscription=subscription)
    if paid:
        from django.db import transaction

        with transaction.atomic():
            services.confirm_bank_payment(invoice, actor=None)
        invoice.refresh_from_db()
    return invoice
