"""Vault-specific behaviour, against the loopback stand-in: request shapes, auth, error mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.crypto.errors import (
    ConfigurationError,
    KeyNotFound,
    ProviderPermissionDenied,
    ProviderUnavailable,
)
from core.crypto.naming import account_key_name, association_key_name
from core.crypto.providers.vault import VaultTransitProvider
from tests.core.crypto.vault_standin import VaultStandIn

NAME = association_key_name("alpha")


@pytest.fixture
def provider(standin: VaultStandIn) -> VaultTransitProvider:
    return VaultTransitProvider(standin.url, token=standin.root_token)


def test_keys_are_created_as_aes256_gcm96_in_the_configured_mount(standin: VaultStandIn) -> None:
    standin.mounts["custom-transit"] = {}
    provider = VaultTransitProvider(standin.url, token=standin.root_token, mount="custom-transit")
    provider.create_key(NAME)
    assert ("create", {"type": "aes256-gcm96"}) in standin.bodies
    assert NAME in standin.mounts["custom-transit"]
    assert NAME not in standin.mounts["tszh-transit"]


def test_data_keys_are_256_bit_plaintext_datakeys(
    provider: VaultTransitProvider, standin: VaultStandIn
) -> None:
    provider.create_key(NAME)
    standin.reset_counters()
    data_key = provider.generate_data_key(NAME)
    assert standin.calls == [("POST", "datakey")]
    assert standin.bodies == [("datakey", {"bits": 256})]
    assert data_key.wrapped.startswith("vault:v1:")


def test_destroy_allows_deletion_then_deletes(
    provider: VaultTransitProvider, standin: VaultStandIn
) -> None:
    provider.create_key(NAME)
    standin.reset_counters()
    provider.destroy_key(NAME)
    kinds = [kind for _, kind in standin.calls]
    assert kinds == ["read", "config", "delete"]
    assert ("config", {"deletion_allowed": True}) in standin.bodies
    assert NAME not in standin.mounts["tszh-transit"]


def test_a_wave_of_unwraps_reaches_vault_concurrently(
    provider: VaultTransitProvider, standin: VaultStandIn
) -> None:
    names = [account_key_name("alpha", f"00000000-0000-0000-0000-{i:012d}") for i in range(12)]
    keys = []
    for name in names:
        provider.create_key(name)
        keys.append(provider.generate_data_key(name))
    standin.reset_counters()
    # Long enough that all twelve threads are in flight together even on a loaded machine
    # (0.05 s let a late thread start after the first answers came back).
    standin.latency = 0.5
    results = provider.unwrap_many([(n, k.wrapped) for n, k in zip(names, keys, strict=True)])
    assert results == [key.plaintext for key in keys]
    assert standin.count("decrypt") == len(names)
    assert standin.max_in_flight == len(names)


def test_wrong_token_is_permission_denied(standin: VaultStandIn) -> None:
    provider = VaultTransitProvider(standin.url, token="not-the-token")
    with pytest.raises(ProviderPermissionDenied):
        provider.create_key(NAME)
    with pytest.raises(ProviderUnavailable):  # a 503 for the web layer all the same
        provider.check()


def test_sealed_vault_is_unavailable(provider: VaultTransitProvider, standin: VaultStandIn) -> None:
    provider.create_key(NAME)
    data_key = provider.generate_data_key(NAME)
    standin.sealed = True
    with pytest.raises(ProviderUnavailable):
        provider.check()
    with pytest.raises(ProviderUnavailable):
        provider.unwrap(NAME, data_key.wrapped)


def test_missing_mount_is_not_mistaken_for_missing_keys(standin: VaultStandIn) -> None:
    provider = VaultTransitProvider(standin.url, token=standin.root_token, mount="no-such-mount")
    with pytest.raises(ProviderUnavailable):
        provider.list_keys()
    with pytest.raises(ProviderUnavailable):
        provider.key_exists(NAME)
    with pytest.raises(ProviderUnavailable):
        provider.destroy_association_keys("alpha")


def test_empty_mount_lists_no_keys(provider: VaultTransitProvider) -> None:
    assert provider.list_keys() == []
    with pytest.raises(KeyNotFound):
        provider.latest_version(NAME)


def test_kubernetes_auth_logs_in_and_logs_in_again_after_expiry(
    standin: VaultStandIn, tmp_path: Path
) -> None:
    jwt_path = tmp_path / "token"
    jwt_path.write_text(standin.k8s_jwt + "\n")
    provider = VaultTransitProvider(
        standin.url, auth="kubernetes", k8s_role=standin.k8s_role, k8s_jwt_path=str(jwt_path)
    )
    provider.create_key(NAME)
    assert standin.count("login") == 1
    standin.revoke_tokens()  # the Vault token expired
    data_key = provider.generate_data_key(NAME)
    assert standin.count("login") == 2
    assert provider.unwrap(NAME, data_key.wrapped) == data_key.plaintext
    assert standin.count("login") == 2


def test_kubernetes_auth_with_a_wrong_role_is_refused(
    standin: VaultStandIn, tmp_path: Path
) -> None:
    jwt_path = tmp_path / "token"
    jwt_path.write_text("some-other-service-account")
    provider = VaultTransitProvider(
        standin.url, auth="kubernetes", k8s_role=standin.k8s_role, k8s_jwt_path=str(jwt_path)
    )
    with pytest.raises(ProviderPermissionDenied):
        provider.create_key(NAME)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"auth": "token"},
        {"auth": "kubernetes"},
        {"auth": "userpass", "token": "t"},
    ],
)
def test_incomplete_auth_configuration_fails_early(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        VaultTransitProvider("http://127.0.0.1:8200", **kwargs)


def test_repr_shows_no_token(standin: VaultStandIn) -> None:
    provider = VaultTransitProvider(standin.url, token="s.secret-token-value")
    assert "secret-token-value" not in repr(provider)
