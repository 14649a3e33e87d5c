"""Planning personal accounts: one number, one premises; an owner's account gets a holding."""

from __future__ import annotations

import uuid

from tenants.imports.planning.state import (
    Planning,
    _AccountGroup,
)
from tenants.residents.models import (
    Holding,
    PersonalAccount,
)


def plan_accounts(state: Planning) -> None:
    """Group the rows by account number, match or open each account, and choose the holding
    its owners go to (a new one when the account has none)."""
    snap, today = state.snap, state.today
    plan, new, holding_hints = state.plan, state.new, state.holding_hints
    touched, changes = state.touched, state.changes
    groups, accounts = state.groups, state.accounts
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
