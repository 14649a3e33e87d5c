"""Shares of premises as exact fractions: the project's one share parser and one formatter.

A share of common ownership (ГК РФ ст. 245; ЖК РФ ст. 48 ч. 3 weighs votes by it) is kept as
an exact fraction in (0, 1]. The registry's forms and API read what a person types (``1/3``,
``1``, ``0.5`` or ``0,5``); the import reads spreadsheet cells too (``spreadsheet=True``): a
percentage (``50 %``), a number as Excel stores it, and a date Excel made of a typed ``1/2``,
refused with its own code. Everything is shown as ``format_share`` writes it.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Shares like 1/3 are kept exact; a denominator this large is surely a typing error.
MAX_SHARE_DENOMINATOR = 1_000_000
#: The forms a typed share may take, checked before ``Fraction`` sees the text: ``Fraction``
#: itself accepts exponents ("1e-999999999"), whose exact value takes a worker minutes to build.
DECIMAL_SHARE = re.compile(r"[0-9]{1,9}(?:[.,][0-9]{1,9})?")
FRACTION_SHARE = re.compile(r"([0-9]{1,9})/([0-9]{1,9})")
PERCENT_SHARE = re.compile(r"([0-9]{1,9}(?:[.,][0-9]{1,9})?)%")
#: Longer text is refused before it is even cleaned (forms and the API cap it too).
MAX_SHARE_TEXT = 30


def _invalid_share() -> ValidationError:
    return ValidationError(
        _("Write the share as a fraction like 1/3, or 1 for the whole premises."),
        code="invalid_share",
    )


def out_of_range() -> ValidationError:
    """The refusal of a share that is not more than 0 and at most 1 (services use it too)."""
    return ValidationError(
        _("A share must be more than 0 and at most 1."), code="share_out_of_range"
    )


def _from_text(text: str, *, spreadsheet: bool) -> Fraction:
    if len(text) > MAX_SHARE_TEXT:
        raise _invalid_share()
    text = "".join(text.split())
    fraction = FRACTION_SHARE.fullmatch(text)
    if fraction is not None:
        numerator, denominator = (int(part) for part in fraction.groups())
        if denominator == 0:
            raise _invalid_share()
        return Fraction(numerator, denominator)
    if DECIMAL_SHARE.fullmatch(text):
        return Fraction(text.replace(",", "."))
    percent = PERCENT_SHARE.fullmatch(text) if spreadsheet else None
    if percent is not None:
        return Fraction(percent.group(1).replace(",", ".")) / 100
    raise _invalid_share()


def _from_cell(value) -> Fraction:
    """A share from a spreadsheet cell that is not text."""
    if isinstance(value, datetime.date):
        # Excel turns a typed 1/2 into the 1st of February.
        raise ValidationError(
            _(
                "Excel turned the share into a date: format the column as text and type the "
                "share again"
            ),
            code="share_date",
        )
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _invalid_share()
        share = Fraction(value).limit_denominator(1000)
        if abs(float(share) - value) > 1e-9:  # not a simple fraction Excel stored as a number
            share = Fraction(repr(value))
        return share
    try:
        return Fraction(value)  # int or Decimal
    except (ValueError, OverflowError):  # a Decimal NaN or infinity
        raise _invalid_share() from None


def parse_share(value, *, spreadsheet: bool = False) -> Fraction:
    """A share as an exact fraction in (0, 1]: ``1/3``, ``1``, ``0.5`` (``0,5``); a
    ``ValidationError`` (codes ``invalid_share``, ``share_out_of_range``, ``share_denominator``
    and, from a spreadsheet, ``share_date``) otherwise.

    Only plain digits are accepted (at most nine on each side of the point or the slash);
    exponents, signs, other scripts' digits and anything longer are refused as a format error.
    With ``spreadsheet``, also ``50%`` and the numbers and dates a spreadsheet cell holds.
    """
    if isinstance(value, bool):
        raise _invalid_share()
    if isinstance(value, Fraction):
        share = value
    elif isinstance(value, str):
        share = _from_text(value, spreadsheet=spreadsheet)
    elif spreadsheet and isinstance(value, int | float | Decimal | datetime.date):
        share = _from_cell(value)
    elif isinstance(value, int | float):
        share = _from_text(str(value), spreadsheet=False)
    else:
        raise _invalid_share()
    if not 0 < share <= 1:
        raise out_of_range()
    if share.denominator > MAX_SHARE_DENOMINATOR:
        raise ValidationError(
            _("The share's denominator is too large; write it as a simple fraction."),
            code="share_denominator",
        )
    return share


def format_share(share) -> str:
    """``1/3``, or ``1`` for a whole."""
    share = Fraction(share)
    if share.denominator == 1:
        return str(share.numerator)
    return f"{share.numerator}/{share.denominator}"
