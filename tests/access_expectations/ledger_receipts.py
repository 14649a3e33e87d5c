"""Expectations of the receipts' pages (issue 12).

A member's receipts list opens for the members and for those who read every account (the board
and the accountant); a receipt of someone else's account is a 404 for everyone (here: an account
nobody in the test holds, for a month without entries, which has no receipt). The month's
whole-association PDF is the readers' alone; starting one is a POST (405 for a GET, before any
role check).
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

READERS = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value, Role.ACCOUNTANT.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)


def receipt_kwargs(_association):
    from tests.tenants.residents.factories import make_premises

    return {"account": make_premises().accounts.get().pk, "month": "2025-05"}


def batch_kwargs(_association):
    import datetime

    from tenants.ledger.receipts.models import ReceiptBatch

    return {"pk": ReceiptBatch.objects.create(period=datetime.date(2025, 5, 1)).pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    # the board names an account (none named: 400); members list their own (none here: [])
    (TENANT_URLCONF, "receipts:api-receipts"): (
        {},
        api(FORBIDDEN, **dict.fromkeys(READERS, 400), **dict.fromkeys(MEMBERS, OK)),
    ),
    (TENANT_URLCONF, "receipts:index"): (
        {},
        answers(FORBIDDEN, **dict.fromkeys(READERS + MEMBERS, OK)),
    ),
    (TENANT_URLCONF, "receipts:receipt"): (
        receipt_kwargs,
        answers(FORBIDDEN, **dict.fromkeys(READERS + MEMBERS, NOT_FOUND)),
    ),
    (TENANT_URLCONF, "receipts:start-batch"): ({}, answers(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    (TENANT_URLCONF, "receipts:batch"): (
        batch_kwargs,
        answers(FORBIDDEN, **dict.fromkeys(READERS, OK)),
    ),
}
