"""Checks of the association's bank details and КПП.

Bank accounts: the control key (the 9th digit of a 20-digit account) is checked against the
bank's БИК by the Bank of Russia's algorithm (Положение Банка России от 27.02.2017 № 579-П,
the key calculation taken over from the Указание ЦБ РФ от 08.09.1997 № 515): the 23 digits of
(a 3-digit prefix) + (the account) are multiplied by the weights 7, 1, 3 repeated, and the sum
of the products must end in 0. The prefix is

* for an account in a credit institution (the settlement account): the last three digits of
  the bank's БИК;
* for an account in a Bank of Russia division (a БИК ending in 000, 001 or 002), and for a
  bank's correspondent account: "0" and the 5th and 6th digits of the БИК.

A correspondent account of a bank at the Bank of Russia starts with 30101 and ends with the last
three digits of the bank's БИК.

КПП (Приказ ФНС России от 29.06.2012 № ММВ-7-6/435@): 9 characters, NNNN PP XXX, where PP (the
reason code) may be digits or capital Latin letters since 2019.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = ((7, 1, 3) * 8)[:23]
BANK_OF_RUSSIA_SUFFIXES = ("000", "001", "002")
KPP_RE = re.compile(r"\d{4}[\dA-Z]{2}\d{3}")


def digits(value: str) -> str:
    """Spaces, dots and dashes people put between groups of digits are dropped."""
    return re.sub(r"[\s.\-]", "", value or "")


def control_sum_ok(prefix: str, account: str) -> bool:
    number = prefix + account
    if not re.fullmatch(r"\d{23}", number):
        return False
    return sum(int(d) * w for d, w in zip(number, WEIGHTS, strict=True)) % 10 == 0


def is_bank_of_russia(bic: str) -> bool:
    return bic[-3:] in BANK_OF_RUSSIA_SUFFIXES


def account_prefix(bic: str) -> str:
    """The 3-digit prefix a settlement account's key is computed with."""
    return "0" + bic[4:6] if is_bank_of_russia(bic) else bic[-3:]


def settlement_account_ok(account: str, bic: str) -> bool:
    return control_sum_ok(account_prefix(bic), account)


def correspondent_account_ok(account: str, bic: str) -> bool:
    return (
        account.startswith("30101")
        and account[-3:] == bic[-3:]
        and control_sum_ok("0" + bic[4:6], account)
    )


def validate_bic(value: str) -> None:
    if not re.fullmatch(r"\d{9}", value):
        raise ValidationError(_("A БИК has 9 digits."), code="length")
    if not value.startswith("04"):
        raise ValidationError(
            _("A Russian bank's БИК starts with 04. Check it against the bank's details."),
            code="country",
        )


def validate_account_number(value: str) -> None:
    if not re.fullmatch(r"\d{20}", value):
        raise ValidationError(_("An account number has 20 digits."), code="length")


def validate_kpp(value: str) -> None:
    if len(value) != 9:
        raise ValidationError(_("A КПП has 9 characters."), code="length")
    if not KPP_RE.fullmatch(value):
        raise ValidationError(
            _("A КПП is 4 digits, 2 digits or capital Latin letters, then 3 digits."),
            code="invalid",
        )


def bank_details_errors(*, account: str, bic: str, corr_account: str) -> dict[str, list]:
    """Every problem of a set of bank details, by field (empty when they are right)."""
    errors: dict[str, list] = {}

    def check(field, validator, value):
        try:
            validator(value)
        except ValidationError as error:
            errors[field] = error.messages
            return False
        return True

    bic_ok = check("bic", validate_bic, bic)
    account_ok = check("account", validate_account_number, account)
    if bic_ok and account_ok and not settlement_account_ok(account, bic):
        errors["account"] = [
            _(
                "The account number does not match the БИК: its control key is wrong. Check "
                "both against the bank's details."
            )
        ]
    if corr_account:
        corr_ok = check("corr_account", validate_account_number, corr_account)
        if corr_ok and bic_ok and not correspondent_account_ok(corr_account, bic):
            errors["corr_account"] = [
                _(
                    "This is not the correspondent account of the bank with this БИК: it "
                    "starts with 30101, ends with the БИК's last three digits, and its "
                    "control key must match."
                )
            ]
    elif bic_ok and not is_bank_of_russia(bic):
        errors["corr_account"] = [_("Enter the bank's correspondent account.")]
    return errors
