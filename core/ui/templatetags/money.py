"""Money in templates: ``{{ amount|money }}`` → «14 685,91» in Russian, "14,685.91" in English
(the active language's separators, always two decimals, grouped), ``{{ amount|money_abs }}`` the
same without the sign (a prepayment is shown as a positive amount with its own words)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def money(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


@register.filter
def money_abs(value) -> str:
    amount = _decimal(value)
    return "" if amount is None else money(abs(amount))
