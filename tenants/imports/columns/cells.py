"""How a cell is read: numbers, areas, dates, shares, ИНН/ОГРН, emails, phones, yes/no.

A cell that cannot be read raises ``CellError`` with a message code, never another exception.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tenants.imports.columns.text import as_text
from tenants.residents import shares
from tenants.residents.models import PremisesKind, cadastral_validator
from tenants.residents.validators import (
    inn_is_valid,
    ogrn_is_valid,
)

MAX_AREA = Decimal("99999999.99")
TWO_PLACES = Decimal("0.01")


class CellError(Exception):
    """A cell that cannot be read: a message code and its (non-personal) parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Context:
    """What reading a row depends on besides the row: the default premises kind, today."""

    default_kind: str = PremisesKind.FLAT
    today: datetime.date = field(default_factory=datetime.date.today)


def _limited(max_length: int, *, required: bool = False) -> Callable:
    def clean(value, ctx, column):
        text = as_text(value)
        if required and not text:
            raise CellError("required")
        if len(text) > max_length:
            raise CellError("too_long", max=max_length)
        return text

    return clean


def _integer(value, *, low: int, high: int, code: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(code)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if value != int(value):
            raise CellError(code)
        number = int(value)
    else:
        text = as_text(value)
        if not text:
            return None
        if not re.fullmatch(r"[-−]?\d{1,6}", text):
            raise CellError(code)
        number = int(text.replace("−", "-"))
    if not low <= number <= high:
        raise CellError(code)
    return number


def clean_floor(value, ctx, column):
    return _integer(value, low=-10, high=200, code="floor_invalid")


def clean_residents(value, ctx, column):
    return _integer(value, low=0, high=32767, code="residents_invalid")


def clean_area(value, ctx, column) -> str:
    """Area in m² with at most two decimals, as a string (exact Decimal, JSON-safe)."""
    if value is None or value == "":
        raise CellError("required")
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, int | Decimal):
            area = Decimal(value)
        elif isinstance(value, float):
            area = Decimal(repr(value))
        else:
            text = as_text(value).replace(" ", "").replace(",", ".")
            text = re.sub(r"(?i)(м2|м²|кв\.?м\.?|m2|m²)$", "", text)
            if not re.fullmatch(r"\d+(\.\d+)?", text):
                raise InvalidOperation
            area = Decimal(text)
    except (InvalidOperation, ValueError):
        raise CellError("area_invalid") from None
    if not area.is_finite() or area <= 0 or area > MAX_AREA:
        raise CellError("area_invalid")
    if area != area.quantize(TWO_PLACES):
        raise CellError("area_precision")
    return str(area.quantize(TWO_PLACES))


def clean_cadastral(value, ctx, column) -> str:
    text = as_text(value).replace(" ", "")
    if not text:
        return ""
    try:
        cadastral_validator(text)
    except ValidationError:
        raise CellError("cadastral_invalid") from None
    return text


def _digits(value, lengths: tuple[int, ...]) -> str:
    text = as_text(value)
    digits = re.sub(r"[\s-]", "", text)
    # Excel drops a leading zero of a number (ИНН of Bashkortostan start with 02...).
    if isinstance(value, int | float) and len(digits) + 1 in lengths:
        digits = "0" + digits
    return digits


def clean_inn(value, ctx, column) -> str:
    digits = _digits(value, (10, 12))
    if not digits:
        return ""
    if not inn_is_valid(digits):
        raise CellError("inn_invalid")
    return digits


def clean_ogrn(value, ctx, column) -> str:
    digits = _digits(value, (13, 15))
    if not digits:
        return ""
    if not ogrn_is_valid(digits):
        raise CellError("ogrn_invalid")
    return digits


def clean_share(value, ctx, column) -> str | None:
    """A share as the registry writes it (``1/2``); the registry's one parser reads the cell."""
    if value is None or (isinstance(value, str) and not as_text(value)):
        return None
    try:
        share = shares.parse_share(value, spreadsheet=True)
    except ValidationError as error:
        raise CellError("share_date" if error.code == "share_date" else "share_invalid") from None
    return shares.format_share(share)


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_date(value, ctx) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = as_text(value).split(" ")[0]
        if not text:
            return None
        for pattern in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise CellError("date_invalid")
    if day.year < 1900:
        raise CellError("date_invalid")
    if day > ctx.today:
        raise CellError("date_future")
    return day


def clean_date(value, ctx, column) -> str | None:
    day = parse_date(value, ctx)
    return day.isoformat() if day else None


def clean_email(value, ctx, column) -> str:
    text = as_text(value)
    if not text:
        return ""
    if text.lower().startswith("mailto:"):
        text = text[7:]
    try:
        validate_email(text)
    except ValidationError:
        raise CellError("email_invalid") from None
    if len(text) > 254:
        raise CellError("email_invalid")
    return text


def clean_phone(value, ctx, column) -> str:
    text = as_text(value)
    if not text:
        return ""
    if not 10 <= len(re.sub(r"\D", "", text)) <= 15 or len(text) > 40:
        raise CellError("phone_invalid")
    return text


YES = {"да", "д", "yes", "y", "1", "+", "true", "член", "является", "истина"}
NO = {"нет", "н", "no", "n", "0", "-", "false", "не член", "не является", "ложь"}


def clean_member(value, ctx, column) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = as_text(value).casefold().replace("ё", "е").strip(" .")
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError("member_invalid")
