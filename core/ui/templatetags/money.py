"""Money in templates: ``{{ amount|money }}`` → «14 685,91» in Russian, "14,685.91" in English
(the active language's separators, always two decimals, grouped), ``{{ amount|money_abs }}`` the
same without the sign (a prepayment is shown as a positive amount with its own words)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@lru_cache(maxsize=16)
def _separators(language: str | None) -> tuple[str, str] | None:
    """(decimal, thousands) separators of ``language`` when it groups by threes, else None."""
    if formats.get_format("NUMBER_GROUPING", language, use_l10n=True) != 3:
        return None
    return (
        str(formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True)),
        str(formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True)),
    )


@register.filter
def money(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    separators = _separators(get_language())
    if separators is not None and amount.is_finite() and amount.as_tuple().exponent >= -2:
        # Whole kopecks (every amount of the ledger): what ``number_format`` makes, without
        # its per-call lookups (an account page formats hundreds of amounts).
        decimal_sep, thousand_sep = separators
        text = f"{amount if amount else Decimal(0):,.2f}"
        return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousand_sep)
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


@register.filter
def money_abs(value) -> str:
    amount = _decimal(value)
    return "" if amount is None else money(abs(amount))
