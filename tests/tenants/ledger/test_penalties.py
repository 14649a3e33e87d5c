"""Worked cases of ЖК РФ ст. 155 ч. 14 (``tenants.ledger.penalties``): no database.

The debt of 10 000,00 ₽ for February 2025 is due on 10 March 2025 (the 10th of the following
month); day 1 is 11 March. Days 1–30 are free, 31–90 cost D × r / 300 a day, from 91 D × r / 130.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tenants.ledger.penalties import (
    CharterTerms,
    KeyRate,
    Limit,
    MonthlyDebt,
    RateTable,
    calculate,
    charter_penalty,
    due_date,
    penalty_for_debt,
)

D = datetime.date
DUE = D(2025, 3, 10)
TABLE = RateTable(rates=(KeyRate(D(2024, 10, 28), Decimal("20")),))


def debt(amount="10000.00", repayments=()):
    return MonthlyDebt(
        period=D(2025, 2, 1), amount=Decimal(amount), due_on=DUE, repayments=tuple(repayments)
    )


def day(number: int) -> datetime.date:
    return DUE + datetime.timedelta(days=number)


def total(until, table=TABLE, **kwargs):
    return penalty_for_debt(debt(**kwargs), table, until=until).total


def test_due_dates_before_and_after_march_2026():
    assert due_date(D(2025, 2, 1)) == D(2025, 3, 10)
    assert due_date(D(2026, 1, 1)) == D(2026, 2, 10)
    # February 2026 is the first month due on the 15th (ЖК ст. 155 ч. 1 as amended).
    assert due_date(D(2026, 2, 1)) == D(2026, 3, 15)
    assert due_date(D(2026, 12, 1)) == D(2027, 1, 15)
    # The association's own day counts only under the old rule.
    assert due_date(D(2025, 5, 1), association_day=20) == D(2025, 6, 20)
    assert due_date(D(2026, 3, 1), association_day=20) == D(2026, 4, 15)


def test_day_30_is_free_and_day_31_is_charged_at_one_300th():
    assert total(day(30)) == Decimal("0.00")
    # 10 000 × 20 % / 300 = 6,666… → 6,67
    assert total(day(31)) == Decimal("6.67")


def test_day_90_ends_the_first_tier_and_day_91_starts_one_130th():
    # 60 days × 10 000 × 20 % / 300 = 400,00
    assert total(day(90)) == Decimal("400.00")
    # plus 1 day × 10 000 × 20 % / 130 = 15,384… → 15,38
    calc = penalty_for_debt(debt(), TABLE, until=day(91))
    assert calc.total == Decimal("415.38")
    assert calc.days_in_tier(300) == 60
    assert calc.days_in_tier(130) == 1
    assert [(line.first_day_number, line.last_day_number) for line in calc.lines] == [
        (31, 90),
        (91, 91),
    ]


def test_the_rate_of_the_calculation_day_applies_to_every_day():
    table = RateTable(
        rates=(KeyRate(D(2024, 10, 28), Decimal("20")), KeyRate(day(70), Decimal("18")))
    )
    # Calculated on day 60 (rate 20 %): 30 days × 6,666… = 200,00.
    assert total(day(60), table) == Decimal("200.00")
    # Calculated on day 90 (rate 18 % since day 70): all 60 days at 18 %: 360,00.
    assert total(day(90), table) == Decimal("360.00")


def test_a_paid_debt_is_recomputed_at_the_payment_days_rate():
    table = RateTable(
        rates=(KeyRate(D(2024, 10, 28), Decimal("20")), KeyRate(day(100), Decimal("15")))
    )
    paid = debt(repayments=[(day(90), Decimal("10000.00"))])
    calc = penalty_for_debt(paid, table, until=day(120))
    assert calc.paid_off_on == day(90)
    assert calc.key_rate == Decimal("20")
    assert calc.total == Decimal("400.00")


def test_a_partial_payment_reduces_the_debt_from_the_next_day():
    # 4 000 paid on day 60: days 31–60 on 10 000 (the payment day itself on the old debt),
    # days 61–90 on 6 000: 200,00 + 30 × 6 000 × 20 % / 300 = 120,00.
    calc = penalty_for_debt(debt(repayments=[(day(60), Decimal("4000"))]), TABLE, until=day(90))
    assert [line.debt for line in calc.lines] == [Decimal("10000.00"), Decimal("6000.00")]
    assert calc.total == Decimal("320.00")


def test_a_payment_within_the_grace_days_leaves_the_rest_to_age():
    calc = penalty_for_debt(debt(repayments=[(day(5), Decimal("7000"))]), TABLE, until=day(31))
    assert calc.lines[0].debt == Decimal("3000.00")
    assert calc.total == Decimal("2.00")


def test_a_moratorium_stops_penalties_but_the_days_still_count():
    table = RateTable(rates=TABLE.rates, limits=(Limit(day(41), day(50), None, "moratorium"),))
    calc = penalty_for_debt(debt(), table, until=day(91))
    # Days 31–40 (66,67) and 51–90 (266,67), each line rounded; day 91 is in the second tier.
    assert calc.days_in_tier(300) == 50
    assert calc.days_in_tier(130) == 1
    assert calc.total == Decimal("66.67") + Decimal("266.67") + Decimal("15.38")
    assert [line.fraction for line in calc.lines] == ["1/300", "—", "1/300", "1/130"]


def test_a_cap_limits_the_rate_only_on_its_days():
    table = RateTable(rates=TABLE.rates, limits=(Limit(day(31), day(60), Decimal("9.5"), "cap"),))
    calc = penalty_for_debt(debt(), table, until=day(90))
    # 30 days at 9,5 % (95,00) + 30 days at 20 % (200,00)
    assert [line.rate for line in calc.lines] == [Decimal("9.5"), Decimal("20")]
    assert calc.total == Decimal("295.00")


def test_each_month_ages_on_its_own_and_penalties_are_not_compounded():
    january = MonthlyDebt(D(2025, 1, 1), Decimal("5000"), due_date(D(2025, 1, 1)))
    february = MonthlyDebt(D(2025, 2, 1), Decimal("5000"), due_date(D(2025, 2, 1)))
    calc = calculate([february, january], TABLE, until=D(2025, 4, 12))
    # January's debt (due 10 Feb) is on day 61, February's (due 10 Mar) on day 33.
    assert [d.period for d in calc.debts] == [D(2025, 1, 1), D(2025, 2, 1)]
    assert calc.debts[0].days_in_tier(300) == 31
    assert calc.debts[1].days_in_tier(300) == 3
    assert calc.total == Decimal("103.33") + Decimal("10.00")


def test_no_rate_in_force_is_an_error_not_a_zero():
    with pytest.raises(LookupError):
        total(day(40), RateTable(rates=(KeyRate(D(2030, 1, 1), Decimal("5")),)))


def test_charter_terms_and_none_by_default():
    assert charter_penalty([debt()], None, until=day(100)) == Decimal("0.00")
    terms = CharterTerms(daily_percent=Decimal("0.1"), grace_days=0)
    assert charter_penalty([debt()], terms, until=day(10)) == Decimal("100.00")
    capped = CharterTerms(daily_percent=Decimal("0.1"), cap_percent=Decimal("5"))
    assert charter_penalty([debt()], capped, until=day(100)) == Decimal("500.00")
