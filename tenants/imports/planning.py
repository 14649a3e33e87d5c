"""What an import would do: each row's status and errors, and the writes that carry it out.

The same function plans the preview and, again, the confirmed import (the registry may have
changed in between), so the preview's counts are what the import does. Matching, so that a
second import of the same file changes nothing:

* buildings by name (case and spaces ignored), premises by building + kind + number (case
  ignored, as the registry's own uniqueness check), accounts by number;
* owners within the account's current holding: by the email's blind index, else by name (an
  organisation by ИНН, ОГРН or name).

An empty cell means "no information": it never erases what the registry holds. Owners missing
from the file stay as they are (a change of holder is the registry's own action, ЖК РФ ст. 45
ч. 3.1 keeps the history). Shares of a premises must not add up to more than 1 together with the
registry's other current owners (ГК РФ ст. 245; votes are weighed by them, ЖК РФ ст. 48 ч. 3).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

from tenants.imports.columns import normalize, phone_key
from tenants.imports.keys import BlindIndexer
from tenants.imports.models import RowStatus
from tenants.imports.selectors import OwnerView, Snapshot, number_key
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
)

#: Row keys of premises attributes → model fields.
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
    return Fraction(value) if value else None


def _format_share(share: Fraction) -> str:
    return (
        str(share.numerator) if share.denominator == 1 else f"{share.numerator}/{share.denominator}"
    )


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


def plan_import(
    rows: list[PlanRow],
    snap: Snapshot,
    *,
    today: datetime.date,
    indexer: BlindIndexer,
    holding_hints: dict[str, uuid.UUID] | None = None,
    writes: bool = True,
) -> Plan:
    """Decide every row's status (new / changed / unchanged / error) and the writes to make.

    With ``writes=False`` (the preview) the new records are not made as model instances.
    """
    plan = Plan()
    new = _instance if writes else _stand_in
    holding_hints = holding_hints or {}
    touched: dict[int, set] = {id(row): set() for row in rows}  # what each row creates
    changes: dict[int, list] = {id(row): [] for row in rows}

    # -- buildings and premises, grouped: co-owners repeat their premises on several rows --------
    new_buildings: dict[str, Building] = {}
    groups: dict[tuple, _PremisesGroup] = {}
    for row in rows:
        if not row.ok:
            continue
        v = row.values
        building_key = normalize(v["building"])
        key = (building_key, v["kind"], number_key(v["number"]))
        group = groups.get(key)
        if group is None:
            attributes = {name: _attribute(name, v.get(name)) for name in PREMISES_ATTRIBUTES}
            group = groups[key] = _PremisesGroup(key=key, first=row, attributes=attributes)
        else:
            conflict = False
            for name in PREMISES_ATTRIBUTES:
                value = _attribute(name, v.get(name))
                if value is None:
                    continue
                if group.attributes[name] is None:
                    group.attributes[name] = value
                elif group.attributes[name] != value:
                    conflict = True
            if conflict:
                # Errors keep line numbers and codes, never text of the file: the premises is
                # named from the row's own (encrypted) values when the error is shown.
                row.fail("premises_conflict", "number", other=group.first.line)
                continue
        group.rows.append(row)

    seen_cadastral: dict[str, tuple] = {}
    for group in groups.values():
        for row in group.rows:
            cadastral = row.values.get("cadastral")
            if cadastral:
                first = seen_cadastral.setdefault(cadastral, (group.key, row.line))
                if first[0] != group.key:
                    row.fail(
                        "cadastral_duplicate", "cadastral", cadastral=cadastral, other=first[1]
                    )

    for group in groups.values():
        building_key = group.key[0]
        building = snap.buildings.get(building_key)
        if building is None:
            building = new_buildings.get(building_key)
            if building is None:
                building = new(Building, id=uuid.uuid4(), name=group.first.values["building"])
                new_buildings[building_key] = building
                plan.buildings.append(building)
                touched[id(group.first)].add("building")
            group.building = building
        else:
            group.building = building
            group.premises = snap.premises.get((building.id, group.key[1], group.key[2]))
        attributes = group.attributes
        if group.premises is None:
            group.is_new = True
            group.premises = new(
                Premises,
                id=uuid.uuid4(),
                building=building,
                kind=group.key[1],
                number=group.first.values["number"],
                floor=attributes["floor"],
                entrance=attributes["entrance"] or "",
                area=attributes["area"],
                cadastral_number=attributes["cadastral"] or "",
                registered_residents=attributes["residents"] or 0,
            )
            plan.premises_new.append(group.premises)
            touched[id(group.first)].add("premises")
        else:
            changed = []
            for name, model_field in PREMISES_ATTRIBUTES.items():
                value = attributes[name]
                if value is not None and getattr(group.premises, model_field) != value:
                    setattr(group.premises, model_field, value)
                    changed.append(model_field)
                    changes[id(group.first)].append(name)
            if changed:
                plan.premises_changed.append((group.premises, changed))
        cadastral = attributes["cadastral"]
        holder = snap.by_cadastral.get(cadastral) if cadastral else None
        if holder is not None and holder.id != group.premises.id:
            where = f"{holder.building.name}, № {holder.number}"
            for row in group.rows:
                if row.values.get("cadastral") == cadastral:
                    row.fail(
                        "cadastral_elsewhere", "cadastral", cadastral=cadastral, premises=where
                    )

    # -- personal accounts: one number, one premises -----------------------------------------------
    accounts: dict[str, _AccountGroup] = {}
    for group in groups.values():
        for row in group.rows:
            number = row.values.get("account")
            if not row.ok or not number:
                continue
            account_group = accounts.get(number)
            if account_group is None:
                account_group = accounts[number] = _AccountGroup(number, group, row)
            elif account_group.group is not group:
                row.fail("account_duplicate", "account", other=account_group.first.line)
                continue
            account_group.rows.append(row)

    for number, account_group in accounts.items():
        group = account_group.group
        account = snap.accounts.get(number)
        first = account_group.first
        if account is not None:
            if account.premises_id and (group.is_new or account.premises_id != group.premises.id):
                where = f"{account.premises.building.name}, № {account.premises.number}"
                for row in account_group.rows:
                    row.fail("account_elsewhere", "account", premises=where)
                continue
            if account.premises_id is None:
                account.premises = group.premises
                plan.accounts_changed.append(account)
                changes[id(first)].append("account")
            account_group.account = account
            account_group.holding_id = snap.holdings.get(account.id)
        else:
            account = new(PersonalAccount, id=uuid.uuid4(), number=number, premises=group.premises)
            plan.accounts_new.append(account)
            account_group.account = account
            account_group.created = True
            touched[id(first)].add("account")
        if account_group.holding_id is not None:
            continue
        if any(row.values.get("owner") for row in account_group.rows):
            account_group.new_holding = True
            account_group.holding_id = holding_hints.get(number) or uuid.uuid4()
            for row in account_group.rows:
                row.new_holding_id = account_group.holding_id
        elif account_group.created:
            # Like the registry's own new accounts: an empty first holding (no key until data).
            plan.holdings_empty.append(
                new(Holding, id=uuid.uuid4(), account=account_group.account, started_on=today)
            )

    # -- owners: matched within the account's current holding ------------------------------------
    matches: dict[int, OwnerView | None] = {}
    for account_group in accounts.values():
        candidates = (
            [] if account_group.new_holding else snap.owners.get(account_group.holding_id, [])
        )
        used: dict = {}
        for row in account_group.rows:
            v = row.values
            if not row.ok or not v.get("owner"):
                continue
            kind = OwnerKind.ORGANISATION if v["is_org"] else OwnerKind.PERSON
            name_key = normalize(v["owner"])
            email_index = indexer(Owner, "primary_email", v["email"]) if v.get("email") else None
            found = _match(candidates, kind, name_key, email_index, v)
            if found == "ambiguous":
                row.fail("owner_ambiguous", "owner")
                continue
            identity = (
                ("owner", found.owner.pk)
                if found
                else ("email", email_index)
                if email_index
                else ("name", kind, name_key)
            )
            other = used.get(identity)
            if other is None and not found and email_index:
                other = used.get(("name", kind, name_key))
            if other is not None:
                row.fail("owner_duplicate", "owner", other=other)
                continue
            used[identity] = row.line
            used.setdefault(("name", kind, name_key), row.line)
            matches[id(row)] = found

    # -- shares: never more than the whole premises ----------------------------------------------
    shares: dict[int, Fraction] = {}
    for group in groups.values():
        owner_rows = [row for row in group.rows if row.ok and id(row) in matches]
        if not owner_rows:
            continue
        current = [] if group.is_new else snap.ownerships.get(group.premises.id, [])
        matched_ids = {matches[id(row)].owner.pk for row in owner_rows if matches[id(row)]}
        remaining = [o for o in current if o.owner_id not in matched_ids]
        total = sum((o.share for o in remaining), Fraction(0))
        missing = False
        for row in owner_rows:
            share = _share(row.values.get("share"))
            if share is None:
                found = matches[id(row)]
                existing = _ownership_of(current, found)
                if existing is not None:
                    share = existing.share
                elif len(owner_rows) == 1 and not remaining:
                    share = Fraction(1)
                else:
                    row.fail("share_required", "share")
                    missing = True
                    continue
            shares[id(row)] = share
            total += share
        if total > 1 and not missing:
            # With owners of the registry in the sum, the premises has likely changed hands.
            code = "shares_overflow_registry" if remaining else "shares_overflow"
            for row in owner_rows:
                row.fail(code, "share", total=_format_share(total))

    # -- the writes, and each row's outcome --------------------------------------------------------
    new_holdings: dict[uuid.UUID, Holding] = {}
    for account_group in accounts.values():
        group = account_group.group
        for row in account_group.rows:
            if not row.ok or id(row) not in matches:
                continue
            v = row.values
            share = shares[id(row)]
            started_on = _date(v.get("doc_date")) or today
            document = {
                model_field: (_date(v[key]) if key == "doc_date" else v[key])
                for key, model_field in DOCUMENT_ATTRIBUTES.items()
                if v.get(key)
            }
            found = matches[id(row)]
            if account_group.new_holding:
                holding = new_holdings.get(account_group.holding_id)
                if holding is None:
                    holding = new(
                        Holding,
                        id=account_group.holding_id,
                        account=account_group.account,
                        started_on=started_on,
                    )
                    new_holdings[holding.id] = holding
                    plan.holdings_new.append((holding, _holder(v)))
                    touched[id(row)].add("holding")
                elif started_on < holding.started_on:
                    holding.started_on = started_on
            if found is None:
                owner = new(Owner, id=uuid.uuid4(), holding_id=account_group.holding_id)
                owner.kind = OwnerKind.ORGANISATION if v["is_org"] else OwnerKind.PERSON
                if v["is_org"]:
                    owner.organisation_name = v["owner"]
                    owner.inn, owner.ogrn = v.get("inn") or "", v.get("ogrn") or ""
                # An empty member cell means "not a member" (the model's default), also in the
                # preview, whose rows are plain namespaces without the model's defaults.
                owner.is_member = bool(v.get("member"))
                owner.member_since = _date(v.get("member_since")) if owner.is_member else None
                ownership = new(
                    Ownership,
                    id=uuid.uuid4(),
                    premises=group.premises,
                    owner_id=owner.id,
                    share_numerator=share.numerator,
                    share_denominator=share.denominator,
                    started_on=started_on,
                    **document,
                )
                plan.owners_new.append(NewOwner(owner, _personal(v), ownership, group.premises.id))
                if not account_group.new_holding:
                    plan.existing_holdings.add(account_group.holding_id)
                touched[id(row)].add("owner")
                continue
            personal, fields, membership = _owner_changes(found, v)
            if fields or membership:
                plan.owners_changed.append(
                    ChangedOwner(found, personal, fields, bool(membership), group.premises.id)
                )
                changes[id(row)].extend(fields + membership)
            current = [] if group.is_new else snap.ownerships.get(group.premises.id, [])
            ownership = _ownership_of(current, found)
            if ownership is None:
                plan.ownerships_new.append(
                    new(
                        Ownership,
                        id=uuid.uuid4(),
                        premises=group.premises,
                        owner_id=found.owner.pk,
                        share_numerator=share.numerator,
                        share_denominator=share.denominator,
                        started_on=started_on,
                        **document,
                    )
                )
                touched[id(row)].add("ownership")
                continue
            changed = []
            if ownership.share != share:
                ownership.share_numerator, ownership.share_denominator = (
                    share.numerator,
                    share.denominator,
                )
                changed.append("share")
            for key, model_field in DOCUMENT_ATTRIBUTES.items():
                value = document.get(model_field)
                if value not in (None, "") and getattr(ownership, model_field) != value:
                    setattr(ownership, model_field, value)
                    changed.append(model_field)
                    changes[id(row)].append(key)
            if changed:
                plan.ownerships_changed.append((ownership, changed))
                if "share" in changed:
                    changes[id(row)].append("share")

    for row in rows:
        if not row.ok:
            row.status = RowStatus.ERROR
            row.new_holding_id = None
        elif touched[id(row)]:
            row.status = RowStatus.NEW
        elif changes[id(row)]:
            row.status = RowStatus.CHANGED
        else:
            row.status = RowStatus.UNCHANGED
        row.changes = sorted(set(changes[id(row)])) if row.ok else []
    return plan


def _match(candidates: list[OwnerView], kind: str, name_key: str, email_index, v: dict):
    """The registry's owner a row means, None for a new one, or "ambiguous"."""
    if email_index:
        by_email = [c for c in candidates if c.email_index == email_index and c.kind == kind]
        if len(by_email) == 1:
            return by_email[0]
    same_kind = [c for c in candidates if c.kind == kind]
    if kind == OwnerKind.ORGANISATION:
        for attribute in ("inn", "ogrn"):
            if v.get(attribute):
                found = [c for c in same_kind if getattr(c.owner, attribute) == v[attribute]]
                if len(found) == 1:
                    return found[0]
    by_name = [c for c in same_kind if c.name_key == name_key]
    if len(by_name) > 1:
        return "ambiguous"
    return by_name[0] if by_name else None


def _ownership_of(current: list[Ownership], found: OwnerView | None) -> Ownership | None:
    if found is None:
        return None
    return next((o for o in current if o.owner_id == found.owner.pk), None)


def _holder(v: dict) -> dict:
    """The first owner of a new holding is its holder (the person the account is in the name of)."""
    holder = {"full_name": v["owner"]}
    if v.get("phone"):
        holder["phones"] = [v["phone"]]
    if v.get("email"):
        holder["emails"] = [v["email"]]
    return holder


def _personal(v: dict) -> dict:
    """Personal data of a new owner (an organisation's name is register data, not personal)."""
    personal = {} if v["is_org"] else {"full_name": v["owner"]}
    if v.get("email"):
        personal["primary_email"] = v["email"]
        personal["emails"] = [v["email"]]
    if v.get("phone"):
        personal["primary_phone"] = v["phone"]
        personal["phones"] = [v["phone"]]
    return personal


def _owner_changes(found: OwnerView, v: dict) -> tuple[dict, list, list]:
    """(personal values to write, changed field keys, membership keys) for a matched owner."""
    owner = found.owner
    personal: dict = {}
    fields: list = []
    if v["is_org"]:
        if normalize(v["owner"]) != found.name_key:
            owner.organisation_name = v["owner"]
            fields.append("owner")
        for key in ("inn", "ogrn"):
            if v.get(key) and getattr(owner, key) != v[key]:
                setattr(owner, key, v[key])
                fields.append(key)
    elif normalize(v["owner"]) != found.name_key:
        personal["full_name"] = v["owner"]
        fields.append("owner")
    email = v.get("email")
    if email and email.lower() != found.primary_email.lower():
        personal["primary_email"] = email
        others = [e for e in found.emails if str(e).lower() != email.lower()]
        personal["emails"] = [email, *others]
        fields.append("email")
    phone = v.get("phone")
    if phone and phone_key(phone) not in found.phone_keys:
        personal["primary_phone"] = phone
        personal["phones"] = [phone, *found.phones]
        fields.append("phone")
    membership: list = []
    if v.get("member") is not None and v["member"] != owner.is_member:
        owner.is_member = v["member"]
        membership.append("member")
        if not owner.is_member and owner.member_since is not None:
            owner.member_since = None
    since = _date(v.get("member_since"))
    if since and owner.is_member and owner.member_since != since:
        owner.member_since = since
        membership.append("member_since")
    return personal, fields, membership
