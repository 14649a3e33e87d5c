"""Planning shares: never more than the whole premises (ГК РФ ст. 245)."""

from __future__ import annotations

from fractions import Fraction

from tenants.imports.planning.owners import _ownership_of
from tenants.imports.planning.state import (
    Planning,
    _share,
)
from tenants.residents.shares import format_share


def check_shares(state: Planning) -> None:
    """Each owner row's share (a sole owner's empty share is the whole); the shares of a
    premises, with its other owners in the registry, may not add up to more than 1."""
    snap = state.snap
    groups = state.groups
    matches, shares = state.matches, state.shares
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
                row.fail(code, "share", total=format_share(total))
