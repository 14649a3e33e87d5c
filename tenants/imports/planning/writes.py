"""Planning the writes: new holdings, owners and ownerships, and changes to matched ones."""

from __future__ import annotations

import uuid

from tenants.imports.planning.owners import _holder, _owner_changes, _ownership_of, _personal
from tenants.imports.planning.state import (
    DOCUMENT_ATTRIBUTES,
    ChangedOwner,
    NewOwner,
    Planning,
    _date,
)
from tenants.residents.models import (
    Holding,
    Owner,
    OwnerKind,
    Ownership,
)


def plan_writes(state: Planning) -> None:
    """The records to create or change for each owner row, and what each row creates or changes."""
    snap, today = state.snap, state.today
    plan, new = state.plan, state.new
    touched, changes = state.touched, state.changes
    accounts = state.accounts
    matches, shares = state.matches, state.shares
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
