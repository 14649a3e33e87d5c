"""The state fee (государственная пошлина) for a court order against a debtor, as dated data.

ГПК РФ ст. 123 ч. 2 and НК РФ ст. 333.19 п. 1 пп. 2: an application for a court order
(судебный приказ) pays 50 % of the fee for a property claim of the same amount, which
НК РФ ст. 333.19 п. 1 пп. 1 sets on a scale. The scale changed on 9 September 2024 (Федеральный
закон от 08.08.2024 № 259-ФЗ); a claim filed on a day is charged by the scale in force that day,
so both are kept, each with the day it took effect. The fee is paid in whole roubles (НК РФ
ст. 52 п. 6: under 50 kopecks dropped, 50 and over rounded up).

Each scale is a list of bands ``(over, base, percent)``: for a claim above ``over`` roubles the
fee is ``base`` plus ``percent`` of the part above ``over``; ``minimum`` and ``maximum`` bound it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Scale:
    since: datetime.date
    bands: tuple[tuple[int, int, str], ...]
    minimum: int
    maximum: int | None
    source: str


SCALES: tuple[Scale, ...] = (
    Scale(
        since=datetime.date(2005, 1, 1),
        bands=(
            (0, 0, "4"),
            (20_000, 800, "3"),
            (100_000, 3_200, "2"),
            (200_000, 5_200, "1"),
            (1_000_000, 13_200, "0.5"),
        ),
        minimum=400,
        maximum=60_000,
        source="НК РФ ст. 333.19 п. 1 пп. 1 (ред. до 09.09.2024)",
    ),
    Scale(
        since=datetime.date(2024, 9, 9),
        bands=(
            (0, 4_000, "0"),
            (100_000, 4_000, "3"),
            (300_000, 10_000, "2.5"),
            (500_000, 15_000, "2"),
            (1_000_000, 25_000, "1"),
            (3_000_000, 45_000, "0.7"),
            (8_000_000, 80_000, "0.35"),
            (24_000_000, 136_000, "0.3"),
            (50_000_000, 214_000, "0.2"),
            (100_000_000, 314_000, "0.15"),
        ),
        minimum=4_000,
        maximum=900_000,
        source="НК РФ ст. 333.19 п. 1 пп. 1 (ред. Федерального закона от 08.08.2024 № 259-ФЗ)",
    ),
)

#: ГПК РФ ст. 123 ч. 2, НК РФ ст. 333.19 п. 1 пп. 2.
COURT_ORDER_SHARE = Decimal("0.5")


@dataclass(frozen=True)
class Fee:
    claim: Decimal
    claim_fee: Decimal
    amount: Decimal
    scale: Scale


def scale_on(day: datetime.date) -> Scale:
    return [s for s in SCALES if s.since <= day][-1]


def _whole_roubles(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def claim_fee(claim: Decimal, on: datetime.date) -> tuple[Decimal, Scale]:
    """The fee for a property claim of ``claim`` roubles filed on ``on`` (before halving)."""
    scale = scale_on(on)
    bands = [band for band in scale.bands if claim > band[0]] or [scale.bands[0]]
    over, base, percent = bands[-1]
    fee = Decimal(base) + (claim - over) * Decimal(percent) / 100
    fee = max(fee, Decimal(scale.minimum))
    if scale.maximum is not None:
        fee = min(fee, Decimal(scale.maximum))
    return fee, scale


def court_order_fee(claim: Decimal, on: datetime.date) -> Fee:
    """The state fee for an application for a court order claiming ``claim`` roubles."""
    full, scale = claim_fee(claim, on)
    return Fee(
        claim=claim,
        claim_fee=_whole_roubles(full),
        amount=_whole_roubles(full * COURT_ORDER_SHARE),
        scale=scale,
    )
