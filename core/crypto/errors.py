"""Errors raised by the crypto layer.

The hierarchy is what callers dispatch on: the web layer turns ``ProviderUnavailable`` into an
HTTP 503, while ``KeyNotFound`` and ``DecryptionError`` mean the data cannot be read (an erased
holder, a tampered or misplaced value) and must never be answered with the stored ciphertext.

Messages never contain plaintext, key material or wrapped keys: they end up in logs, Sentry
events and error pages. Key *names* (``acct-<schema>-<uuid>``) are allowed; they identify an
owner by opaque ids only.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class of every error of the crypto layer."""


class ProviderUnavailable(CryptoError):
    """The key provider cannot be reached or refuses service right now (network, sealed Vault,
    5xx, missing key store directory). Retrying later may succeed; callers answer 503 and write
    nothing."""


class ProviderPermissionDenied(ProviderUnavailable):
    """The provider rejected our credentials or policy for this operation (HTTP 401/403).

    It subclasses ``ProviderUnavailable`` because, seen from a request, the outcome is the same
    (503, nothing written); operators still need to tell it apart, hence the own class."""


class KeyNotFound(CryptoError):
    """The named key does not exist: it was never created or it has been destroyed.

    Neither provider can tell these two apart afterwards, on purpose: destruction leaves no trace
    that could be used to recover anything, so ``KeyDestroyed`` is the same class."""


KeyDestroyed = KeyNotFound


class DecryptionError(CryptoError):
    """Authenticated decryption failed: wrong key, tampered data, a ciphertext moved to another
    row/field/association, or a malformed token. Never fall back to showing the stored value."""


class InvalidKeyName(CryptoError, ValueError):
    """A key name (or a part used to build one) does not match the allowed alphabet.

    Names become file names and URL path segments, so they are validated strictly."""


class ConfigurationError(CryptoError):
    """The crypto layer is configured inconsistently (unknown provider, bad master key...)."""
