"""Key providers. Import the concrete ones from their modules (``local``, ``vault``) so that
``hvac`` is only loaded where Vault is used."""

from core.crypto.providers.base import DataKey, KeyProvider, UnwrapRequest

__all__ = ["DataKey", "KeyProvider", "UnwrapRequest"]
