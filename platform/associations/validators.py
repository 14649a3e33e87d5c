"""Checks of an association's identifiers: ИНН, ОГРН and the subdomain.

ИНН of an organisation (10 digits) and ОГРН (13 digits) end with a check digit; the algorithms
are those of the Federal Tax Service (Приказ ФНС России от 29.06.2012 № ММВ-7-6/435@ for the ИНН;
Приказ МНС России от 03.03.2004 № БГ-3-09/178 for the ОГРН). A partnership (ТСЖ, СНТ, ЖСК, ТСН)
is an organisation, so a 12-digit ИНН (a person's) is refused with its own message.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Weights of the 10-digit ИНН's check digit.
INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)

#: Subdomains nobody may sign up for: our own services, words that would mislead members, and
#: names that clash with what the platform runs on (the schema name is the slug, hyphens made
#: underscores, so "pg-…" and "tszh-…" would collide with PostgreSQL's and our own schemas).
_RESERVED_WORDS = """
    www www1 www2 api app apps admin administrator root console operator operators staff
    mail email smtp imap pop pop3 mx webmail autoconfig autodiscover postmaster hostmaster
    webmaster abuse noreply no-reply support help helpdesk status health healthz readyz
    static media assets cdn files img images upload uploads download downloads
    public private internal intranet system sys default template templates spare
    demo demos sandbox example examples test tests testing stage staging dev develop
    development prod production preview beta qa uat
    signup login logout register auth oauth sso account accounts billing pay payment
    payments invoice invoices docs doc documentation blog news forum shop store
    portal tszh tszh-portal dashboard metrics grafana prometheus sentry vault redis postgres
    postgresql db database celery beat flower git ftp sftp ssh vpn proxy ns ns1 ns2 dns
    localhost information-schema null undefined
"""
RESERVED_SUBDOMAINS = frozenset(_RESERVED_WORDS.split())
#: Prefixes reserved the same way ("demo-1", "test-house", "xn--…" punycode, our schemas).
RESERVED_PREFIXES = ("demo-", "test-", "tszh-", "pg-", "xn--")

SUBDOMAIN_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")


def normalize_subdomain(value: str) -> str:
    return (value or "").strip().lower()


def validate_subdomain(value: str) -> None:
    """The form of a subdomain and the reserved words; whether it is free is a separate read."""
    if not SUBDOMAIN_RE.fullmatch(value):
        raise ValidationError(
            _(
                "Use 3 to 40 Latin letters, digits and hyphens; start with a letter and do not "
                "end with a hyphen."
            ),
            code="invalid",
        )
    if "--" in value:
        raise ValidationError(_("Do not use two hyphens in a row."), code="invalid")
    if value in RESERVED_SUBDOMAINS or value.startswith(RESERVED_PREFIXES):
        raise ValidationError(
            _("This address is reserved by the platform. Choose another one."), code="reserved"
        )


def digits_only(value: str) -> str:
    """Spaces and dashes people type between groups of digits are dropped."""
    return re.sub(r"[\s-]", "", value or "")


def inn_check_digit_ok(inn: str) -> bool:
    """True if a 10-digit ИНН's last digit matches its check sum."""
    if not re.fullmatch(r"\d{10}", inn):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(inn, INN_WEIGHTS, strict=False))
    return total % 11 % 10 == int(inn[9])


def ogrn_check_digit_ok(ogrn: str) -> bool:
    """True if a 13-digit ОГРН's last digit is (first 12 digits mod 11) mod 10."""
    if not re.fullmatch(r"\d{13}", ogrn):
        return False
    return int(ogrn[:12]) % 11 % 10 == int(ogrn[12])


def validate_organisation_inn(value: str) -> None:
    if not value.isdigit():
        raise ValidationError(_("The ИНН is made of digits only."), code="invalid")
    if len(value) == 12:
        raise ValidationError(
            _("This is a person's ИНН. A partnership's ИНН has 10 digits."), code="person"
        )
    if len(value) != 10:
        raise ValidationError(_("A partnership's ИНН has 10 digits."), code="length")
    if not inn_check_digit_ok(value):
        raise ValidationError(
            _(
                "This ИНН has a typo: its check digit does not match. Check it against the "
                "registration certificate."
            ),
            code="checksum",
        )


def validate_ogrn(value: str) -> None:
    if not value.isdigit():
        raise ValidationError(_("The ОГРН is made of digits only."), code="invalid")
    if len(value) != 13:
        raise ValidationError(_("An organisation's ОГРН has 13 digits."), code="length")
    if not ogrn_check_digit_ok(value):
        raise ValidationError(
            _(
                "This ОГРН has a typo: its check digit does not match. Check it against the "
                "registration certificate."
            ),
            code="checksum",
        )
