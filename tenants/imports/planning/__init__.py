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

The package, by step: ``state`` (rows, the plan, the state between steps), ``premises``,
``accounts``, ``owners``, ``shares`` and ``writes``.
"""

from __future__ import annotations

import datetime
import uuid

from tenants.imports.keys import BlindIndexer
from tenants.imports.models import RowStatus
from tenants.imports.planning.accounts import plan_accounts
from tenants.imports.planning.owners import match_owners
from tenants.imports.planning.premises import (
    check_cadastral_numbers,
    group_premises,
    match_premises,
)
from tenants.imports.planning.shares import check_shares
from tenants.imports.planning.state import (
    DOCUMENT_ATTRIBUTES,
    PREMISES_ATTRIBUTES,
    ChangedOwner,
    NewOwner,
    Plan,
    Planning,
    PlanRow,
    _instance,
    _stand_in,
)
from tenants.imports.planning.writes import plan_writes
from tenants.imports.selectors import Snapshot

__all__ = [
    "DOCUMENT_ATTRIBUTES",
    "PREMISES_ATTRIBUTES",
    "ChangedOwner",
    "NewOwner",
    "Plan",
    "PlanRow",
    "plan_import",
]


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
    state = Planning(
        rows=rows,
        snap=snap,
        today=today,
        indexer=indexer,
        holding_hints=holding_hints or {},
        new=_instance if writes else _stand_in,
        touched={id(row): set() for row in rows},
        changes={id(row): [] for row in rows},
    )
    group_premises(state)
    check_cadastral_numbers(state)
    match_premises(state)
    plan_accounts(state)
    match_owners(state)
    check_shares(state)
    plan_writes(state)
    touched, changes = state.touched, state.changes
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
    return state.plan
