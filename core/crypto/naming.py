"""Key names that say whose key it is.

One Transit mount (or one key store directory) holds every key of the platform; the name alone
tells which association and which holding a key belongs to, so that erasing a holder or deleting
an association can find exactly its keys:

* ``assoc-<schema>``               the association's key (logins, association secrets)
* ``acct-<schema>-<holding uuid>`` one personal account holding's key (the holder's data)

Schema names are PostgreSQL identifiers as django-tenants allows them (letters, digits and
underscores, no hyphen), so ``acct-<schema>-`` is an unambiguous prefix for one association's
account keys.
"""

from __future__ import annotations

import re
import uuid

from core.crypto.errors import InvalidKeyName

ASSOCIATION_PREFIX = "assoc-"
ACCOUNT_PREFIX = "acct-"

_SCHEMA_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Vault Transit accepts word characters, '-' and '.'; we stay inside that and keep names usable as
# file names (no leading dot, no path separators).
_KEY_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


def validate_key_name(name: str) -> str:
    """Return ``name`` if it is a safe key name, else raise ``InvalidKeyName``.

    Names end up in file paths (local provider) and URL paths (Vault), so anything outside a small
    alphabet is refused rather than escaped."""
    if not isinstance(name, str) or not _KEY_NAME_RE.fullmatch(name) or ".." in name:
        raise InvalidKeyName("invalid key name")
    return name


def validate_schema_name(schema_name: str) -> str:
    """Return ``schema_name`` if it is a valid tenant schema name, else raise."""
    if not isinstance(schema_name, str) or not _SCHEMA_RE.fullmatch(schema_name):
        raise InvalidKeyName("invalid schema name")
    return schema_name


def association_key_name(schema_name: str) -> str:
    """Name of the association's key: ``assoc-<schema>``."""
    return f"{ASSOCIATION_PREFIX}{validate_schema_name(schema_name)}"


def account_key_name(schema_name: str, holding_uuid: uuid.UUID | str) -> str:
    """Name of one personal account holding's key: ``acct-<schema>-<uuid>``.

    The UUID is normalised to its canonical lowercase form so that the same holding always maps
    to the same key whatever representation the caller had."""
    try:
        canonical = str(uuid.UUID(str(holding_uuid)))
    except ValueError:
        raise InvalidKeyName("invalid holding uuid") from None
    return f"{ACCOUNT_PREFIX}{validate_schema_name(schema_name)}-{canonical}"


def account_key_prefix(schema_name: str) -> str:
    """Prefix shared by all account keys of one association: ``acct-<schema>-``."""
    return f"{ACCOUNT_PREFIX}{validate_schema_name(schema_name)}-"


def belongs_to_association(name: str, schema_name: str) -> bool:
    """True if the key ``name`` is the association's key or one of its account keys.

    A plain prefix test on ``assoc-<schema>`` would also match ``assoc-<schema>x``; this does not.
    """
    return name == association_key_name(schema_name) or name.startswith(
        account_key_prefix(schema_name)
    )
