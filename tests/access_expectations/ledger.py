"""Expectations of the ledger's pages and API (issue 12).

Objects are made by someone else (an account of a premises nobody in the test holds), so an
owner or resident of ``alpha`` gets 404 where their role opens that kind of page, 403 where it
does not. Members' money pages open for members (their own accounts: none here) and for the
board and the accountant (every account); the accruals and finances pages for the board and
the accountant, their changes for the accountant only (POST: 405 for a GET).
"""

from __future__ import annotations

import datetime

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
MAY = datetime.date(2025, 5, 1)


def readers(answer=OK):
    return answers(FORBIDDEN, **dict.fromkeys(BOARD, answer), accountant=answer)


def readers_and_members(member_answer, readers_answer=OK):
    return readers(readers_answer) | dict.fromkeys(MEMBERS, member_answer)


def keepers(answer):
    return answers(FORBIDDEN, accountant=answer)


def _service():
    from tests.tenants.ledger.accruals.support import add_service

    return add_service()


def account_kwargs(_association):
    from tests.tenants.residents.factories import make_premises

    return {"pk": make_premises().accounts.get().pk}


def entry_kwargs(_association):
    from decimal import Decimal

    from tenants.ledger import services
    from tests.tenants.residents.factories import make_premises

    entry, _created = services.post_entry(
        actor=None,
        account=make_premises().accounts.get(),
        kind="charge",
        period=MAY,
        amount=Decimal("10"),
        service=_service(),
    )
    return {"pk": entry.pk}


def service_kwargs(_association):
    return {"pk": _service().pk}


def run_kwargs(_association):
    from tenants.ledger import services

    return {"pk": services.start_run(MAY, actor=None, queue=False).pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "ledger:home"): ({}, readers_and_members(OK)),
    (TENANT_URLCONF, "ledger:account"): (account_kwargs, readers_and_members(NOT_FOUND)),
    # no months chosen: the account page answers with the reason (400), for those who read it
    (TENANT_URLCONF, "ledger:reconciliation"): (
        account_kwargs,
        readers_and_members(NOT_FOUND, readers_answer=400),
    ),
    (TENANT_URLCONF, "ledger:entry"): (entry_kwargs, readers_and_members(NOT_FOUND)),
    (TENANT_URLCONF, "ledger:accruals"): ({}, readers()),
    (TENANT_URLCONF, "ledger:finances"): ({}, readers()),
    (TENANT_URLCONF, "ledger:service-add"): ({}, keepers(OK)),
    (TENANT_URLCONF, "ledger:service"): (service_kwargs, readers()),
    (TENANT_URLCONF, "ledger:run-start"): ({}, keepers(NOT_ALLOWED)),
    (TENANT_URLCONF, "ledger:run"): (run_kwargs, readers()),
    (TENANT_URLCONF, "ledger:run-progress"): (run_kwargs, readers()),
    (TENANT_URLCONF, "ledger:run-confirm"): (run_kwargs, keepers(NOT_ALLOWED)),
    (TENANT_URLCONF, "ledger:run-discard"): (run_kwargs, keepers(NOT_ALLOWED)),
    (TENANT_URLCONF, "ledger:period-close"): ({}, keepers(NOT_ALLOWED)),
    (TENANT_URLCONF, "ledger:api-balances"): ({}, api(OK, dispatcher=FORBIDDEN)),
    (TENANT_URLCONF, "ledger:api-journal"): (
        account_kwargs,
        api(OK, dispatcher=FORBIDDEN, owner=NOT_FOUND, resident=NOT_FOUND),
    ),
    (TENANT_URLCONF, "ledger:api-runs"): (
        {},
        api(FORBIDDEN, **dict.fromkeys(BOARD, OK), accountant=OK),
    ),
    (TENANT_URLCONF, "ledger:api-tariffs"): ({}, api(OK, dispatcher=FORBIDDEN)),
}
