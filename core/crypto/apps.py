from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CryptoConfig(AppConfig):
    """Wrapped data keys (one table per schema) and the encrypted model fields."""

    name = "core.crypto"
    label = "crypto"
    verbose_name = _("Encryption")
