"""Expectations of the budget's pages and API (issue 16).

The estimate is approved (frozen) so every page opens; members read it (published), the board
writes, the accountant posts expenditures and sets the tariffs. Buttons are POST only (405 for
a GET). The justification is an СНТ's document: 404 in ``alpha`` (a ТСЖ) for every reader.
"""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    TENANT_URLCONF,
    answers,
    api,
)

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)


def readers(answer=OK):
    """The board, the accountant and members; not the dispatcher."""
    return answers(FORBIDDEN, **dict.fromkeys(BOARD + MEMBERS, answer), accountant=answer)


def board(answer):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer))


def account_readers(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer), accountant=answer)


def _approved():
    from tests.tenants.budget.support import approve, make_estimate, registry

    registry("100.00")
    estimate = make_estimate(year=2026)
    approve(estimate)
    return estimate


def estimate_kwargs(_association):
    return {"pk": _approved().pk}


def line_kwargs(_association):
    return {"pk": _approved().lines.first().pk}


def expenditure_kwargs(_association):
    import datetime

    from tenants.budget import services

    line = _approved().lines.first()
    made = services.post_expenditure(
        line, actor=None, supplier="ООО", spent_on=datetime.date(2026, 2, 1), amount="10.00"
    )
    return {"pk": made.pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "budget:index"): ({}, readers()),
    (TENANT_URLCONF, "budget:estimate"): (estimate_kwargs, readers()),
    (TENANT_URLCONF, "budget:line-add"): (estimate_kwargs, board(OK)),
    (TENANT_URLCONF, "budget:line-edit"): (line_kwargs, board(OK)),
    (TENANT_URLCONF, "budget:line-delete"): (line_kwargs, board(NOT_ALLOWED)),
    (TENANT_URLCONF, "budget:publish"): (estimate_kwargs, board(NOT_ALLOWED)),
    (TENANT_URLCONF, "budget:revise"): (estimate_kwargs, board(NOT_ALLOWED)),
    (TENANT_URLCONF, "budget:refresh"): (estimate_kwargs, board(NOT_ALLOWED)),
    (TENANT_URLCONF, "budget:to-meeting"): (estimate_kwargs, board(NOT_ALLOWED)),
    # An approved estimate: the page says why it cannot go to a meeting (no form).
    (TENANT_URLCONF, "budget:to-vote"): (estimate_kwargs, board(OK)),
    (TENANT_URLCONF, "budget:decision"): (estimate_kwargs, board(NOT_ALLOWED)),
    (TENANT_URLCONF, "budget:apply"): (estimate_kwargs, account_readers()),
    (TENANT_URLCONF, "budget:versions"): (estimate_kwargs, readers()),
    (TENANT_URLCONF, "budget:report-publish"): (estimate_kwargs, board(NOT_ALLOWED)),
    (TENANT_URLCONF, "budget:execution"): (estimate_kwargs, readers()),
    (TENANT_URLCONF, "budget:report"): (estimate_kwargs, readers()),
    (TENANT_URLCONF, "budget:expenditure-cancel"): (
        expenditure_kwargs,
        answers(FORBIDDEN, accountant=NOT_ALLOWED),
    ),
    (TENANT_URLCONF, "budget:justification"): (estimate_kwargs, readers(NOT_FOUND)),
    (TENANT_URLCONF, "budget:api-estimates"): ({}, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "budget:api-estimate"): (estimate_kwargs, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "budget:api-lines"): (estimate_kwargs, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "budget:api-line"): (line_kwargs, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "budget:api-versions"): (estimate_kwargs, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "budget:api-expenditures"): (
        estimate_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), accountant=OK),
    ),
    (TENANT_URLCONF, "budget:api-decision"): (
        estimate_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, NOT_ALLOWED)),
    ),
    (TENANT_URLCONF, "budget:api-apply"): (
        estimate_kwargs,
        api(FORBIDDEN, **dict.fromkeys(BOARD, NOT_ALLOWED), accountant=NOT_ALLOWED),
    ),
}
