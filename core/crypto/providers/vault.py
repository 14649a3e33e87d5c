"""Key provider backed by HashiCorp Vault's Transit secrets engine, through ``hvac``.

One Transit mount (``tszh-transit`` by default) holds an ``aes256-gcm96`` key per owner, named as
in ``core.crypto.naming``. Vault generates the data keys (``datakey/plaintext``) and unwraps them
(``decrypt``); the KEKs never leave Vault. Endpoints used, all under ``/v1/<mount>/``:

=========================================  =====================================================
``POST keys/<name>`` (type=aes256-gcm96)   create_key (idempotent in Vault)
``GET keys/<name>``                        key_exists, latest_version
``LIST keys``                              list_keys (Vault has no server-side prefix filter)
``POST keys/<name>/config``                deletion_allowed=true, just before a destroy
``DELETE keys/<name>``                     destroy_key
``POST keys/<name>/rotate``                rotate_key
``POST datakey/plaintext/<name>``          generate_data_key (bits=256)
``POST decrypt/<name>``                    unwrap
``POST rewrap/<name>``                     rewrap (plaintext never leaves Vault)
=========================================  =====================================================

plus ``GET /v1/sys/health`` and ``GET /v1/auth/token/lookup-self`` for ``check`` and, with
Kubernetes auth, ``POST /v1/auth/<k8s mount>/login``. The Vault policies for the web/worker role
and for the provisioning role are in docs/security.md.

Errors: connection failures, timeouts, 5xx and 429 become ``ProviderUnavailable``; 401/403 become
``ProviderPermissionDenied`` (after one re-login with Kubernetes auth, whose tokens expire);
"key not found" answers become ``KeyNotFound``; other 400s on unwrap/rewrap become
``DecryptionError``. Vault's own error texts are not copied into our messages.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import hvac
import requests
from hvac import exceptions as hvac_exc
from requests.adapters import HTTPAdapter

from core.crypto.errors import (
    ConfigurationError,
    CryptoError,
    DecryptionError,
    KeyNotFound,
    ProviderPermissionDenied,
    ProviderUnavailable,
)
from core.crypto.providers.base import (
    DATA_KEY_BYTES,
    DEFAULT_MAX_WORKERS,
    DataKey,
    KeyProvider,
)

DEFAULT_MOUNT = "tszh-transit"
DEFAULT_K8S_JWT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"
DEFAULT_K8S_AUTH_MOUNT = "kubernetes"
KEY_TYPE = "aes256-gcm96"

T = TypeVar("T")

_UNAVAILABLE = (
    hvac_exc.InternalServerError,
    hvac_exc.VaultDown,
    hvac_exc.BadGateway,
    hvac_exc.RateLimitExceeded,
    hvac_exc.VaultNotInitialized,
    hvac_exc.UnexpectedError,
)
_DENIED = (hvac_exc.Forbidden, hvac_exc.Unauthorized)


class VaultTransitProvider(KeyProvider):
    """Owner keys in Vault Transit; token or Kubernetes auth (see the module docstring)."""

    kind = "vault"

    def __init__(
        self,
        url: str,
        *,
        mount: str = DEFAULT_MOUNT,
        auth: str = "token",
        token: str | None = None,
        k8s_role: str | None = None,
        k8s_jwt_path: str = DEFAULT_K8S_JWT_PATH,
        k8s_auth_mount: str = DEFAULT_K8S_AUTH_MOUNT,
        namespace: str | None = None,
        verify: bool | str = True,
        timeout: float = 5.0,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> None:
        super().__init__(max_workers=max_workers)
        _check_auth_config(url, auth, token, k8s_role)
        self.url = url
        self.mount = mount.strip("/")
        self.auth = auth
        self._k8s_role = k8s_role
        self._k8s_jwt_path = Path(k8s_jwt_path)
        self._k8s_auth_mount = k8s_auth_mount
        self._login_lock = threading.Lock()
        self._client = hvac.Client(
            url=url,
            # "" rather than None: hvac would otherwise pick up VAULT_TOKEN or ~/.vault-token
            token=token if auth == "token" else "",
            verify=verify,
            timeout=timeout,
            namespace=namespace,
            session=_pooled_session(max_workers),
        )

    def __repr__(self) -> str:
        return f"VaultTransitProvider(url={self.url!r}, mount={self.mount!r}, auth={self.auth!r})"

    @property
    def _transit(self) -> Any:
        return self._client.secrets.transit

    # -- KeyProvider API ---------------------------------------------------------------------

    def create_key(self, name: str) -> None:
        name = self._name(name)
        self._call(
            name,
            "create",
            self._transit.create_key,
            name,
            key_type=KEY_TYPE,
            mount_point=self.mount,
        )

    def create_keys(self, names) -> None:
        """One concurrent wave of creations (up to ``max_workers`` in flight), as for unwraps;
        the first error is raised once all have answered (unavailability first)."""
        unique = [self._name(name) for name in dict.fromkeys(names)]
        if len(unique) <= 1:
            for name in unique:
                self.create_key(name)
            return
        executor = self._get_executor()
        futures = [executor.submit(self._create_catching, name) for name in unique]
        _raise_first(future.result() for future in futures)

    def _create_catching(self, name: str) -> CryptoError | None:
        try:
            self.create_key(name)
        except CryptoError as exc:
            return exc
        return None

    def destroy_key(self, name: str) -> None:
        name = self._name(name)
        if not self.key_exists(name):
            return
        try:
            self._call(
                name,
                "configure",
                self._transit.update_key_configuration,
                name,
                deletion_allowed=True,
                mount_point=self.mount,
            )
            self._call(name, "destroy", self._transit.delete_key, name, mount_point=self.mount)
        except KeyNotFound:
            return  # destroyed concurrently: the outcome is the one we wanted

    def key_exists(self, name: str) -> bool:
        name = self._name(name)
        try:
            self._read_key(name)
        except KeyNotFound:
            return False
        return True

    def list_keys(self, prefix: str = "") -> list[str]:
        try:
            response = self._call("", "list", self._transit.list_keys, mount_point=self.mount)
        except KeyNotFound:
            return []  # Vault answers 404 with no errors when the mount holds no keys
        keys = _data(response).get("keys") or []
        return sorted(name for name in keys if name.startswith(prefix))

    def rotate_key(self, name: str) -> int:
        name = self._name(name)
        response = self._call(
            name, "rotate", self._transit.rotate_key, name, mount_point=self.mount
        )
        if isinstance(response, dict) and "latest_version" in response.get("data", {}):
            return int(response["data"]["latest_version"])  # Vault ≥ 1.13 returns the key
        return self.latest_version(name)

    def retire_versions_below(self, name: str, version: int) -> None:
        name = self._name(name)
        if version > self.latest_version(name):
            raise CryptoError("cannot retire the latest key version")
        self._call(
            name,
            "configure",
            self._transit.update_key_configuration,
            name,
            min_decryption_version=version,
            mount_point=self.mount,
        )

    def latest_version(self, name: str) -> int:
        return int(_data(self._read_key(self._name(name)))["latest_version"])

    def generate_data_key(self, name: str) -> DataKey:
        name = self._name(name)
        response = self._call(
            name,
            "datakey",
            self._transit.generate_data_key,
            name,
            key_type="plaintext",
            bits=DATA_KEY_BYTES * 8,
            mount_point=self.mount,
        )
        data = _data(response)
        wrapped = data.get("ciphertext", "")
        self._parse_wrapped(wrapped)
        return DataKey(plaintext=_decode_key(data.get("plaintext")), wrapped=wrapped)

    def generate_data_keys(self, names) -> list[DataKey]:
        """One concurrent wave of ``datakey/plaintext`` calls (each holding has a key of its
        own, and Transit's ``batch_input`` works within one key), results in order."""
        names = list(names)
        if len(names) <= 1:
            return [self.generate_data_key(name) for name in names]
        executor = self._get_executor()
        futures = [executor.submit(self._datakey_catching, name) for name in names]
        outcomes = [future.result() for future in futures]
        _raise_first(outcome for outcome in outcomes if isinstance(outcome, CryptoError))
        return outcomes

    def _datakey_catching(self, name: str) -> DataKey | CryptoError:
        try:
            return self.generate_data_key(name)
        except CryptoError as exc:
            return exc

    def unwrap(self, name: str, wrapped: str) -> bytes:
        name = self._name(name)
        self._parse_wrapped(wrapped)
        response = self._call(
            name,
            "unwrap",
            self._transit.decrypt_data,
            name,
            ciphertext=wrapped,
            mount_point=self.mount,
        )
        return _decode_key(_data(response).get("plaintext"))

    def rewrap(self, name: str, wrapped: str) -> str:
        name = self._name(name)
        self._parse_wrapped(wrapped)
        response = self._call(
            name,
            "rewrap",
            self._transit.rewrap_data,
            name,
            ciphertext=wrapped,
            mount_point=self.mount,
        )
        rewrapped = _data(response).get("ciphertext", "")
        self._parse_wrapped(rewrapped)
        return rewrapped

    def check(self) -> None:
        try:
            health = self._client.sys.read_health_status(method="GET", standby_ok=True)
        except requests.RequestException as exc:
            raise ProviderUnavailable("key provider unreachable") from exc
        if not isinstance(health, dict) or health.get("sealed") or not health.get("initialized"):
            raise ProviderUnavailable("key provider is sealed or not ready")
        self._call("", "lookup-self", self._client.auth.token.lookup_self)

    def close(self) -> None:
        super().close()
        self._client.adapter.close()

    # -- calls and error mapping ---------------------------------------------------------

    def _read_key(self, name: str) -> Any:
        return self._call(name, "read", self._transit.read_key, name, mount_point=self.mount)

    def _call(self, name: str, op: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call hvac, logging in first if needed, and translate its errors to ours.

        With Kubernetes auth a 401/403 triggers one fresh login and retry: service-account
        tokens and Vault tokens expire, and a long-running worker must not turn that into 503s."""
        self._ensure_login()
        try:
            return self._translate(name, op, fn, *args, **kwargs)
        except ProviderPermissionDenied:
            if self.auth != "kubernetes":
                raise
        self._login(force=True)
        return self._translate(name, op, fn, *args, **kwargs)

    @staticmethod
    def _translate(name: str, op: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` and map requests/hvac exceptions to the crypto error hierarchy."""
        try:
            return fn(*args, **kwargs)
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"key provider unreachable during {op}") from exc
        except _DENIED as exc:
            raise ProviderPermissionDenied(f"key provider denied {op}") from exc
        except _UNAVAILABLE as exc:
            raise ProviderUnavailable(f"key provider failed during {op}") from exc
        except hvac_exc.InvalidPath as exc:
            raise _not_found_or_unrouted(name, op, exc) from exc
        except hvac_exc.InvalidRequest as exc:
            raise _classify_bad_request(name, op, exc) from exc
        except hvac_exc.VaultError as exc:
            raise CryptoError(f"key provider rejected {op}") from exc

    def _ensure_login(self) -> None:
        if self.auth == "kubernetes" and not self._client.token:
            self._login(force=False)

    def _login(self, *, force: bool) -> None:
        """Log in with the pod's service-account JWT (Kubernetes auth); thread-safe."""
        if self.auth != "kubernetes":
            return
        with self._login_lock:
            if self._client.token and not force:
                return
            try:
                jwt = self._k8s_jwt_path.read_text().strip()
            except OSError as exc:
                raise ProviderUnavailable("service account token is not readable") from exc
            self._translate(
                "",
                "login",
                self._client.auth.kubernetes.login,
                self._k8s_role,
                jwt,
                mount_point=self._k8s_auth_mount,
            )


# -- helpers -------------------------------------------------------------------------------------


def _check_auth_config(url: str, auth: str, token: str | None, k8s_role: str | None) -> None:
    """Fail at construction, not at the first request, on an incomplete configuration."""
    if not url:
        raise ConfigurationError("VAULT_ADDR is not set")
    if auth == "token" and not token:
        raise ConfigurationError("Vault token auth needs VAULT_TOKEN")
    if auth == "kubernetes" and not k8s_role:
        raise ConfigurationError("Vault Kubernetes auth needs VAULT_K8S_ROLE")
    if auth not in ("token", "kubernetes"):
        raise ConfigurationError("VAULT_AUTH must be 'token' or 'kubernetes'")


def _pooled_session(max_workers: int) -> requests.Session:
    """A session whose connection pool is as large as the unwrap wave, so a wave of concurrent
    decrypts reuses connections instead of opening and discarding them."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max_workers, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _raise_first(outcomes) -> None:
    """Raise the error that matters most: unavailability first (the caller answers 503)."""
    errors = [outcome for outcome in outcomes if outcome is not None]
    for error in errors:
        if isinstance(error, ProviderUnavailable):
            raise error
    if errors:
        raise errors[0]


def _data(response: Any) -> dict[str, Any]:
    """The ``data`` object of a Vault JSON response (hvac returns dicts for 200s)."""
    if not isinstance(response, dict) or not isinstance(response.get("data"), dict):
        raise ProviderUnavailable("key provider returned an unexpected response")
    return response["data"]


def _decode_key(encoded: Any) -> bytes:
    """Base64 plaintext from Vault → the 32-byte data key."""
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise DecryptionError("key provider returned a malformed data key") from None
    if len(key) != DATA_KEY_BYTES:
        raise DecryptionError("key provider returned a data key of the wrong length")
    return key


def _errors_text(exc: hvac_exc.VaultError) -> str:
    errors = exc.errors if isinstance(exc.errors, list) else [exc.errors or ""]
    return " ".join(str(error) for error in errors).lower()


def _not_found_or_unrouted(name: str, op: str, exc: hvac_exc.InvalidPath) -> CryptoError:
    """404: a missing key (``{"errors": []}``), or a missing mount/route, which must not be
    mistaken for "no such key" - destroy and list would then silently do nothing."""
    text = _errors_text(exc)
    if "no handler for route" in text or "unsupported path" in text:
        return ProviderUnavailable(f"transit mount not found during {op}")
    return KeyNotFound(f"key {name} does not exist" if name else "no keys")


def _classify_bad_request(name: str, op: str, exc: hvac_exc.InvalidRequest) -> CryptoError:
    """400: Transit says "encryption key not found" / "no existing key named ... could be found"
    for missing keys; on unwrap/rewrap anything else means the ciphertext is bad."""
    text = _errors_text(exc)
    if "not found" in text or "could be found" in text:
        return KeyNotFound(f"key {name} does not exist")
    if op in ("unwrap", "rewrap"):
        return DecryptionError("wrapped data key does not unwrap with this key")
    return CryptoError(f"key provider rejected {op}")
