"""Writing an import's plan: plain records first, then holdings and owners as their keys arrive."""

from __future__ import annotations

from collections import defaultdict

from core.audit.services import record_many
from core.bulk import copy_insert
from tenants.imports.keys import (
    BlindIndexer,
    HoldingKeys,
    seal,
    writing_keys,
)
from tenants.imports.models import ImportJob, ImportRow
from tenants.imports.planning import Plan
from tenants.imports.services.common import (
    HOLDING_BATCH,
    ROW_BATCH,
)
from tenants.imports.services.progress import _Progress
from tenants.residents.models import (
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
)
from tenants.residents.services import bulk


class _AuditLog:
    """Audit entries of one import, inserted together in the import's transaction.

    Written with ``core.audit.services.record_many`` (ids, counts and field names, never
    values). A premises the import creates gets one entry naming the accounts opened
    and counting the owners added with it; accounts and owners added to premises that existed,
    and every change of an existing record, get an entry each.
    """

    def __init__(self, job: ImportJob, new_premises: list[Premises]):
        self.actor = job.confirmed_by
        self.job = str(job.pk)
        self.entries: list[tuple] = []
        self.new_premises = {premises.pk: premises for premises in new_premises}
        self.created = {pk: {"accounts": [], "owners": 0} for pk in self.new_premises}

    def add(self, action: str, target, **details) -> None:
        self.entries.append((action, target, {"job": self.job, **details}))

    def account_opened(self, account: PersonalAccount, holding_id) -> None:
        bucket = self.created.get(account.premises_id)
        if bucket is not None:
            bucket["accounts"].append(str(account.pk))
        else:
            self.add(
                "imports.account_opened",
                account,
                premises=str(account.premises_id),
                holding=str(holding_id or ""),
            )

    def owner_added(self, ownership: Ownership) -> None:
        bucket = self.created.get(ownership.premises_id)
        if bucket is not None:
            bucket["owners"] += 1
        else:
            self.add(
                "imports.owner_added",
                ownership.premises,
                premises=str(ownership.premises_id),
                owner=str(ownership.owner_id),
                ownership=str(ownership.pk),
            )

    def flush(self, *, last: bool = False) -> None:
        if last:
            for pk, bucket in self.created.items():
                self.add(
                    "imports.premises_created", self.new_premises[pk], premises=str(pk), **bucket
                )
        record_many(self.entries, actor=self.actor, batch_size=ROW_BATCH)
        self.entries = []


OWNER_PERSONAL = ("full_name", "phones", "emails", "primary_email", "primary_phone")


def _seal_owner(owner: Owner, personal: dict, ref: str, key: bytes, indexer: BlindIndexer) -> None:
    for name in OWNER_PERSONAL:
        if name in personal:
            seal(owner, name, personal[name], ref, key)
    if "primary_email" in personal:
        owner.email_index = indexer(Owner, "primary_email", personal["primary_email"])
    if "primary_phone" in personal:
        owner.phone_index = indexer(Owner, "primary_phone", personal["primary_phone"])


def _execute(plan: Plan, job: ImportJob, keys: HoldingKeys, indexer: BlindIndexer) -> dict:
    """Write the plan: plain records first (while the holdings' keys are being made), then the
    holdings and owners as their keys arrive."""
    audit = _AuditLog(job, plan.premises_new)
    progress = _Progress(
        job.pk,
        len(plan.premises_new)
        + len(plan.premises_changed)
        + len(plan.accounts_new)
        + len(plan.holdings_new)
        + len(plan.owners_new)
        + len(plan.owners_changed)
        + len(plan.ownerships_new)
        + len(plan.ownerships_changed),
    )

    # Every write goes through the registry's bulk services: the rules of its single services.
    bulk.create_buildings(plan.buildings)
    for building in plan.buildings:
        audit.add("imports.building_created", building)
    bulk.create_premises(plan.premises_new)
    progress.add(len(plan.premises_new))
    if plan.premises_changed:
        bulk.update_premises(plan.premises_changed)
        for premises, names in plan.premises_changed:
            audit.add("imports.premises_changed", premises, premises=str(premises.pk), fields=names)
        progress.add(len(plan.premises_changed))

    bulk.open_accounts(plan.accounts_new)
    holding_of = {holding.account_id: holding.pk for holding, _holder in plan.holdings_new}
    for account in plan.accounts_new:
        audit.account_opened(account, holding_of.get(account.pk))
    progress.add(len(plan.accounts_new))
    if plan.accounts_changed:
        bulk.place_accounts(plan.accounts_changed)
        for account in plan.accounts_changed:
            audit.add(
                "imports.account_changed",
                account,
                premises=str(account.premises_id),
                fields=["premises"],
            )
    bulk.add_holdings(plan.holdings_empty)

    # Shares of owners already in the registry.
    bulk.add_ownerships(plan.ownerships_new)
    for ownership in plan.ownerships_new:
        audit.owner_added(ownership)
    for item in plan.owners_new:
        audit.owner_added(item.ownership)
    progress.add(len(plan.ownerships_new))
    if plan.ownerships_changed:
        bulk.update_ownerships(plan.ownerships_changed)
        for ownership, names in plan.ownerships_changed:
            audit.add(
                "imports.ownership_changed",
                ownership,
                premises=str(ownership.premises_id),
                fields=names,
            )
        progress.add(len(plan.ownerships_changed))
    # Everything the audit needs is known from the plan: written now, while keys are made.
    audit.flush(last=True)
    # The preview rows go in the same transaction; the personal data in them is no longer needed.
    ImportRow.objects.filter(job=job).delete()

    # Owners of holdings that exist already, and changed owners: their holdings' keys.
    existing = writing_keys(
        plan.existing_holdings | {item.view.owner.holding_id for item in plan.owners_changed}
    )
    new_by_holding: dict = defaultdict(list)
    for item in plan.owners_new:
        new_by_holding[item.owner.holding_id].append(item)
    early = [
        item for holding_id in plan.existing_holdings for item in new_by_holding.pop(holding_id, ())
    ]
    for item in early:
        ref, key = existing[item.owner.holding_id]
        _seal_owner(item.owner, item.personal, ref, key, indexer)
    _insert_owners(early)
    progress.add(len(early))
    changed_owners = []
    for item in plan.owners_changed:
        owner = item.view.owner
        ref, key = existing[owner.holding_id]
        _seal_owner(owner, item.personal, ref, key, indexer)
        update = [*item.personal, "is_member", "member_since", "organisation_name", "inn", "ogrn"]
        if "primary_email" in item.personal:
            update.append("email_index")
        if "primary_phone" in item.personal:
            update.append("phone_index")
        changed_owners.append((owner, update))
    bulk.update_owners(changed_owners)
    for item in plan.owners_changed:
        owner = item.view.owner
        if item.fields:
            audit.add(
                "imports.owner_changed", owner, premises=str(item.premises_id), fields=item.fields
            )
        if item.membership:
            audit.add(
                "imports.membership_changed",
                owner,
                premises=str(item.premises_id),
                member=owner.is_member,
            )
    progress.add(len(plan.owners_changed))
    audit.flush()

    # New holdings with their owners, batch by batch as their keys come in.
    for start in range(0, len(plan.holdings_new), HOLDING_BATCH):
        batch = plan.holdings_new[start : start + HOLDING_BATCH]
        key_rows, holdings, owners = [], [], []
        taken = keys.take_many([holding.pk for holding, _holder in batch])
        for (holding, holder), (key_row, ref, key) in zip(batch, taken, strict=True):
            key_rows.append(key_row)
            for name, value in holder.items():
                seal(holding, name, value, ref, key)
            holdings.append(holding)
            for item in new_by_holding.pop(holding.pk, ()):
                _seal_owner(item.owner, item.personal, ref, key, indexer)
                owners.append(item)
        copy_insert(key_rows)
        bulk.add_holdings(holdings)
        _insert_owners(owners)
        progress.add(len(batch) + len(owners))
    if new_by_holding:  # cannot happen: every new owner's holding is new or existing
        raise RuntimeError("owners left without a holding")
    audit.flush()
    return {**plan.counts(), "key_seconds": round(keys.seconds, 2)}


def _insert_owners(items) -> None:
    if not items:
        return
    bulk.add_owners([item.owner for item in items], [item.ownership for item in items])
