"""Stand-ins on loopback for the payment providers' published APIs (no network here).

* ``StripeStandIn``: the part of Stripe's API the Connect gateway calls — Checkout Sessions
  created on a connected account (``Stripe-Account`` header) whose PaymentIntent carries
  ``application_fee_amount``; PaymentIntents read, listed and cancelled; Refunds — with
  ``Idempotency-Key`` replays as Stripe documents them (the same key answers the first
  response again). localstripe has no Connect, hence this.
* ``TBankStandIn``: T-Bank Internet Acquiring v2 — ``Init``, ``GetQr``, ``GetState``,
  ``Cancel`` with the ``Token`` checked on every request as the bank does, ``OrderId`` unique
  per terminal, and signed notifications (``notification``).

Both run a ``ThreadingHTTPServer`` on 127.0.0.1 and a free port; ``.complete(ref)`` (and
friends) play the payer's part.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from billing.payments.providers.tbank import token

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_{int(time.time())}{next(_ids):06d}"


class _Server:
    def __init__(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                return

            def _answer(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                status, body = standin.handle("GET", self.path, self.headers, b"")
                self._answer(status, body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                status, body = standin.handle(
                    "POST", self.path, self.headers, self.rfile.read(length)
                )
                self._answer(status, body)

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.calls: list[tuple[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# -- Stripe ---------------------------------------------------------------------------------------


#: The platform's own Connect calls (no ``Stripe-Account`` header): onboarding.
PLATFORM_PATHS = ("/v1/accounts", "/v1/account_links")


def _form(body: bytes) -> dict:
    return dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))


class StripeStandIn(_Server):
    API_KEY = "sk_test_standin"

    def __init__(self, accounts=("acct_standin",)):
        self.accounts = set(accounts)
        self.intents: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.replays: dict[tuple, tuple] = {}
        #: Connected accounts made through ``POST /v1/accounts`` (Connect onboarding).
        self.made_accounts: dict[str, dict] = {}
        self.links: list[dict] = []
        super().__init__()

    def _error(self, status, message, kind="invalid_request_error"):
        return status, {"error": {"type": kind, "message": message}}

    def handle(self, method, path, headers, body):
        with self.lock:
            self.calls.append((method, path))
            if headers.get("Authorization") != f"Bearer {self.API_KEY}":
                return self._error(401, "Invalid API Key provided", "authentication_error")
            account = headers.get("Stripe-Account", "")
            platform_call = urllib.parse.urlsplit(path).path in PLATFORM_PATHS
            if account not in self.accounts and not (platform_call and not account):
                return self._error(403, "No such connected account (Stripe-Account).")
            key = headers.get("Idempotency-Key")
            if method == "POST" and key:
                found = self.replays.get((account, key))
                if found is not None:
                    if found[0] != (path, body):
                        return self._error(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                            "idempotency_error",
                        )
                    return found[1]
            parsed = urllib.parse.urlsplit(path)
            answer = self._route(
                method,
                parsed.path,
                urllib.parse.parse_qs(parsed.query),
                _form(body) if body else {},
                account,
            )
            if method == "POST" and key and answer[0] == 200:
                self.replays[(account, key)] = ((path, body), answer)
            return answer

    def _intent_view(self, intent, expand_charge=False):
        view = dict(intent)
        if expand_charge:
            view["latest_charge"] = {
                "id": intent["charge_id"],
                "object": "charge",
                "amount_refunded": intent["amount_refunded"],
            }
        else:
            view["latest_charge"] = intent["charge_id"]
        return view

    def _route(self, method, path, query, form, account):
        if method == "POST" and path == "/v1/accounts":
            if form.get("type") not in ("express", "standard", "custom"):
                return self._error(400, "Invalid type: must be one of custom, express, standard")
            made = {
                "id": _id("acct"),
                "object": "account",
                "type": form["type"],
                "country": form.get("country", "US"),
                "charges_enabled": False,
                "details_submitted": False,
                "payouts_enabled": False,
                "metadata": {
                    k.split("[")[-1].rstrip("]"): v
                    for k, v in form.items()
                    if k.startswith("metadata[")
                },
                "created": int(time.time()),
            }
            self.made_accounts[made["id"]] = made
            self.accounts.add(made["id"])
            return 200, made
        if method == "POST" and path == "/v1/account_links":
            if form.get("account") not in self.made_accounts:
                return self._error(400, "No such account")
            if form.get("type") not in ("account_onboarding", "account_update"):
                return self._error(400, "Invalid type")
            for name in ("refresh_url", "return_url"):
                if not form.get(name):
                    return self._error(400, f"Missing required param: {name}.")
            link = {
                "object": "account_link",
                "created": int(time.time()),
                "expires_at": int(time.time()) + 300,
                "url": f"{self.url}/setup/e/{form['account']}/{len(self.links) + 1}",
                "return_url": form["return_url"],
                "refresh_url": form["refresh_url"],
            }
            self.links.append(link)
            return 200, link
        if method == "POST" and path == "/v1/checkout/sessions":
            if form.get("mode") != "payment":
                return self._error(400, "mode must be payment")
            amount = int(form["line_items[0][price_data][unit_amount]"])
            fee = int(form.get("payment_intent_data[application_fee_amount]", "0"))
            if amount <= 0:
                return self._error(400, "Amount must be positive")
            intent = {
                "id": _id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": 0,
                "currency": form["line_items[0][price_data][currency]"],
                "status": "requires_payment_method",
                "application_fee_amount": fee,
                "metadata": {
                    k.split("[")[-1].rstrip("]"): v
                    for k, v in form.items()
                    if k.startswith("payment_intent_data[metadata]")
                },
                "created": int(time.time()),
                "charge_id": _id("ch"),
                "amount_refunded": 0,
                "account": account,
            }
            self.intents[intent["id"]] = intent
            session = {
                "id": _id("cs"),
                "object": "checkout.session",
                "mode": "payment",
                "payment_intent": intent["id"],
                "url": f"{self.url}/pay/{intent['id']}",
                "metadata": {"tszh_payment": form.get("metadata[tszh_payment]", "")},
                "success_url": form.get("success_url"),
                "account": account,
            }
            self.sessions[session["id"]] = session
            return 200, session
        if path.startswith("/v1/payment_intents"):
            parts = path.strip("/").split("/")
            if method == "GET" and len(parts) == 2:
                created_gte = int(query.get("created[gte]", ["0"])[0])
                created_lt = int(query.get("created[lt]", [str(2**40)])[0])
                expand = "data.latest_charge" in query.get("expand[0]", [])
                data = [
                    self._intent_view(i, expand)
                    for i in self.intents.values()
                    if i["account"] == account and created_gte <= i["created"] < created_lt
                ]
                return 200, {
                    "object": "list",
                    "data": data,
                    "has_more": False,
                    "url": "/v1/payment_intents",
                }
            intent = self.intents.get(parts[2])
            if intent is None or intent["account"] != account:
                return self._error(404, "No such payment_intent")
            if method == "GET":
                expand = "latest_charge" in query.get("expand[0]", [])
                return 200, self._intent_view(intent, expand)
            if method == "POST" and parts[-1] == "cancel":
                if intent["status"] == "succeeded":
                    return self._error(400, "You cannot cancel this PaymentIntent")
                intent["status"] = "canceled"
                return 200, self._intent_view(intent)
        if method == "POST" and path == "/v1/refunds":
            intent = self.intents.get(form.get("payment_intent", ""))
            if intent is None or intent["account"] != account:
                return self._error(404, "No such payment_intent")
            amount = int(form.get("amount") or intent["amount_received"])
            if (
                intent["status"] != "succeeded"
                or intent["amount_refunded"] + amount > intent["amount_received"]
            ):
                return self._error(400, "Refund amount is greater than unrefunded amount")
            intent["amount_refunded"] += amount
            refund = {
                "id": _id("re"),
                "object": "refund",
                "amount": amount,
                "payment_intent": intent["id"],
                "status": "succeeded",
                "metadata": intent["metadata"],
            }
            self.refunds[refund["id"]] = refund
            return 200, refund
        return self._error(404, f"Unrecognized request URL ({method} {path})")

    # the payer's part
    def complete(self, ref: str) -> dict:
        with self.lock:
            intent = self.intents[ref]
            intent["status"] = "succeeded"
            intent["amount_received"] = intent["amount"]
            return dict(intent)

    def finish_onboarding(self, account: str, *, enabled: bool = True, event_id=None) -> dict:
        """The association's form is filled in and Stripe checked it: ``account.updated``."""
        with self.lock:
            made = self.made_accounts[account]
            made.update(charges_enabled=enabled, details_submitted=True, payouts_enabled=enabled)
            return {
                "id": event_id or _id("evt"),
                "object": "event",
                "type": "account.updated",
                "account": account,
                "api_version": "2024-06-20",
                "created": int(time.time()),
                "data": {"object": dict(made)},
            }

    def intent_event(self, ref: str, kind: str = "payment_intent.succeeded", event_id=None) -> dict:
        intent = self.intents[ref]
        obj = {k: v for k, v in intent.items() if k not in ("charge_id", "account")}
        return {
            "id": event_id or _id("evt"),
            "object": "event",
            "type": kind,
            "account": intent["account"],
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {"object": obj},
        }


# -- T-Bank ---------------------------------------------------------------------------------------


class TBankStandIn(_Server):
    def __init__(self, terminal_key="TinkoffBankTest", password="standin-password"):
        self.terminal_key = terminal_key
        self.password = password
        self.payments: dict[str, dict] = {}
        self.orders: dict[str, str] = {}
        self.cancels: dict[str, dict] = {}
        super().__init__()

    def _fail(self, code, message):
        return 200, {
            "Success": False,
            "ErrorCode": str(code),
            "Message": message,
            "TerminalKey": self.terminal_key,
        }

    def handle(self, method, path, headers, body):
        with self.lock:
            self.calls.append((method, path))
            if method != "POST":
                return 405, {"Success": False}
            try:
                params = json.loads(body)
            except ValueError:
                return self._fail(9999, "Неверный формат запроса")
            if params.get("TerminalKey") != self.terminal_key:
                return self._fail(202, "Терминал не найден")
            if params.get("Token") != token(params, self.password):
                return self._fail(204, "Неверный токен. Проверьте пару TerminalKey/SecretKey.")
            name = path.rstrip("/").rsplit("/", 1)[-1]
            return getattr(self, f"_{name}", lambda p: self._fail(9999, "Unknown method"))(params)

    def _base(self, payment):
        return {
            "Success": True,
            "ErrorCode": "0",
            "TerminalKey": self.terminal_key,
            "Status": payment["Status"],
            "PaymentId": payment["PaymentId"],
            "OrderId": payment["OrderId"],
            "Amount": payment["Amount"],
        }

    def _Init(self, params):
        amount = int(params.get("Amount", 0))
        if amount <= 0:
            return self._fail(9999, "Неверная сумма")
        order = str(params.get("OrderId", ""))
        if order in self.orders:
            existing = self.payments[self.orders[order]]
            if existing["Amount"] != amount:
                return self._fail(8, "Заказ с таким OrderId уже существует")
            return 200, {**self._base(existing), "PaymentURL": existing["PaymentURL"]}
        ref = str(next(_ids) + 3_000_000_000)
        payment = {
            "PaymentId": ref,
            "OrderId": order,
            "Amount": amount,
            "Status": "NEW",
            "PaymentURL": f"{self.url}/new/{ref}",
            "Refunded": 0,
            "NotificationURL": params.get("NotificationURL", ""),
        }
        self.payments[ref] = payment
        self.orders[order] = ref
        return 200, {**self._base(payment), "PaymentURL": payment["PaymentURL"]}

    def _GetQr(self, params):
        payment = self.payments.get(str(params.get("PaymentId")))
        if payment is None:
            return self._fail(7, "Платёж не найден")
        payment["Status"] = "FORM_SHOWED"
        return 200, {
            "Success": True,
            "ErrorCode": "0",
            "TerminalKey": self.terminal_key,
            "OrderId": payment["OrderId"],
            "PaymentId": payment["PaymentId"],
            "Data": f"https://qr.nspk.ru/AS10STANDIN{payment['PaymentId']}?type=02",
        }

    def _GetState(self, params):
        payment = self.payments.get(str(params.get("PaymentId")))
        if payment is None:
            return self._fail(7, "Платёж не найден")
        return 200, self._base(payment)

    def _Cancel(self, params):
        payment = self.payments.get(str(params.get("PaymentId")))
        if payment is None:
            return self._fail(7, "Платёж не найден")
        request_id = params.get("ExternalRequestId")
        if request_id and request_id in self.cancels:
            return 200, self.cancels[request_id]
        amount = int(params.get("Amount") or payment["Amount"] - payment["Refunded"])
        original = payment["Status"]
        if payment["Status"] in ("NEW", "FORM_SHOWED"):
            payment["Status"] = "CANCELED"
        elif payment["Status"] in ("CONFIRMED", "PARTIAL_REFUNDED"):
            if payment["Refunded"] + amount > payment["Amount"]:
                return self._fail(9999, "Сумма возврата больше суммы платежа")
            payment["Refunded"] += amount
            payment["Status"] = (
                "REFUNDED" if payment["Refunded"] == payment["Amount"] else "PARTIAL_REFUNDED"
            )
        else:
            return self._fail(9999, "Неверный статус платежа")
        answer = {
            **self._base(payment),
            "OriginalAmount": payment["Amount"],
            "NewAmount": payment["Amount"] - payment["Refunded"],
            "OriginalStatus": original,
        }
        if request_id:
            self.cancels[request_id] = answer
        return 200, answer

    # the payer's part
    def set_status(self, ref: str, status: str) -> None:
        with self.lock:
            self.payments[ref]["Status"] = status

    def notification(
        self, ref: str, status: str = "CONFIRMED", *, amount=None, terminal=None, password=None
    ) -> dict:
        """A notification as the bank sends it (signed with the terminal's password)."""
        payment = self.payments[ref]
        data = {
            "TerminalKey": terminal or self.terminal_key,
            "OrderId": payment["OrderId"],
            "Success": status not in ("REJECTED", "AUTH_FAIL"),
            "Status": status,
            "PaymentId": int(ref),
            "ErrorCode": "0" if status not in ("REJECTED",) else "1051",
            "Amount": payment["Amount"] if amount is None else amount,
            "CardId": 322264,
            "Pan": "430000******0777",
            "ExpDate": "1122",
        }
        data["Token"] = token(data, password or self.password)
        return data
