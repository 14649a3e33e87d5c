"""An HTTP stand-in for the parts of Vault's API that ``VaultTransitProvider`` uses.

Vault cannot be installed on the CI machines, so the provider contract suite runs against this
server on loopback. It follows Vault's documented request and response shapes for exactly the
endpoints the provider calls (JSON ``{"data": {...}}`` envelopes, ``{"errors": [...]}`` on
failure, ``vault:v<N>:<base64(nonce || ciphertext+tag)>`` ciphertexts, ``X-Vault-Token``
checks), with real AES-256-GCM inside, so a wrong key or a tampered ciphertext really fails:

* ``GET  /v1/sys/health``                       (no token)
* ``POST /v1/auth/<k8s mount>/login``            (no token) role + jwt → ``auth.client_token``
* ``GET  /v1/auth/token/lookup-self``
* ``POST|GET|DELETE /v1/<mount>/keys/<name>``    create (204) / read / delete (needs
  ``deletion_allowed``)
* ``LIST /v1/<mount>/keys`` (or ``GET ?list=true``); 404 ``{"errors": []}`` when empty
* ``POST /v1/<mount>/keys/<name>/config``, ``/rotate``
* ``POST /v1/<mount>/datakey/<plaintext|wrapped>/<name>``, ``/decrypt/<name>``,
  ``/rewrap/<name>``

Error statuses follow Vault's behaviour: a missing key is 404 ``{"errors": []}`` on read and 400
``{"errors": ["encryption key not found"]}`` on datakey/decrypt/rewrap; a bad ciphertext is 400;
a bad token 403 ``permission denied``; a sealed Vault 503; an unknown mount 404 "no handler for
route". Switches: ``down`` (connections are dropped unanswered, as when Vault is unreachable),
``sealed`` (503), ``latency`` (seconds added to each request, to observe concurrency).
Counters: ``max_in_flight``, ``calls`` (method and endpoint kind, never bodies with keys).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NAME_RE = re.compile(r"\w(?:[\w.-]*\w)?")
_CIPHERTEXT_RE = re.compile(r"vault:v(\d+):(.+)")


class VaultApiError(Exception):
    """An error answer: HTTP status and Vault's ``errors`` list."""

    def __init__(self, status: int, *errors: str) -> None:
        super().__init__(status, errors)
        self.status = status
        self.errors = list(errors)


@dataclass
class TransitKey:
    """One named Transit key: versions of 256-bit AES keys and its config."""

    versions: dict[int, bytes] = field(default_factory=lambda: {1: secrets.token_bytes(32)})
    created: dict[int, int] = field(default_factory=lambda: {1: int(time.time())})
    deletion_allowed: bool = False
    min_decryption_version: int = 1

    @property
    def latest(self) -> int:
        return max(self.versions)

    def rotate(self) -> None:
        version = self.latest + 1
        self.versions[version] = secrets.token_bytes(32)
        self.created[version] = int(time.time())

    def encrypt(self, plaintext: bytes) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.versions[self.latest]).encrypt(nonce, plaintext, None)
        return f"vault:v{self.latest}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, ciphertext: Any) -> bytes:
        match = _CIPHERTEXT_RE.fullmatch(ciphertext) if isinstance(ciphertext, str) else None
        if match is None:
            raise VaultApiError(400, "invalid ciphertext: no prefix")
        version = int(match.group(1))
        if version not in self.versions or version < self.min_decryption_version:
            raise VaultApiError(400, "invalid key version")
        try:
            raw = base64.b64decode(match.group(2), validate=True)
            return AESGCM(self.versions[version]).decrypt(raw[:12], raw[12:], None)
        except (binascii.Error, ValueError):
            raise VaultApiError(400, "invalid ciphertext: could not decode base64") from None
        except InvalidTag:
            raise VaultApiError(400, "cipher: message authentication failed") from None

    def describe(self, name: str) -> dict[str, Any]:
        """The ``data`` of ``GET keys/<name>`` as documented (key times, never key bytes)."""
        return {
            "name": name,
            "type": "aes256-gcm96",
            "deletion_allowed": self.deletion_allowed,
            "derived": False,
            "exportable": False,
            "allow_plaintext_backup": False,
            "keys": {str(v): t for v, t in self.created.items()},
            "latest_version": self.latest,
            "min_available_version": 0,
            "min_decryption_version": self.min_decryption_version,
            "min_encryption_version": 0,
            "supports_encryption": True,
            "supports_decryption": True,
            "supports_derivation": True,
            "supports_signing": False,
        }


class VaultStandIn:
    """The server; use as a context manager or call ``start``/``stop``."""

    def __init__(
        self,
        token: str = "standin-root-token",
        *,
        mounts: tuple[str, ...] = ("tszh-transit",),
        k8s_mount: str = "kubernetes",
        k8s_role: str = "tszh-web",
        k8s_jwt: str = "service-account-jwt",
    ) -> None:
        self.root_token = token
        self.tokens: set[str] = {token}
        self.mounts: dict[str, dict[str, TransitKey]] = {mount: {} for mount in mounts}
        self.k8s_mount, self.k8s_role, self.k8s_jwt = k8s_mount, k8s_role, k8s_jwt
        self.down = False
        self.sealed = False
        self.latency = 0.0
        self.calls: list[tuple[str, str]] = []
        self.bodies: list[tuple[str, dict[str, Any]]] = []  # (kind, body) for shape checks
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "stand-in not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> VaultStandIn:
        """Listen on ``port`` (0: any free one); after ``stop()`` a restart on the same port
        serves the same keys (the outage tests stop and start the key store)."""
        server = _Server(("127.0.0.1", port), _Handler)
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> VaultStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset_counters(self) -> None:
        with self._lock:
            self.calls.clear()
            self.bodies.clear()
            self.max_in_flight = 0

    def revoke_tokens(self) -> None:
        """Invalidate every token but the root token (simulates expiry of login tokens)."""
        with self._lock:
            self.tokens = {self.root_token}

    def count(self, kind: str) -> int:
        return sum(1 for _, call_kind in self.calls if call_kind == kind)

    # -- request handling (called from handler threads) -------------------------------------

    def handle(self, method: str, path: str, token: str | None, body: dict[str, Any]) -> Any:
        """Dispatch one request; returns (status, json or None). Raises VaultApiError."""
        parts = urlsplit(path)
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] != ["v1"]:
            raise VaultApiError(404, "unsupported path")
        segments = segments[1:]
        query = parse_qs(parts.query)
        if method == "GET" and query.get("list") == ["true"]:
            method = "LIST"
        if segments == ["sys", "health"]:
            return self._health()
        if self.sealed:
            raise VaultApiError(503, "Vault is sealed")
        if segments == ["auth", self.k8s_mount, "login"] and method == "POST":
            return self._k8s_login(body)
        with self._lock:
            authorised = token in self.tokens
        if not authorised:
            raise VaultApiError(403, "permission denied")
        if segments == ["auth", "token", "lookup-self"] and method == "GET":
            self._record(method, "lookup-self", body)
            return 200, {"data": {"id": token, "policies": ["default"], "ttl": 0}}
        return self._transit(method, segments, body)

    def _record(self, method: str, kind: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append((method, kind))
            self.bodies.append((kind, {k: v for k, v in body.items() if k != "ciphertext"}))

    def _health(self) -> tuple[int, dict[str, Any]]:
        status = 503 if self.sealed else 200
        return status, {
            "initialized": True,
            "sealed": self.sealed,
            "standby": False,
            "version": "1.17.0-standin",
            "server_time_utc": int(time.time()),
        }

    def _k8s_login(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self._record("POST", "login", {"role": body.get("role")})
        if body.get("role") != self.k8s_role:
            raise VaultApiError(400, "invalid role name")
        if body.get("jwt") != self.k8s_jwt:
            raise VaultApiError(403, "permission denied")
        token = f"hvs.standin-{secrets.token_hex(8)}"
        with self._lock:
            self.tokens.add(token)
        auth = {
            "client_token": token,
            "accessor": secrets.token_hex(8),
            "policies": ["default", "tszh-web"],
            "lease_duration": 3600,
            "renewable": True,
        }
        return 200, {"auth": auth, "data": None}

    def _transit(self, method: str, segments: list[str], body: dict[str, Any]) -> Any:
        mount, rest = (segments[0], segments[1:]) if segments else ("", [])
        keys = self.mounts.get(mount)
        if keys is None:
            route = "/".join(rest)
            raise VaultApiError(
                404, f"no handler for route '{mount}/{route}'. route entry not found."
            )
        if rest == ["keys"] and method == "LIST":
            self._record(method, "list", body)
            with self._lock:
                names = sorted(keys)
            if not names:
                raise VaultApiError(404)
            return 200, {"data": {"keys": names}}
        kind, name = _route(method, rest)
        if kind is None or not _NAME_RE.fullmatch(name):
            raise VaultApiError(404, "unsupported path")
        self._record(method, kind, body)
        with self._lock:  # one big lock: simple; the latency sleep happens outside it
            return self._transit_locked(kind, name, rest, body, keys)

    def _transit_locked(
        self,
        kind: str,
        name: str,
        rest: list[str],
        body: dict[str, Any],
        keys: dict[str, TransitKey],
    ) -> Any:
        if kind in ("create", "read", "delete", "config", "rotate"):
            return self._keys_endpoint(kind, name, body, keys)
        if kind == "datakey":
            return self._datakey(rest[1], name, body, keys)
        key = _existing(keys, name, "encryption key not found")
        if kind == "decrypt":
            plaintext = key.decrypt(body.get("ciphertext"))
            return 200, {"data": {"plaintext": base64.b64encode(plaintext).decode()}}
        ciphertext = key.encrypt(key.decrypt(body.get("ciphertext")))  # rewrap
        return 200, {"data": {"ciphertext": ciphertext, "key_version": key.latest}}

    def _keys_endpoint(
        self, kind: str, name: str, body: dict[str, Any], keys: dict[str, TransitKey]
    ) -> Any:
        if kind == "create":
            if body.get("type", "aes256-gcm96") != "aes256-gcm96":
                raise VaultApiError(400, "unsupported key type for this stand-in")
            keys.setdefault(name, TransitKey())
            return 204, None
        if kind == "read":
            if name not in keys:
                raise VaultApiError(404)
            return 200, {"data": keys[name].describe(name)}
        if kind == "delete":
            key = _existing(
                keys, name, f"error deleting policy {name}: could not delete key; not found"
            )
            if not key.deletion_allowed:
                raise VaultApiError(
                    400, f"error deleting policy {name}: deletion is not allowed for this policy"
                )
            del keys[name]
            return 204, None
        if kind == "config":
            key = _existing(keys, name, f"no existing key named {name} could be found")
            if "deletion_allowed" in body:
                key.deletion_allowed = bool(body["deletion_allowed"])
            if "min_decryption_version" in body:
                key.min_decryption_version = int(body["min_decryption_version"])
            return 204, None
        _existing(keys, name, "key not found").rotate()
        return 204, None

    def _datakey(
        self,
        plaintext_or_wrapped: str,
        name: str,
        body: dict[str, Any],
        keys: dict[str, TransitKey],
    ) -> Any:
        bits = int(body.get("bits", 256))
        if bits not in (128, 256, 512):
            raise VaultApiError(400, "invalid bits value")
        key = _existing(keys, name, "encryption key not found")
        data_key = secrets.token_bytes(bits // 8)
        data: dict[str, Any] = {"ciphertext": key.encrypt(data_key), "key_version": key.latest}
        if plaintext_or_wrapped == "plaintext":
            data["plaintext"] = base64.b64encode(data_key).decode()
        return 200, {"data": data}

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


def _route(method: str, rest: list[str]) -> tuple[str | None, str]:
    """(endpoint kind, key name) of a Transit path below the mount; kind None if unsupported."""
    routes: dict[tuple[str, int, str], str] = {
        ("POST", 2, "keys"): "create",
        ("GET", 2, "keys"): "read",
        ("DELETE", 2, "keys"): "delete",
        ("POST", 3, "datakey"): "datakey",
        ("POST", 2, "decrypt"): "decrypt",
        ("POST", 2, "rewrap"): "rewrap",
    }
    if (
        len(rest) == 3
        and rest[0] == "keys"
        and method == "POST"
        and rest[2] in ("config", "rotate")
    ):
        return rest[2], rest[1]
    if not rest:
        return None, ""
    kind = routes.get((method, len(rest), rest[0]))
    if kind == "datakey" and rest[1] not in ("plaintext", "wrapped"):
        return None, ""
    return kind, rest[-1] if kind else ""


def _existing(keys: dict[str, TransitKey], name: str, message: str) -> TransitKey:
    if name not in keys:
        raise VaultApiError(400, message)
    return keys[name]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs when a wave opens many connections at once, and the
    # client's 1 s SYN retry then looks like a sequential provider.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Vault; requests reuses pooled connections
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # send headers and body in one segment (no Nagle/delayed-ACK stalls)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def do_LIST(self) -> None:  # noqa: N802
        self._serve("LIST")

    def _serve(self, method: str) -> None:
        standin: VaultStandIn = self.server.standin  # type: ignore[attr-defined]
        if standin.down:
            self.close_connection = True  # drop the connection unanswered, like a dead host
            return
        standin.enter()
        try:
            if standin.latency:
                time.sleep(standin.latency)
            status, payload = self._dispatch(standin, method)
        finally:
            standin.leave()
        self._respond(status, payload)

    def _dispatch(self, standin: VaultStandIn, method: str) -> tuple[int, Any]:
        try:
            body = self._read_json()
            return standin.handle(method, self.path, self.headers.get("X-Vault-Token"), body)
        except VaultApiError as exc:
            return exc.status, {"errors": exc.errors}

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise VaultApiError(400, "failed to parse JSON input") from None
        return body if isinstance(body, dict) else {}

    def _respond(self, status: int, payload: Any) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
