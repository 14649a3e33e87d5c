"""Expectations of the payment and penalty pages and their API (issue 12).

The board (chairman, board member) and the accountant read them; only the accountant writes
(entering a payment, a bank statement, assigning from the queue, an instalment plan: the board
gets 403). Members and the dispatcher get 403: members see their payments on their own account
page. POST-only URLs answer a GET with 405 for the accountant.
"""

from __future__ import annotations

from tests.access_expectations import FORBIDDEN, NOT_ALLOWED, OK, TENANT_URLCONF
from tests.access_expectations.ledger import api, keepers, readers

BOARD_AND_ACCOUNTANT = ("chairman", "board_member", "accountant")


def _readers_api():
    return api(FORBIDDEN, **dict.fromkeys(BOARD_AND_ACCOUNTANT, OK))


def account_kwargs(_association):
    from tests.tenants.residents.factories import make_premises

    return {"pk": make_premises().accounts.get().pk}


def statement_kwargs(_association):
    from tenants.ledger.payments.models import BankStatement

    return {"pk": BankStatement.objects.create(file_format="1c", rows=[]).pk}


def queued_kwargs(_association):
    import datetime
    import uuid
    from decimal import Decimal

    from tenants.ledger.payments.models import Payment, PaymentSource, PaymentStatus

    payment = Payment.objects.create(
        source=PaymentSource.STATEMENT,
        source_id=uuid.uuid4().hex,
        status=PaymentStatus.QUEUED,
        amount=Decimal("100.00"),
        paid_on=datetime.date(2025, 5, 5),
        queue_reason="no_account",
    )
    return {"pk": payment.pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "ledger:payments"): ({}, readers()),
    (TENANT_URLCONF, "ledger:payment-add"): ({}, keepers(OK)),
    (TENANT_URLCONF, "ledger:statement-upload"): ({}, keepers(OK)),
    (TENANT_URLCONF, "ledger:statement"): (statement_kwargs, readers()),
    (TENANT_URLCONF, "ledger:statement-confirm"): (statement_kwargs, keepers(NOT_ALLOWED)),
    (TENANT_URLCONF, "ledger:queue"): ({}, readers()),
    (TENANT_URLCONF, "ledger:queue-assign"): (queued_kwargs, keepers(NOT_ALLOWED)),
    (TENANT_URLCONF, "ledger:debtors"): ({}, readers()),
    (TENANT_URLCONF, "ledger:penalty-calculation"): (account_kwargs, readers()),
    (TENANT_URLCONF, "ledger:court-order"): (account_kwargs, readers()),
    (TENANT_URLCONF, "ledger:instalments"): ({}, readers()),
    (TENANT_URLCONF, "ledger:instalment-add"): ({}, keepers(OK)),
    (TENANT_URLCONF, "ledger:api-payments"): ({}, _readers_api()),
    (TENANT_URLCONF, "ledger:api-debtors"): ({}, _readers_api()),
}
