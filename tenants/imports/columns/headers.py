"""Headers: which column a header of the file names."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation

from tenants.imports.columns.definitions import COLUMNS
from tenants.imports.columns.text import as_text, normalize


@cache
def _header_table(language_codes: tuple[str, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in COLUMNS:
        for alias in (column.key, *column.aliases):
            table.setdefault(normalize(alias), column.key)
        for code in language_codes:
            with translation.override(code):
                table.setdefault(normalize(str(column.label)), column.key)
    return table


def column_for_header(header: Any) -> str | None:
    """The column key a header names, or None; «Площадь, м²» is found by «Площадь» too."""
    table = _header_table(tuple(code for code, _name in settings.LANGUAGES))
    text = as_text(header)
    for candidate in (text, re.split(r"[,(]", text, maxsplit=1)[0]):
        key = table.get(normalize(candidate))
        if key:
            return key
    return None
