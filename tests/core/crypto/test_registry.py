"""Building the configured provider from the environment / a config dict."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from core.crypto import registry
from core.crypto.errors import ConfigurationError
from core.crypto.providers.local import LocalKeyProvider
from core.crypto.providers.vault import VaultTransitProvider
from tests.core.crypto.vault_standin import VaultStandIn

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch: pytest.MonkeyPatch):
    """A clean registry that ignores the project's Django settings (tested separately below)."""
    monkeypatch.setattr(registry, "_django_config", lambda: ({}, None))
    registry.reset()
    yield
    registry.reset()


def test_defaults_are_local_with_var_keys() -> None:
    config = registry.load_config(env={})
    assert config["PROVIDER"] == "local"
    assert config["KEY_DIR"] == "var/keys"
    assert config["VAULT_TRANSIT_MOUNT"] == "tszh-transit"
    assert config["VAULT_AUTH"] == "token"


def test_local_provider_from_environment(tmp_path: Path) -> None:
    master = base64.b64encode(secrets.token_bytes(32)).decode()
    env = {"TSZH_KEY_DIR": str(tmp_path / "keys"), "TSZH_MASTER_KEY": master}
    provider = registry.build_provider(registry.load_config(env=env))
    assert isinstance(provider, LocalKeyProvider)
    assert provider.directory == tmp_path / "keys"
    provider.create_key("assoc-alpha")
    assert provider.list_keys() == ["assoc-alpha"]


def test_relative_paths_resolve_against_base_dir(tmp_path: Path) -> None:
    config = registry.load_config({"BASE_DIR": str(tmp_path)}, env={})
    provider = registry.build_provider(config)
    assert provider.directory == tmp_path / "var" / "keys"  # type: ignore[attr-defined]
    assert (tmp_path / "var" / "secrets" / "master.key").exists()


def test_precedence_defaults_env_django_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    django_options = {"KEY_DIR": "/from/django", "VAULT_AUTH": "kubernetes"}
    monkeypatch.setattr(registry, "_django_config", lambda: (django_options, "/base"))
    env = {"TSZH_KEY_DIR": "/from/env", "VAULT_TRANSIT_MOUNT": "env-mount"}
    config = registry.load_config({"VAULT_AUTH": "token"}, env=env)
    assert config["KEY_DIR"] == "/from/django"
    assert config["VAULT_TRANSIT_MOUNT"] == "env-mount"
    assert config["VAULT_AUTH"] == "token"
    assert config["BASE_DIR"] == "/base"
    assert config["PROVIDER"] == "local"


def test_vault_provider_from_overrides(standin: VaultStandIn) -> None:
    config = registry.load_config(
        {"PROVIDER": "vault", "VAULT_ADDR": standin.url, "VAULT_TOKEN": standin.root_token},
        env={},
    )
    provider = registry.build_provider(config)
    assert isinstance(provider, VaultTransitProvider)
    assert provider.mount == "tszh-transit"
    provider.check()


def test_get_provider_is_cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TSZH_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("TSZH_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    assert registry.get_provider() is registry.get_provider()
    assert registry.get_key_cache() is registry.get_key_cache()


@pytest.mark.parametrize(
    "overrides",
    [{"PROVIDER": "s3"}, {"NO_SUCH_OPTION": "x"}, {"PROVIDER": "vault"}],
)
def test_bad_configuration_is_refused(overrides: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        registry.build_provider(registry.load_config(overrides, env={}))


def test_importing_the_crypto_layer_does_not_import_django() -> None:
    code = (
        "import sys, core.crypto.registry, core.crypto.envelope, core.crypto.keycache, "
        "core.crypto.providers.local, core.crypto.providers.vault; "
        "assert 'django' not in sys.modules, 'django imported'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
