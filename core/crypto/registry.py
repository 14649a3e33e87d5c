"""The configured key provider and key cache, built once per process.

Configuration, lowest precedence first: built-in defaults, environment variables, the Django
setting ``TSZH_CRYPTO`` (a dict with the option names below, consulted lazily and only when
Django settings are available), and ``overrides`` passed to ``load_config``. This module does not
import Django at import time, so the crypto layer stays usable from plain scripts and tests.

Relative paths (``KEY_DIR``, ``MASTER_KEY_FILE``) are resolved against Django's ``BASE_DIR``
when there is one, else against the working directory.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.crypto.errors import ConfigurationError
from core.crypto.keycache import KeyCache
from core.crypto.providers.base import KeyProvider

#: option name → (environment variable, default)
OPTIONS: dict[str, tuple[str, str]] = {
    "PROVIDER": ("TSZH_KEY_PROVIDER", "local"),
    "KEY_DIR": ("TSZH_KEY_DIR", "var/keys"),
    "MASTER_KEY": ("TSZH_MASTER_KEY", ""),
    "MASTER_KEY_FILE": ("TSZH_MASTER_KEY_FILE", "var/secrets/master.key"),
    # Where an earlier release kept the master key file: moved to MASTER_KEY_FILE on first use.
    "LEGACY_MASTER_KEY_FILE": ("TSZH_LEGACY_MASTER_KEY_FILE", "var/master.key"),
    "MAX_WORKERS": ("TSZH_KEY_MAX_WORKERS", "32"),
    "CACHE_SIZE": ("TSZH_KEY_CACHE_SIZE", "10000"),
    "CACHE_TTL": ("TSZH_KEY_CACHE_TTL", "300"),
    "VAULT_ADDR": ("VAULT_ADDR", ""),
    "VAULT_TOKEN": ("VAULT_TOKEN", ""),
    "VAULT_TRANSIT_MOUNT": ("VAULT_TRANSIT_MOUNT", "tszh-transit"),
    "VAULT_AUTH": ("VAULT_AUTH", "token"),
    "VAULT_K8S_ROLE": ("VAULT_K8S_ROLE", ""),
    # The provisioning credential (create, rotate, re-wrap, destroy keys): used only by the
    # key jobs (Celery queue ``keys``, rotate_keys). Unset: the main credential does everything.
    "VAULT_PROVISIONING_TOKEN": ("VAULT_PROVISIONING_TOKEN", ""),
    "VAULT_PROVISIONING_K8S_ROLE": ("VAULT_PROVISIONING_K8S_ROLE", ""),
    "VAULT_K8S_JWT_PATH": (
        "VAULT_K8S_JWT_PATH",
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
    ),
    "VAULT_K8S_AUTH_MOUNT": ("VAULT_K8S_AUTH_MOUNT", "kubernetes"),
    "VAULT_NAMESPACE": ("VAULT_NAMESPACE", ""),
    "VAULT_CACERT": ("VAULT_CACERT", ""),
    "VAULT_TIMEOUT": ("VAULT_TIMEOUT", "5"),
}

_lock = threading.Lock()
_provider: KeyProvider | None = None
_provisioning_provider: KeyProvider | None = None
_cache: KeyCache | None = None


def load_config(
    overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The effective options as strings (see the module docstring for precedence)."""
    env = os.environ if env is None else env
    config = {name: env.get(var, default) for name, (var, default) in OPTIONS.items()}
    django_options, base_dir = _django_config()
    for source in (django_options, overrides or {}):
        unknown = set(source) - set(OPTIONS) - {"BASE_DIR"}
        if unknown:
            raise ConfigurationError(f"unknown crypto options: {sorted(unknown)}")
        config.update({key: str(value) for key, value in source.items() if value is not None})
    config.setdefault("BASE_DIR", base_dir or "")
    return config


def build_provider(config: Mapping[str, str]) -> KeyProvider:
    """A new provider for ``config`` (as returned by ``load_config``)."""
    kind = config["PROVIDER"].strip().lower()
    if kind == "local":
        return _build_local(config)
    if kind == "vault":
        return _build_vault(config)
    raise ConfigurationError("TSZH_KEY_PROVIDER must be 'local' or 'vault'")


def get_provider() -> KeyProvider:
    """The process-wide provider, built on first use from ``load_config()``."""
    global _provider
    with _lock:
        if _provider is None:
            _provider = build_provider(load_config())
        return _provider


def get_provisioning_provider() -> KeyProvider:
    """The provider with the provisioning credential: rotation, re-wrapping, destruction.

    Production runs these under Vault's provisioning policy in the key jobs only, never in the
    web process; without a separate credential (the local provider, a single Vault token) it is
    the main provider."""
    global _provisioning_provider
    config = load_config()
    if not (config["VAULT_PROVISIONING_TOKEN"] or config["VAULT_PROVISIONING_K8S_ROLE"]):
        return get_provider()
    with _lock:
        if _provisioning_provider is None:
            provisioning = dict(config)
            provisioning["VAULT_TOKEN"] = config["VAULT_PROVISIONING_TOKEN"]
            provisioning["VAULT_K8S_ROLE"] = config["VAULT_PROVISIONING_K8S_ROLE"]
            _provisioning_provider = build_provider(provisioning)
        return _provisioning_provider


def get_key_cache() -> KeyCache:
    """The process-wide cache of unwrapped data keys (size and TTL from the config)."""
    global _cache
    with _lock:
        if _cache is None:
            config = load_config()
            _cache = KeyCache(max_entries=int(config["CACHE_SIZE"]), ttl=float(config["CACHE_TTL"]))
        return _cache


def reset() -> None:
    """Drop the cached provider and key cache (tests, or after changing the configuration)."""
    global _provider, _cache, _provisioning_provider
    with _lock:
        if _provider is not None:
            _provider.close()
        if _provisioning_provider is not None:
            _provisioning_provider.close()
        _provisioning_provider = None
        if _cache is not None:
            _cache.clear()
        _provider, _cache = None, None


def _build_local(config: Mapping[str, str]) -> KeyProvider:
    from core.crypto.providers.local import MASTER_KEY_ENV, LocalKeyProvider, load_master_key

    # The legacy place is looked at only with the default place (or when named explicitly): a
    # master key file configured elsewhere never adopts a stray var/master.key.
    legacy = config["LEGACY_MASTER_KEY_FILE"]
    if config["MASTER_KEY_FILE"] != OPTIONS["MASTER_KEY_FILE"][1] and (
        legacy == OPTIONS["LEGACY_MASTER_KEY_FILE"][1]
    ):
        legacy = ""
    master_key = load_master_key(
        {MASTER_KEY_ENV: config["MASTER_KEY"]},
        _resolve(config, config["MASTER_KEY_FILE"]),
        legacy_path=_resolve(config, legacy) if legacy else None,
    )
    return LocalKeyProvider(
        _resolve(config, config["KEY_DIR"]),
        master_key,
        max_workers=int(config["MAX_WORKERS"]),
    )


def _build_vault(config: Mapping[str, str]) -> KeyProvider:
    from core.crypto.providers.vault import VaultTransitProvider

    return VaultTransitProvider(
        config["VAULT_ADDR"],
        mount=config["VAULT_TRANSIT_MOUNT"],
        auth=config["VAULT_AUTH"].strip().lower(),
        token=config["VAULT_TOKEN"] or None,
        k8s_role=config["VAULT_K8S_ROLE"] or None,
        k8s_jwt_path=config["VAULT_K8S_JWT_PATH"],
        k8s_auth_mount=config["VAULT_K8S_AUTH_MOUNT"],
        namespace=config["VAULT_NAMESPACE"] or None,
        verify=config["VAULT_CACERT"] or True,
        timeout=float(config["VAULT_TIMEOUT"]),
        max_workers=int(config["MAX_WORKERS"]),
    )


def _resolve(config: Mapping[str, str], value: str) -> Path:
    path = Path(value)
    if path.is_absolute() or not config.get("BASE_DIR"):
        return path
    return Path(config["BASE_DIR"]) / path


def _django_config() -> tuple[dict[str, Any], str | None]:
    """``settings.TSZH_CRYPTO`` and ``settings.BASE_DIR`` if Django settings are available.

    Imports Django only when it is already loaded or a settings module is named, and treats
    unimportable settings as "no Django" so plain scripts and tests keep working."""
    if "django" not in sys.modules and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return {}, None
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        return {}, None
    try:
        if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
            return {}, None
        options = dict(getattr(settings, "TSZH_CRYPTO", None) or {})
        base_dir = getattr(settings, "BASE_DIR", None)
    except (ImproperlyConfigured, ImportError):
        return {}, None
    return options, str(base_dir) if base_dir else None
