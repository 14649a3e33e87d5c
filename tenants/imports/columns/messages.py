"""Row errors as sentences in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tenants.imports.columns.definitions import COLUMNS_BY_KEY

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
