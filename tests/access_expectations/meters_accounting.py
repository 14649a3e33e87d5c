"""Expectations of the accountant's meter pages (issue 11): the table of who has sent, flagged
readings, verifications, norms and coefficients, the import and its preview. Read (and used) by
the board and the accountant; everyone else signed in is refused, the anonymous sent to log in.
The preview of an import made by someone else is theirs too (the board works on one file)."""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import FORBIDDEN, LOGIN, OK, TENANT_ACTORS, TENANT_URLCONF

READERS = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value, Role.ACCOUNTANT.value)


def readers(answer=OK):
    result = dict.fromkeys(TENANT_ACTORS, FORBIDDEN)
    result["anonymous"] = result["other_association"] = LOGIN
    result.update(dict.fromkeys(READERS, answer))
    return result


def import_kwargs(_association):
    from tenants.meters.models import ReadingImport
    from tenants.meters.periods import current_window

    return {"pk": ReadingImport.objects.create(period=current_window().period, rows=[]).pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "meters:submissions"): ({}, readers()),
    (TENANT_URLCONF, "meters:anomalies"): ({}, readers()),
    (TENANT_URLCONF, "meters:verifications"): ({}, readers()),
    (TENANT_URLCONF, "meters:norms"): ({}, readers()),
    (TENANT_URLCONF, "meters:import"): ({}, readers()),
    (TENANT_URLCONF, "meters:import-preview"): (import_kwargs, readers()),
}
