"""Writes for the registry: buildings, premises, accounts, holders, owners and shares, erasure.

Every change is audited in its own transaction (``core.audit.services.record``) with ids, codes
and the names of changed fields only, never values: the premises page shows this log as its
history ("edit with history"). ``details["premises"]`` names the premises an entry belongs to.

Rules that come from the law:

* the owners' register (ЖК РФ ст. 45 ч. 3.1): owners, their shares and title documents with the
  ЕГРН record, kept with their periods (from, to) rather than overwritten;
* shares are exact fractions and may not add up to more than the whole premises (ГК РФ ст. 245:
  shares of common ownership; ЖК РФ ст. 48 ч. 3 weighs votes by them);
* membership of the partnership is separate from ownership (ЖК РФ ст. 143; 217-ФЗ ст. 5);
* a former holder's personal data is erased on request (152-ФЗ ст. 21) by destroying its key,
  while account numbers, shares, dates and amounts stay (they are records the law keeps).

The services are split by topic: ``buildings``, ``premises``, ``accounts`` (accounts and their
holders), ``residency``, ``owners`` (owners and shares) and ``erasure``; the names below are the
registry's write API.
"""

from tenants.residents.services.accounts import (
    change_holder,
    current_holding,
    open_account,
    renumber_account,
)
from tenants.residents.services.buildings import create_building, update_building
from tenants.residents.services.common import (
    DOCUMENT_FIELDS,
    OWNER_INDEXES,
    OWNER_PERSONAL_FIELDS,
    PERSONAL_FIELDS,
    PREMISES_FIELDS,
)
from tenants.residents.services.erasure import (
    erase_holder,
    erasure_refusal,
)
from tenants.residents.services.owners import (
    add_owner,
    shares_total,
    update_owner,
    update_ownership,
)
from tenants.residents.services.premises import create_premises, update_premises
from tenants.residents.services.residency import end_residency

__all__ = [
    "DOCUMENT_FIELDS",
    "OWNER_INDEXES",
    "OWNER_PERSONAL_FIELDS",
    "PERSONAL_FIELDS",
    "PREMISES_FIELDS",
    "add_owner",
    "change_holder",
    "create_building",
    "create_premises",
    "current_holding",
    "end_residency",
    "erase_holder",
    "erasure_refusal",
    "open_account",
    "renumber_account",
    "shares_total",
    "update_building",
    "update_owner",
    "update_ownership",
    "update_premises",
]
