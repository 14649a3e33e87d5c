"""Exact fractions as the voting pages and the protocol write them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def format_fraction(value) -> str:
    """``1/3``, or ``1`` for a whole."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def as_decimal(value: Fraction, places: int = 2) -> Decimal:
    """A weight for reading (m² of votes), rounded half up to ``places`` only for display."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


def percent(part: Fraction, whole: Fraction, places: int = 2) -> Decimal:
    """``part`` of ``whole`` in per cent, for reading; 0 when ``whole`` is 0."""
    if not whole:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    return as_decimal(Fraction(part) * 100 / Fraction(whole), places)


def readable(value) -> str:
    """A weight for reading: a whole number as such (votes of members), else two decimals."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return str(as_decimal(value))
