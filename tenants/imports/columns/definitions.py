"""The columns: their keys, headers in the reader's language, what to write, how to read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tenants.imports.columns.cells import (
    _limited,
    clean_area,
    clean_cadastral,
    clean_date,
    clean_email,
    clean_floor,
    clean_inn,
    clean_member,
    clean_ogrn,
    clean_phone,
    clean_residents,
    clean_share,
)
from tenants.imports.columns.choices import DOCUMENT_ALIASES, _choice, clean_kind
from tenants.residents.models import DocumentKind


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy: the template's header in the reader's language
    description: Any  # lazy: what to write, shown on the import page
    example: str
    aliases: tuple[str, ...]
    clean: Callable
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "building",
        _("Building"),
        _("The building's name as the registry knows it, e.g. «Дом 1» or «ул. Садовая, 5»."),
        "Дом 1",
        ("дом", "здание", "корпус", "строение", "building", "house"),
        _limited(100, required=True),
        required=True,
    ),
    Column(
        "kind",
        _("Premises kind"),
        _(
            "Flat, non-residential, garden plot or parking place; empty means a flat "
            "(a garden plot in a СНТ)."
        ),
        "квартира",
        ("вид помещения", "тип помещения", "вид", "тип", "kind", "premises type"),
        clean_kind,
    ),
    Column(
        "number",
        _("Premises number"),
        _("The number of the flat, premises, plot or parking place."),
        "12",
        (
            "номер помещения",
            "номер",
            "№",
            "№ помещения",
            "квартира №",
            "номер квартиры",
            "номер участка",
            "number",
            "premises no",
        ),
        _limited(20, required=True),
        required=True,
    ),
    Column(
        "floor",
        _("Floor"),
        _("A whole number; may be empty."),
        "3",
        ("этаж", "floor"),
        clean_floor,
    ),
    Column(
        "entrance",
        _("Entrance"),
        _("The entrance (подъезд); may be empty."),
        "1",
        ("подъезд", "entrance"),
        _limited(10),
    ),
    Column(
        "area",
        _("Area, m²"),
        _("Total area in square metres, more than zero, at most two decimals: 54,3 or 54.30."),
        "54,30",
        ("площадь", "общая площадь", "площадь м2", "площадь кв м", "area", "total area"),
        clean_area,
        required=True,
    ),
    Column(
        "cadastral",
        _("Cadastral number"),
        _("As in the ЕГРН extract, e.g. 77:01:0004012:1234; may be empty."),
        "77:01:0004012:1234",
        ("кадастровый номер", "кадастровый №", "кн", "cadastral number", "cadastral"),
        clean_cadastral,
    ),
    Column(
        "residents",
        _("Registered residents"),
        _("How many people are registered there; may be empty."),
        "2",
        (
            "зарегистрировано",
            "зарегистрировано человек",
            "количество зарегистрированных",
            "прописано",
            "residents",
        ),
        clean_residents,
    ),
    Column(
        "account",
        _("Account number"),
        _(
            "The personal account (лицевой счёт); each number belongs to one premises. "
            "Required when an owner is given."
        ),
        "100012",
        (
            "лицевой счет",
            "номер лицевого счета",
            "л/с",
            "лс",
            "account",
            "account number",
            "personal account",
        ),
        _limited(32),
    ),
    Column(
        "owner",
        _("Owner"),
        _(
            "A person's full name, or an organisation's name (then fill in its ИНН or ОГРН). "
            "Co-owners: one row each, with the premises repeated."
        ),
        "Иванова Мария Петровна",
        (
            "собственник",
            "фио собственника",
            "фио",
            "владелец",
            "наименование собственника",
            "owner",
            "owner name",
        ),
        _limited(300),
    ),
    Column(
        "inn",
        _("ИНН"),
        _("An organisation's ИНН (10 digits); only for organisations."),
        "",
        ("инн", "inn"),
        clean_inn,
    ),
    Column(
        "ogrn",
        _("ОГРН"),
        _("An organisation's ОГРН (13 digits, 15 for a sole trader); only for organisations."),
        "",
        ("огрн", "огрнип", "ogrn"),
        clean_ogrn,
    ),
    Column(
        "share",
        _("Share"),
        _("The owner's share: 1/2, 0.5 or 50%; empty means the whole premises for a sole owner."),
        "1/2",
        ("доля", "доля в праве", "размер доли", "share"),
        clean_share,
    ),
    Column(
        "doc_kind",
        _("Ownership document"),
        _("Extract from ЕГРН, certificate, contract or other."),
        "выписка из ЕГРН",
        ("документ", "вид документа", "правоустанавливающий документ", "document"),
        _choice(DOCUMENT_ALIASES, DocumentKind, "doc_kind_invalid"),
    ),
    Column(
        "doc_number",
        _("Document number"),
        _("The number of the ownership document."),
        "77-77/011-77/011/2020-1",
        ("номер документа", "document number"),
        _limited(60),
    ),
    Column(
        "doc_date",
        _("Document date"),
        _("A date such as 31.12.2020; ownership counts from it (from the import day if empty)."),
        "15.03.2020",
        ("дата документа", "document date"),
        clean_date,
    ),
    Column(
        "egrn",
        _("ЕГРН record number"),
        _("The number of the registration record in the ЕГРН."),
        "77:01:0004012:1234-77/011/2020-1",
        ("запись егрн", "номер записи егрн", "номер регистрации", "egrn record"),
        _limited(60),
    ),
    Column(
        "email",
        _("Email"),
        _("The owner's email; it also tells the same owner apart in a later import."),
        "maria@example.ru",
        ("e-mail", "эл почта", "электронная почта", "почта", "email"),
        clean_email,
    ),
    Column(
        "phone",
        _("Phone"),
        _("The owner's phone with its code, e.g. +7 912 345-67-89."),
        "+7 912 345-67-89",
        ("телефон", "тел", "мобильный", "phone"),
        clean_phone,
    ),
    Column(
        "member",
        _("Member"),
        _("Member of the partnership: yes or no; empty leaves it as it is."),
        "да",
        ("член товарищества", "член тсж", "член снт", "член", "членство", "member"),
        clean_member,
    ),
    Column(
        "member_since",
        _("Member since"),
        _("The date the membership began; required for a member."),
        "01.06.2021",
        ("член с", "дата вступления", "членство с", "дата вступления в члены", "member since"),
        clean_date,
    ),
)

COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = tuple(column.key for column in COLUMNS if column.required)
#: Columns that describe an owner: they need the owner's name.
OWNER_DETAIL_KEYS = (
    "inn",
    "ogrn",
    "share",
    "doc_kind",
    "doc_number",
    "doc_date",
    "egrn",
    "email",
    "phone",
    "member",
    "member_since",
)
