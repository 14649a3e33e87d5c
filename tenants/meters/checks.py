"""Checking a typed reading: digits, the previous figure and rollover, the usual consumption.

Pure functions (no database): the services call them under the register's lock and raise what
they return as ``ValidationError`` naming the field.

* A reading is digits with at most one decimal point or comma, at most as many digits as the
  meter's face shows before and after the point.
* A reading lower than the previous one is an error unless the meter rolled over (its face
  passed 10**digits - 1 and started from zero again: the previous figure near the top, the new
  one near zero) or was replaced (a new meter starts from its own initial reading, so its
  readings are never compared with the old one's). Zero consumption is valid (Правила 354;
  ``../shared/DOMAIN.md``, meters).
* A consumption far above the meter's own usual consumption asks to be confirmed and is flagged
  for the accountant. "Usual" is a robust band over the meter's monthly history: the median
  plus ``ANOMALY_K`` times a scale, the scale being the larger of the median absolute deviation
  (× 1.4826, its normal-consistent factor), a quarter of the median and a small floor per
  resource, so a perfectly regular history does not make every small change an anomaly. At
  least ``ANOMALY_MIN_MONTHS`` months of history are needed; the last ``ANOMALY_MONTHS`` count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from tenants.meters.models import MeterKind

VALUE_RE = re.compile(r"^(\d+)(?:[.,](\d*))?$")
#: The most characters a typed reading may have (digits, a point, spaces).
MAX_TEXT = 24

#: A rollover: the previous figure in the top tenth of the face, and the consumption across the
#: zero no more than a tenth of the face.
ROLLOVER_SHARE = Decimal("0.1")

ANOMALY_K = Decimal(4)
ANOMALY_MIN_MONTHS = 3
ANOMALY_MONTHS = 12
MAD_FACTOR = Decimal("1.4826")
#: The smallest scale of the band per resource (a month's consumption that is never unusual).
ANOMALY_FLOOR = {
    MeterKind.COLD_WATER: Decimal("1"),
    MeterKind.HOT_WATER: Decimal("1"),
    MeterKind.GAS: Decimal("2"),
    MeterKind.ELECTRICITY: Decimal("20"),
    MeterKind.HEAT: Decimal("0.1"),
}


class Bad(Exception):
    """A typed reading that cannot be stored; ``code`` names why, ``params`` fill the message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def parse(text, *, digits: int, decimals: int) -> Decimal:
    """The figure typed for a meter with ``digits`` before and ``decimals`` after the point."""
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise Bad("not_a_number")
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise Bad("required")
    if len(cleaned) > MAX_TEXT:
        raise Bad("too_many_digits", digits=digits)
    match = VALUE_RE.match(cleaned)
    if match is None:
        raise Bad("not_a_number")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole.lstrip("0")) > digits:
        raise Bad("too_many_digits", digits=digits)
    if len(fraction.rstrip("0")) > decimals:
        raise Bad("too_many_decimals", decimals=decimals)
    return Decimal(f"{whole}.{fraction or '0'}")


@dataclass(frozen=True)
class Step:
    consumption: Decimal
    rolled_over: bool


def step(previous: Decimal, value: Decimal, *, capacity: Decimal) -> Step:
    """The consumption from ``previous`` to ``value``; ``Bad("lower")`` when it went down and
    that is not a rollover."""
    if value >= previous:
        return Step(value - previous, False)
    across = capacity - previous + value
    if previous >= capacity * (1 - ROLLOVER_SHARE) and across <= capacity * ROLLOVER_SHARE:
        return Step(across, True)
    raise Bad("lower", previous=previous)


@dataclass(frozen=True)
class Band:
    median: Decimal
    upper: Decimal
    months: int

    def details(self, consumption: Decimal) -> dict:
        """Why a consumption was flagged, for the accountant (figures only)."""
        return {
            "code": "above_usual",
            "consumption": str(consumption),
            "median": str(self.median),
            "upper": str(self.upper),
            "months": self.months,
        }


def usual_band(history: list[Decimal], kind: str) -> Band | None:
    """The band of usual monthly consumption over ``history`` (oldest first), or None when the
    history is too short to tell."""
    recent = [Decimal(v) for v in history[-ANOMALY_MONTHS:]]
    if len(recent) < ANOMALY_MIN_MONTHS:
        return None
    middle = Decimal(median(recent))
    mad = Decimal(median([abs(v - middle) for v in recent]))
    floor = ANOMALY_FLOOR.get(kind, Decimal("1"))
    scale = max(mad * MAD_FACTOR, middle / 4, floor)
    upper = (middle + ANOMALY_K * scale).quantize(Decimal("0.001"))
    return Band(median=middle, upper=upper, months=len(recent))


def is_anomaly(consumption: Decimal, band: Band | None) -> bool:
    return band is not None and consumption > band.upper
