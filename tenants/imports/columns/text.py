"""Cells and headers as text: whitespace collapsed, case and punctuation ignored."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from tenants.residents.validators import (
    normalize_phone,
)


def as_text(value: Any) -> str:
    """A cell as text, whitespace collapsed; Excel's numbers without a spurious ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, datetime.datetime):
        text = value.strftime("%d.%m.%Y") if value.time() == datetime.time() else str(value)
    elif isinstance(value, datetime.date):
        text = value.strftime("%d.%m.%Y")
    else:
        text = str(value)
    return " ".join(text.split())


def normalize(text: str) -> str:
    """Lower case, «ё» as «е», punctuation and repeated spaces dropped."""
    text = str(text or "").replace("ё", "е").replace("Ё", "Е").casefold()
    text = re.sub(r"[\s_.,:;*\"'«»()\[\]-]+", " ", text)
    return text.strip()


def phone_key(phone: str) -> str:
    """A phone reduced to digits, as the registry's phone index sees it."""
    return normalize_phone(phone)
