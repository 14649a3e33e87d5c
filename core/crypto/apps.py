from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CryptoConfig(AppConfig):
    """Wrapped data keys (one table per schema) and the encrypted model fields."""

    name = "core.crypto"
    label = "crypto"
    verbose_name = _("Encryption")

    def ready(self):
        from django.conf import settings

        # Registers the check that an app with encrypted fields declares its erasure.
        from core import extensions  # noqa: F401

        if settings.PRODUCTION:
            check_production_key_configuration()


def check_production_key_configuration() -> None:
    """Refuse to start in production with a key configuration that cannot work.

    Without this the process would start and fail at the first request that needs a key.
    Builds the Vault provider (no network call: it checks its settings on construction); for
    the local provider, requires an explicit key store directory and a valid master key.
    """
    import base64
    import binascii
    import os

    from django.core.exceptions import ImproperlyConfigured

    from core.crypto.errors import ConfigurationError
    from core.crypto.registry import build_provider, load_config

    config = load_config()
    problem = None
    if config["PROVIDER"].strip().lower() == "vault":
        try:
            build_provider(config).close()
        except ConfigurationError as exc:
            problem = str(exc)
    else:
        if not os.environ.get("TSZH_KEY_DIR"):
            problem = "TSZH_KEY_DIR must name the key store (a persistent volume)"
        else:
            try:
                valid = len(base64.b64decode(config["MASTER_KEY"], validate=True)) == 32
            except (binascii.Error, ValueError):
                valid = False
            if not valid:
                problem = "TSZH_MASTER_KEY must be base64 of 32 random bytes"
    if problem:
        raise ImproperlyConfigured(
            f"TSZH Portal refuses to start in production: key provider misconfigured: {problem}"
        )
