"""Allocation order, the replay that feeds the penalty rule, and matching: no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tenants.ledger.payments import matching
from tenants.ledger.payments.allocation import Receipt, Share, allocate, replay

D = datetime.date
JAN, FEB, MAR = D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)


def test_oldest_charges_first_then_penalties_then_credit():
    shares = allocate(
        Decimal("2500"),
        {FEB: Decimal("1000"), JAN: Decimal("1000")},
        {JAN: Decimal("300")},
    )
    assert shares == [
        Share("charge", JAN, Decimal("1000")),
        Share("charge", FEB, Decimal("1000")),
        Share("penalty", JAN, Decimal("300")),
        Share("credit", None, Decimal("200")),
    ]


def test_the_named_month_is_paid_first():
    shares = allocate(
        Decimal("1500"), {JAN: Decimal("1000"), FEB: Decimal("1000")}, named_period=FEB
    )
    assert shares == [Share("charge", FEB, Decimal("1000")), Share("charge", JAN, Decimal("500"))]


def test_charges_before_penalties_even_when_penalties_are_older():
    shares = allocate(Decimal("100"), {MAR: Decimal("100")}, {JAN: Decimal("50")})
    assert shares == [Share("charge", MAR, Decimal("100"))]


def test_replay_gives_each_month_its_repayments_and_credit_pays_later_charges():
    charges = {
        JAN: (Decimal("1000"), D(2025, 1, 31)),
        FEB: (Decimal("1000"), D(2025, 2, 28)),
    }
    repaid = replay(charges, [Receipt(D(2025, 2, 5), Decimal("1500"))])
    assert repaid[JAN] == [(D(2025, 2, 5), Decimal("1000"))]
    # 500 paid before February was charged: credit that pays it on the day it is charged.
    assert repaid[FEB] == [(D(2025, 2, 28), Decimal("500"))]


KNOWN = {"0012", "0013", "12-7"}


def test_matches_the_account_after_a_keyword_and_reads_the_month():
    found = matching.match(
        purpose="Оплата ЖКУ л/с 0012 за февраль 2025, кв. 13",
        recipient_inn="7700000000",
        recipient_account="40703810900000000001",
        known_accounts=KNOWN | {"13"},
        own_inn="7700000000",
    )
    assert found.matched
    assert found.account_number == "0012"
    assert found.named_period == FEB


def test_two_accounts_or_none_wait_for_a_person():
    common = {"recipient_inn": "", "recipient_account": "", "known_accounts": KNOWN}
    assert matching.match(purpose="0012 и 0013", **common).reason == matching.AMBIGUOUS
    assert matching.match(purpose="за квартиру", **common).reason == matching.NO_ACCOUNT
    assert matching.match(purpose="ЛС:12-7 за 03.2025", **common).account_number == "12-7"
    assert matching.named_period("ЛС 0012 за 03.2025") == MAR
    assert matching.named_period("за мая 2025") == D(2025, 5, 1)


def test_money_for_another_recipient_waits():
    found = matching.match(
        purpose="л/с 0012",
        recipient_inn="7711111111",
        recipient_account="40702810000000000999",
        known_accounts=KNOWN,
        own_inn="7700000000",
        own_accounts={"40703810900000000001"},
    )
    assert found.reason == matching.OTHER_RECIPIENT
