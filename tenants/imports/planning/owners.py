"""Planning owners: matched within the account's current holding, their data and changes."""

from __future__ import annotations

from tenants.imports.columns import normalize, phone_key
from tenants.imports.planning.state import (
    Planning,
    _date,
)
from tenants.imports.selectors import OwnerView
from tenants.residents.models import (
    Owner,
    OwnerKind,
    Ownership,
)


def match_owners(state: Planning) -> None:
    """The registry's owner each owner row means (None: a new owner), or an error."""
    snap, indexer = state.snap, state.indexer
    accounts = state.accounts
    matches = state.matches
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
