"""The columns of an import file: their names, what to write in them, and how a cell is read.

Boards keep their lists in Excel with headers in their own words, so a header is recognised by
any of several names (Russian or English, case, «ё» and punctuation ignored), and a cell is read
the way people type it: a decimal comma, a share as 1/2, 0.5 or 50 %, a date as 31.12.2020,
«да»/«нет». A cell that cannot be read becomes an error of its row, in plain words, and never
an exception.

The rules behind the checks:

* premises: total area with two decimals (ЖК РФ ст. 15 ч. 5), cadastral number format of the
  ЕГРН (Приказ Росреестра № П/0393, «АА:ББ:ВВВВВВВ:ГГГГ»), number of registered residents
  (Правила 354, п. 56(2), charges per resident);
* owners: the owners' register of ЖК РФ ст. 45 ч. 3.1 (name, title document, ЕГРН record, share);
  an organisation is told by its ИНН/ОГРН (checked by the ФНС check digits);
* membership of the partnership is separate from ownership (ЖК РФ ст. 143, 217-ФЗ ст. 5) and,
  like the registry's own forms, a member needs the date the membership began.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tenants.residents.models import DocumentKind, PremisesKind, cadastral_validator
from tenants.residents.validators import (
    MAX_SHARE_DENOMINATOR,
    inn_is_valid,
    normalize_phone,
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


# -- reading cells ------------------------------------------------------------------------------


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


def parse_share(value) -> Fraction | None:
    """A share as an exact fraction: ``1/2``, ``0.5``/``0,5``, ``50%`` or ``1``; None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        # Excel turns a typed 1/2 into the 1st of February.
        raise CellError("share_date")
    if isinstance(value, bool):
        raise CellError("share_invalid")
    try:
        if isinstance(value, int | Decimal):
            share = Fraction(value)
        elif isinstance(value, float):
            share = Fraction(value).limit_denominator(1000)
            if abs(float(share) - value) > 1e-9:
                share = Fraction(repr(value))
        else:
            text = as_text(value).replace(" ", "").replace(",", ".")
            if not text:
                return None
            if text.endswith("%"):
                if not re.fullmatch(r"\d+(\.\d+)?", text[:-1]):
                    raise ValueError
                share = Fraction(text[:-1]) / 100
            elif "/" in text:
                numerator, denominator = text.split("/", 1)
                if not (numerator.isdigit() and denominator.isdigit()):
                    raise ValueError
                share = Fraction(int(numerator), int(denominator))
            elif re.fullmatch(r"\d+(\.\d+)?", text):
                share = Fraction(text)
            else:
                raise ValueError
    except (ValueError, ZeroDivisionError):
        raise CellError("share_invalid") from None
    if not 0 < share <= 1 or share.denominator > MAX_SHARE_DENOMINATOR:
        raise CellError("share_invalid")
    return share


def clean_share(value, ctx, column) -> str | None:
    share = parse_share(value)
    if share is None:
        return None
    return (
        str(share.numerator) if share.denominator == 1 else f"{share.numerator}/{share.denominator}"
    )


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


# -- the columns --------------------------------------------------------------------------------


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


# -- headers ------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Lower case, «ё» as «е», punctuation and repeated spaces dropped."""
    text = str(text or "").replace("ё", "е").replace("Ё", "Е").casefold()
    text = re.sub(r"[\s_.,:;*\"'«»()\[\]-]+", " ", text)
    return text.strip()


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


# -- rows ---------------------------------------------------------------------------------------


def clean_row(raw: dict[str, Any], ctx: Context) -> tuple[dict, list[dict], dict[str, str]]:
    """Read one row: (values, errors, the raw text of the cells in error)."""
    values: dict[str, Any] = {}
    errors: list[dict] = []
    bad: dict[str, str] = {}
    for column in COLUMNS:
        value = raw.get(column.key)
        try:
            values[column.key] = column.clean(value, ctx, column)
        except CellError as error:
            values[column.key] = None
            errors.append({"code": error.code, "column": column.key, "params": error.params})
            bad[column.key] = as_text(value)[:100]
    failed = {error["column"] for error in errors}
    owner_details = [key for key in OWNER_DETAIL_KEYS if values.get(key) not in (None, "")]
    if not values.get("owner") and "owner" not in failed:
        if owner_details:
            errors.append({"code": "owner_missing", "column": "owner", "params": {}})
    elif values.get("owner"):
        if not values.get("account") and "account" not in failed:
            errors.append({"code": "account_missing", "column": "account", "params": {}})
        if values.get("member") is False and values.get("member_since"):
            errors.append(
                {"code": "member_since_not_member", "column": "member_since", "params": {}}
            )
        if (
            values.get("member") is True
            and not values.get("member_since")
            and "member_since" not in failed
        ):
            errors.append({"code": "member_since_missing", "column": "member_since", "params": {}})
    values["is_org"] = bool(values.get("inn") or values.get("ogrn"))
    return values, errors, bad


def phone_key(phone: str) -> str:
    """A phone reduced to digits, as the registry's phone index sees it."""
    return normalize_phone(phone)


# -- messages -----------------------------------------------------------------------------------

ROW_MESSAGE = _("Row %(line)s: %(message)s")

MESSAGES = {
    "required": _("the column «%(column)s» is empty"),
    "too_long": _("the column «%(column)s» is longer than %(max)s characters"),
    "kind_invalid": _(
        "the premises kind must be a flat, non-residential premises, garden plot or parking place"
    ),
    "floor_invalid": _("the floor must be a whole number"),
    "area_invalid": _("the area must be a number greater than zero"),
    "area_precision": _("the area may have at most two decimal places"),
    "cadastral_invalid": _("a cadastral number looks like 77:01:0004012:1234"),
    "residents_invalid": _("the number of registered residents must be a whole number, 0 or more"),
    "inn_invalid": _("the ИНН must have 10 or 12 digits with a correct check digit"),
    "ogrn_invalid": _("the ОГРН must have 13 or 15 digits with a correct check digit"),
    "share_invalid": _("the share must be written as 1/2, 0.5 or 50%, more than 0 and at most 1"),
    "share_date": _(
        "Excel turned the share into a date: format the column as text and type the share again"
    ),
    "doc_kind_invalid": _(
        "the document must be an extract from ЕГРН, a certificate, a contract or other"
    ),
    "date_invalid": _("the column «%(column)s» must hold a date such as 31.12.2020"),
    "date_future": _("the date in the column «%(column)s» is in the future"),
    "email_invalid": _("the email address is not valid"),
    "phone_invalid": _("the phone number must have 10 to 15 digits"),
    "member_invalid": _("the column «%(column)s» must say yes or no"),
    "member_since_not_member": _("a date of membership is given, but the owner is not a member"),
    "member_since_missing": _("a member needs the date the membership began"),
    "owner_missing": _("the owner's details are filled in, but the owner's name is empty"),
    "account_missing": _("an owner needs a personal account number"),
    "premises_conflict": _("premises %(premises)s is described differently on row %(other)s"),
    "account_duplicate": _(
        "account number %(account)s is already used for another premises on row %(other)s"
    ),
    "account_elsewhere": _(
        "account number %(account)s belongs to another premises in the registry (%(premises)s)"
    ),
    "cadastral_duplicate": _(
        "cadastral number %(cadastral)s is already given to another premises on row %(other)s"
    ),
    "cadastral_elsewhere": _(
        "cadastral number %(cadastral)s belongs to another premises in the registry (%(premises)s)"
    ),
    "owner_duplicate": _("this owner is already listed for this premises on row %(other)s"),
    "owner_ambiguous": _(
        "two owners of this account in the registry have this name: add the email to tell them "
        "apart"
    ),
    "share_required": _("premises %(premises)s has several owners: give each owner's share"),
    "shares_overflow_registry": _(
        "with its other owners in the registry, the shares of premises %(premises)s would add up "
        "to %(total)s, more than 1; if it changed hands, record the new holder in the registry "
        "first"
    ),
    "shares_overflow": _(
        "the shares of premises %(premises)s would add up to %(total)s, more than 1"
    ),
}


def premises_label(values: dict) -> str:
    """The premises a row names, as its cells spell it ("Дом 1, № 12")."""
    return f"{values.get('building') or ''}, № {values.get('number') or ''}"


def error_text(error: dict, line: int, values: dict | None = None) -> str:
    """One error of a row as a sentence in the active language.

    The stored error holds codes, line numbers and numbers only: text typed in the file (a
    premises' building, an account number, which misaligned columns can turn into a person's
    name) is taken from the row's own values, kept encrypted, when the error is shown.
    """
    params = dict(error.get("params") or {})
    if values:
        params.setdefault("premises", premises_label(values))
        params.setdefault("account", values.get("account") or "")
    column = COLUMNS_BY_KEY.get(error.get("column") or "")
    if column is not None:
        params.setdefault("column", str(column.label))
    template = MESSAGES.get(error.get("code"), _("the row cannot be imported"))
    try:
        message = str(template) % params
    except (KeyError, TypeError, ValueError):
        message = str(template)
    return str(ROW_MESSAGE) % {"line": line, "message": message}
