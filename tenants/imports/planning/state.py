"""What planning an import works with: rows, the plan it makes, and its state between steps."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

from tenants.imports.keys import BlindIndexer
from tenants.imports.selectors import OwnerView, Snapshot
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
)

PREMISES_ATTRIBUTES = {
    "floor": "floor",
    "entrance": "entrance",
    "area": "area",
    "cadastral": "cadastral_number",
    "residents": "registered_residents",
}
DOCUMENT_ATTRIBUTES = {
    "doc_kind": "document_kind",
    "doc_number": "document_number",
    "doc_date": "document_date",
    "egrn": "egrn_record",
}


@dataclass
class PlanRow:
    """One data row: its values as read, errors so far, and (after planning) its outcome."""

    line: int
    values: dict
    errors: list = field(default_factory=list)
    bad: dict = field(default_factory=dict)
    status: str = ""
    changes: list = field(default_factory=list)
    new_holding_id: uuid.UUID | None = None
    row_id: uuid.UUID | None = None  # the stored preview row

    def fail(self, code: str, column: str, **params) -> None:
        self.errors.append({"code": code, "column": column, "params": params})

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class NewOwner:
    owner: Owner
    personal: dict
    ownership: Ownership
    premises_id: uuid.UUID


@dataclass
class ChangedOwner:
    view: OwnerView
    personal: dict
    fields: list
    membership: bool
    premises_id: uuid.UUID


@dataclass
class Plan:
    buildings: list[Building] = field(default_factory=list)
    premises_new: list[Premises] = field(default_factory=list)
    premises_changed: list[tuple[Premises, list[str]]] = field(default_factory=list)
    accounts_new: list[PersonalAccount] = field(default_factory=list)
    accounts_changed: list[PersonalAccount] = field(default_factory=list)
    holdings_new: list[tuple[Holding, dict]] = field(default_factory=list)
    holdings_empty: list[Holding] = field(default_factory=list)
    owners_new: list[NewOwner] = field(default_factory=list)
    owners_changed: list[ChangedOwner] = field(default_factory=list)
    ownerships_new: list[Ownership] = field(default_factory=list)
    ownerships_changed: list[tuple[Ownership, list[str]]] = field(default_factory=list)
    existing_holdings: set = field(default_factory=set)  # holdings getting new owners

    def counts(self) -> dict:
        return {
            "buildings_created": len(self.buildings),
            "premises_created": len(self.premises_new),
            "premises_changed": len(self.premises_changed),
            "accounts_created": len(self.accounts_new),
            "accounts_changed": len(self.accounts_changed),
            "holdings_created": len(self.holdings_new) + len(self.holdings_empty),
            "owners_created": len(self.owners_new),
            "owners_changed": len(self.owners_changed),
            "ownerships_created": len(self.ownerships_new) + len(self.owners_new),
            "ownerships_changed": len(self.ownerships_changed),
        }


@dataclass
class _PremisesGroup:
    key: tuple
    first: PlanRow
    attributes: dict
    rows: list = field(default_factory=list)
    building: Building | None = None
    premises: Premises | None = None
    is_new: bool = False


@dataclass
class _AccountGroup:
    number: str
    group: _PremisesGroup
    first: PlanRow
    rows: list = field(default_factory=list)
    account: PersonalAccount | None = None
    holding_id: uuid.UUID | None = None
    new_holding: bool = False
    created: bool = False


def _date(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _share(value) -> Fraction | None:
    """A row's share, stored as ``clean_share`` wrote it (``shares.format_share``)."""
    return Fraction(value) if value else None


def _attribute(key: str, value):
    if value in (None, ""):
        return None
    if key == "area":
        return Decimal(value)
    return value


def _instance(model, **fields):
    return model(**fields)


def _stand_in(model, **fields):
    """What a preview needs of a record it will not write: its attributes, at a fraction of
    the cost of a model instance (an import of 10,000 premises makes some 60,000)."""
    return SimpleNamespace(pk=fields.get("id"), **fields)


@dataclass
class Planning:
    """One run of ``plan_import``: its input, the plan, and what each step leaves for the next
    (premises groups, account groups, the owners matched, the shares)."""

    rows: list[PlanRow]
    snap: Snapshot
    today: datetime.date
    indexer: BlindIndexer
    holding_hints: dict
    new: Callable
    plan: Plan = field(default_factory=Plan)
    touched: dict[int, set] = field(default_factory=dict)  # what each row creates
    changes: dict[int, list] = field(default_factory=dict)
    groups: dict[tuple, _PremisesGroup] = field(default_factory=dict)
    accounts: dict[str, _AccountGroup] = field(default_factory=dict)
    matches: dict[int, OwnerView | None] = field(default_factory=dict)
    shares: dict[int, Fraction] = field(default_factory=dict)
