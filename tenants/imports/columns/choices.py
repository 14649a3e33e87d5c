"""Cells naming a choice (premises kind, title document) by code, label or a usual alias."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

from tenants.imports.columns.cells import (
    CellError,
)
from tenants.imports.columns.text import as_text, normalize
from tenants.residents.models import DocumentKind, PremisesKind


def _choice(aliases: dict[str, str], choices: type, code: str) -> Callable:
    """A cell naming one of ``choices`` by its code, label (any language) or an alias."""

    def clean(value, ctx, column):
        text = normalize(as_text(value))
        if not text:
            return None
        found = _choice_table(code, aliases, choices).get(text)
        if found is None:
            raise CellError(code)
        return found

    return clean


_CHOICE_TABLES: dict[str, dict[str, str]] = {}


def _choice_table(name: str, aliases: dict[str, str], choices: type) -> dict[str, str]:
    table = _CHOICE_TABLES.get(name)
    if table is None:
        table = {normalize(alias): str(value) for alias, value in aliases.items()}
        for value in choices.values:
            table.setdefault(normalize(value), str(value))
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for value, label in choices.choices:
                    table.setdefault(normalize(str(label)), str(value))
        _CHOICE_TABLES[name] = table
    return table


KIND_ALIASES = {
    "квартира": PremisesKind.FLAT,
    "кв": PremisesKind.FLAT,
    "жилое": PremisesKind.FLAT,
    "жилое помещение": PremisesKind.FLAT,
    "apartment": PremisesKind.FLAT,
    "нежилое": PremisesKind.NON_RESIDENTIAL,
    "нежилое помещение": PremisesKind.NON_RESIDENTIAL,
    "нп": PremisesKind.NON_RESIDENTIAL,
    "офис": PremisesKind.NON_RESIDENTIAL,
    "non residential": PremisesKind.NON_RESIDENTIAL,
    "commercial": PremisesKind.NON_RESIDENTIAL,
    "участок": PremisesKind.PLOT,
    "земельный участок": PremisesKind.PLOT,
    "садовый участок": PremisesKind.PLOT,
    "garden plot": PremisesKind.PLOT,
    "машиноместо": PremisesKind.PARKING,
    "машино место": PremisesKind.PARKING,
    "парковка": PremisesKind.PARKING,
    "парковочное место": PremisesKind.PARKING,
    "мм": PremisesKind.PARKING,
    "м/м": PremisesKind.PARKING,
    "parking space": PremisesKind.PARKING,
}

DOCUMENT_ALIASES = {
    "выписка": DocumentKind.EGRN_EXTRACT,
    "выписка егрн": DocumentKind.EGRN_EXTRACT,
    "выписка из егрн": DocumentKind.EGRN_EXTRACT,
    "егрн": DocumentKind.EGRN_EXTRACT,
    "egrn extract": DocumentKind.EGRN_EXTRACT,
    "свидетельство": DocumentKind.CERTIFICATE,
    "свидетельство о праве собственности": DocumentKind.CERTIFICATE,
    "свидетельство о государственной регистрации права": DocumentKind.CERTIFICATE,
    "договор": DocumentKind.CONTRACT,
    "договор купли продажи": DocumentKind.CONTRACT,
    "дкп": DocumentKind.CONTRACT,
    "договор дарения": DocumentKind.CONTRACT,
    "договор мены": DocumentKind.CONTRACT,
    "другое": DocumentKind.OTHER,
    "иное": DocumentKind.OTHER,
    "прочее": DocumentKind.OTHER,
}

_clean_kind_choice = _choice(KIND_ALIASES, PremisesKind, "kind_invalid")


def clean_kind(value, ctx, column) -> str:
    return _clean_kind_choice(value, ctx, column) or ctx.default_kind
