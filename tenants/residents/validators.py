"""Formats of the registry's numbers: ИНН, ОГРН and phone numbers (shares: ``shares``).

The check digits follow the rules of the tax service (ФНС), which issues both numbers:

* ИНН (taxpayer number): 10 digits for an organisation, 12 for a person or sole trader, with one
  or two check digits (a weighted sum mod 11 mod 10).
* ОГРН (primary state registration number, Правила ведения ЕГРЮЛ, Постановление Правительства
  РФ от 19.06.2002 № 438): 13 digits for an organisation, the last one being the first 12 mod 11
  mod 10; ОГРНИП of a sole trader has 15 digits, the last one the first 14 mod 13 mod 10.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Shares are read and written in one place; the registry's forms and API import them from here.
from tenants.residents.shares import (  # noqa: F401
    MAX_SHARE_DENOMINATOR,
    MAX_SHARE_TEXT,
    format_share,
    parse_share,
)

INN_10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    if not re.fullmatch(r"\d{10}|\d{12}", value or ""):
        return False
    if len(value) == 10:
        return _check_digit(value, INN_10_WEIGHTS) == int(value[9])
    return _check_digit(value, INN_11_WEIGHTS) == int(value[10]) and _check_digit(
        value, INN_12_WEIGHTS
    ) == int(value[11])


def ogrn_is_valid(value: str) -> bool:
    if re.fullmatch(r"\d{13}", value or ""):
        return int(value[:12]) % 11 % 10 == int(value[12])
    if re.fullmatch(r"\d{15}", value or ""):
        return int(value[:14]) % 13 % 10 == int(value[14])
    return False


def validate_inn(value: str) -> None:
    if not inn_is_valid(value):
        raise ValidationError(
            _("An ИНН has 10 digits (an organisation) or 12 (a person); check the digits."),
            code="invalid_inn",
        )


def validate_ogrn(value: str) -> None:
    if not ogrn_is_valid(value):
        raise ValidationError(
            _("An ОГРН has 13 digits (15 for a sole trader); check the digits."),
            code="invalid_ogrn",
        )


def normalize_phone(value) -> str:
    """Digits only, Russian numbers as 7XXXXXXXXXX (8 912… and 912… mean +7 912…)."""
    digits = re.sub(r"\D", "", str(value))
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    return digits


def validate_phone(value: str) -> None:
    if not 10 <= len(re.sub(r"\D", "", value or "")) <= 15:
        raise ValidationError(
            _("Enter a phone number with its code, e.g. +7 912 345-67-89."), code="invalid_phone"
        )
