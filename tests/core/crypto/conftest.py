"""Fixtures for the crypto tests: no Django, no database.

``backend`` is parametrized over every provider the contract suite runs against: the local
provider in a temporary directory, the Vault provider against the loopback stand-in, and the
Vault provider against a real Vault when ``VAULT_ADDR`` and ``VAULT_TOKEN`` are set (in a
throw-away Transit mount when the token may create one, else in ``VAULT_TRANSIT_MOUNT`` under
unique key names; everything created is destroyed afterwards).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.crypto.providers.base import KeyProvider
from core.crypto.providers.local import LocalKeyProvider
from core.crypto.providers.vault import VaultTransitProvider
from tests.core.crypto.vault_standin import VaultStandIn

REAL_VAULT = bool(os.environ.get("VAULT_ADDR") and os.environ.get("VAULT_TOKEN"))


@dataclass
class Backend:
    """A provider under test plus a way to make its backend unreachable."""

    id: str
    provider: KeyProvider
    make_unavailable: Callable[[], KeyProvider]
    standin: VaultStandIn | None = None


@pytest.fixture
def master_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def local_provider(key_dir: Path, master_key: bytes) -> Iterator[LocalKeyProvider]:
    provider = LocalKeyProvider(key_dir, master_key)
    yield provider
    provider.close()


@pytest.fixture
def standin() -> Iterator[VaultStandIn]:
    with VaultStandIn() as server:
        yield server


@pytest.fixture
def schema() -> str:
    """A unique association schema name per test, so real-Vault runs never collide."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def real_vault_mount() -> Iterator[str]:
    """A throw-away Transit mount on the real Vault, or the configured one if we may not mount."""
    import hvac

    client = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])
    mount = f"tszh-test-{secrets.token_hex(4)}"
    try:
        client.sys.enable_secrets_engine("transit", path=mount)
    except hvac.exceptions.VaultError:  # typically 403: fall back to the configured mount
        yield os.environ.get("VAULT_TRANSIT_MOUNT", "tszh-transit")
        return
    try:
        yield mount
    finally:
        client.sys.disable_secrets_engine(path=mount)


def _free_closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _local_backend(key_dir: Path, master_key: bytes) -> Backend:
    provider = LocalKeyProvider(key_dir, master_key)

    def make_unavailable() -> KeyProvider:
        shutil.move(key_dir, key_dir.with_name("keys-unmounted"))  # the volume went away
        return provider

    return Backend("local", provider, make_unavailable)


def _standin_backend(server: VaultStandIn) -> Backend:
    provider = VaultTransitProvider(server.url, token=server.root_token)

    def make_unavailable() -> KeyProvider:
        server.down = True
        return provider

    return Backend("vault-standin", provider, make_unavailable, standin=server)


def _real_vault_backend(mount: str) -> Backend:
    provider = VaultTransitProvider(
        os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"], mount=mount
    )

    def make_unavailable() -> KeyProvider:
        return VaultTransitProvider(
            f"http://127.0.0.1:{_free_closed_port()}", token="unused", timeout=2
        )

    return Backend("vault-real", provider, make_unavailable)


@pytest.fixture(
    params=[
        "local",
        "vault-standin",
        pytest.param(
            "vault-real",
            marks=pytest.mark.skipif(not REAL_VAULT, reason="VAULT_ADDR/VAULT_TOKEN not set"),
        ),
    ]
)
def backend(
    request: pytest.FixtureRequest, key_dir: Path, master_key: bytes, schema: str
) -> Iterator[Backend]:
    if request.param == "local":
        backend = _local_backend(key_dir, master_key)
    elif request.param == "vault-standin":
        backend = _standin_backend(request.getfixturevalue("standin"))
    else:
        backend = _real_vault_backend(request.getfixturevalue("real_vault_mount"))
    yield backend
    if backend.standin is not None:
        backend.standin.down = False
    if key_dir.is_dir() or backend.id != "local":
        for name in (schema, f"{schema}x"):
            backend.provider.destroy_association_keys(name)
    backend.provider.close()
