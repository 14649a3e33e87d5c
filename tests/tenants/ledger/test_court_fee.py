"""The state fee for a court order (ГПК РФ ст. 123 ч. 2, НК РФ ст. 333.19 п. 1) at the scale's
band edges, before and after the scale of 9 September 2024."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tenants.ledger.payments.court_fee import court_order_fee

NEW = datetime.date(2026, 3, 1)
OLD = datetime.date(2024, 9, 8)


@pytest.mark.parametrize(
    ("claim", "on", "claim_fee", "fee"),
    [
        # from 09.09.2024: 4,000 ₽ up to 100,000; then 4,000 + 3 % over 100,000; ...
        ("1500.00", NEW, "4000", "2000"),
        ("100000.00", NEW, "4000", "2000"),
        ("100000.01", NEW, "4000", "2000"),
        ("150000.00", NEW, "5500", "2750"),
        ("300000.00", NEW, "10000", "5000"),
        ("400000.00", NEW, "12500", "6250"),
        ("2000000.00", NEW, "35000", "17500"),
        ("1000000000.00", NEW, "900000", "450000"),  # the cap
        # until 08.09.2024: 4 % but at least 400 ₽ up to 20,000; 800 + 3 % over 20,000; ...
        ("5000.00", OLD, "400", "200"),
        ("20000.00", OLD, "800", "400"),
        ("50000.00", OLD, "1700", "850"),
        ("150000.00", OLD, "4200", "2100"),
        ("12345.67", OLD, "494", "247"),  # 493.83 → 246.91... → whole roubles
        ("1000000000.00", OLD, "60000", "30000"),
    ],
)
def test_court_order_fee_by_band(claim, on, claim_fee, fee):
    result = court_order_fee(Decimal(claim), on)
    assert (result.claim_fee, result.amount) == (Decimal(claim_fee), Decimal(fee))


def test_the_scale_is_chosen_by_the_filing_day():
    assert court_order_fee(Decimal("50000"), OLD).scale.since < datetime.date(2024, 9, 9)
    assert court_order_fee(Decimal("50000"), OLD + datetime.timedelta(days=1)).amount == 2000
