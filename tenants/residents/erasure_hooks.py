"""What the registry itself clears when a holder is erased, besides the holding's own rows.

Run by ``services.erase_holder`` through ``core.extensions.run_erasure_hooks`` (the residents'
declaration names it), in the erasure's transaction.
"""

from __future__ import annotations

from core.extensions import HolderErasure


def erase_registered_and_members(erasure: HolderErasure) -> dict[str, int]:
    """Names of people registered under the erased holding's key; the erased owners' links.

    The registration periods stay (the number of residents of past months is an accounting
    record); the membership periods of the person stay too, as dates and decision references,
    but the erased owner records no longer belong to a person.
    """
    from tenants.residents.models import Owner, RegisteredResident

    cleared = RegisteredResident.objects.filter(holding_id=erasure.holding_id).update(
        full_name=None
    )
    Owner.objects.filter(pk__in=list(erasure.owner_ids)).update(person=None)
    return {"registered_residents_cleared": cleared}
