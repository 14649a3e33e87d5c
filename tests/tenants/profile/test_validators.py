"""The bank details' checks: real pairs of БИК and account pass, typos are caught."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.profile import validators


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids); the pages' tests read them in Russian."""
    with translation.override("en"):
        yield


WEIGHTS = ((7, 1, 3) * 8)[:23]

# Real correspondent accounts of large banks (published details).
REAL_BANKS = [
    ("044525225", "30101810400000000225"),  # Сбербанк, Москва
    ("044525187", "30101810700000000187"),  # ВТБ
    ("044525593", "30101810200000000593"),  # Альфа-Банк
]


def with_key(bic: str, account: str, *, correspondent: bool = False) -> str:
    """``account`` with its 9th digit set so that the control key matches ``bic`` (the Bank of
    Russia's algorithm, written out independently of the code under test)."""
    prefix = "0" + bic[4:6] if correspondent or bic[-3:] in ("000", "001", "002") else bic[-3:]
    digits = list(account[:8] + "0" + account[9:])
    total = sum(int(d) * w for d, w in zip(prefix + "".join(digits), WEIGHTS, strict=True))
    # The key digit has weight 3 (position 12 of 23): find the digit that makes the sum end in 0.
    key = next(k for k in range(10) if (total + 3 * k) % 10 == 0)
    digits[8] = str(key)
    return "".join(digits)


@pytest.mark.parametrize(("bic", "corr"), REAL_BANKS)
def test_real_correspondent_accounts_pass(bic, corr):
    assert validators.correspondent_account_ok(corr, bic)
    assert (
        validators.bank_details_errors(
            account=with_key(bic, "40703810000000012345"), bic=bic, corr_account=corr
        )
        == {}
    )


@pytest.mark.parametrize(("bic", "corr"), REAL_BANKS)
def test_an_account_constructed_by_the_algorithm_passes_and_every_typo_fails(bic, corr):
    account = with_key(bic, "40703810500000004321")
    assert validators.settlement_account_ok(account, bic)
    for position in range(20):
        for replacement in "0123456789":
            if replacement == account[position]:
                continue
            typo = account[:position] + replacement + account[position + 1 :]
            # A single wrong digit always changes the sum's last digit (weights 7, 1, 3 are
            # prime to 10).
            assert not validators.settlement_account_ok(typo, bic), typo


def test_the_account_belongs_to_its_bank():
    account = with_key("044525225", "40702810300000001111")
    assert validators.settlement_account_ok(account, "044525225")
    errors = validators.bank_details_errors(
        account=account, bic="044525187", corr_account="30101810700000000187"
    )
    assert "control key" in str(errors["account"][0])


def test_bank_of_russia_divisions_use_the_bics_5th_and_6th_digits():
    bic = "044525000"
    account = with_key(bic, "40101810800000010041")
    assert validators.settlement_account_ok(account, bic)
    # No correspondent account is needed for a Bank of Russia division.
    assert validators.bank_details_errors(account=account, bic=bic, corr_account="") == {}


@pytest.mark.parametrize(
    ("account", "bic", "corr", "field", "code_words"),
    [
        ("4070381000000001234", "044525225", "30101810400000000225", "account", "20 digits"),
        ("40703810000000012345", "04452522", "30101810400000000225", "bic", "9 digits"),
        ("40703810000000012345", "144525225", "30101810400000000225", "bic", "04"),
        ("40703810000000012345", "04452522X", "30101810400000000225", "bic", "9 digits"),
        # The same bank's real corr. account with a digit changed.
        (None, "044525225", "30101810500000000225", "corr_account", "correspondent"),
        # Another bank's correspondent account.
        (None, "044525225", "30101810700000000187", "corr_account", "correspondent"),
        (None, "044525225", "", "corr_account", "correspondent"),
    ],
)
def test_wrong_details_are_refused_beside_their_field(account, bic, corr, field, code_words):
    account = account or with_key("044525225", "40703810000000012345")
    errors = validators.bank_details_errors(account=account, bic=bic, corr_account=corr)
    assert field in errors
    assert code_words in str(errors[field][0])


def test_known_invalid_pair_is_refused():
    # Sberbank's real correspondent account with its control digit off by one.
    assert not validators.correspondent_account_ok("30101810500000000225", "044525225")
    assert not validators.settlement_account_ok("40702810000000000001", "044525225")


@pytest.mark.parametrize("kpp", ["770101001", "7701AB001", "502401001"])
def test_kpp_accepted(kpp):
    validators.validate_kpp(kpp)


@pytest.mark.parametrize(
    ("kpp", "code"),
    [
        ("77010100", "length"),
        ("7701010011", "length"),
        ("77010a001", "invalid"),
        ("AB0101001", "invalid"),
    ],
)
def test_kpp_refused(kpp, code):
    with pytest.raises(ValidationError) as refused:
        validators.validate_kpp(kpp)
    assert refused.value.code == code
