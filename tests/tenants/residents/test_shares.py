"""Shares are exact fractions: thirds add up to exactly 1, and nothing squeezes past 1."""

from __future__ import annotations

import datetime
import time
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.residents import services
from tenants.residents.models import PersonalAccount
from tenants.residents.selectors import premises_with_complete_shares, shares_totals
from tenants.residents.validators import format_share, parse_share
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db


def test_three_thirds_are_exactly_one(in_alpha):
    premises = make_premises()
    for name in ("Первый", "Второй", "Третий"):
        make_owner(premises, share="1/3", name=name)

    assert services.shares_total(premises) == 1
    assert shares_totals([premises.pk]) == {premises.pk: Fraction(1)}
    assert premises.pk in premises_with_complete_shares()


def test_a_third_and_two_thirds_leave_no_room(in_alpha):
    premises = make_premises()
    make_owner(premises, share="1/3")
    make_owner(premises, share="2/3", name="Второй")
    with pytest.raises(ValidationError) as refused:
        make_owner(premises, share="1/1000000", name="Лишний")
    assert "share" in refused.value.message_dict


def test_an_old_share_must_fit_beside_todays_owners(in_alpha):
    premises = make_premises()
    make_owner(premises, share=1, started_on=datetime.date(2022, 1, 1))
    # On 2021-01-01 nobody owned it yet, but the old share would still overlap today's.
    with pytest.raises(ValidationError):
        make_owner(premises, share="1/2", name="Давний", started_on=datetime.date(2021, 1, 1))


def test_shares_of_a_former_holding_free_their_part(in_alpha):
    premises = make_premises()
    owner = make_owner(premises, share=1)
    holding = services.change_holder(
        owner.holding.account, holder={"full_name": "Покупатель"}, on=datetime.date(2024, 5, 1)
    )
    services.add_owner(
        holding,
        premises=premises,
        share=Fraction(1),
        started_on=datetime.date(2024, 5, 1),
        person={"full_name": "Покупатель"},
    )
    assert services.shares_total(premises) == 1
    assert services.shares_total(premises, datetime.date(2023, 1, 1)) == 1  # the seller's whole


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("1/3", Fraction(1, 3)),
        (" 2 / 4 ", Fraction(1, 2)),
        ("1", Fraction(1)),
        ("0,25", Fraction(1, 4)),
    ],
)
def test_shares_are_read_exactly(text, share):
    assert parse_share(text) == share


@pytest.mark.parametrize("text", ["", "a/b", "1/0", "-1/3", "4/3", "0", "1/2/3", "1/10000001"])
def test_nonsense_shares_are_refused(text):
    with pytest.raises(ValidationError):
        parse_share(text)


def test_shares_are_written_as_fractions():
    assert [format_share(Fraction(n, d)) for n, d in ((1, 3), (2, 4), (1, 1))] == [
        "1/3",
        "1/2",
        "1",
    ]


@translation.override("en")
def test_a_concurrent_twin_account_number_gets_the_same_message(in_alpha, monkeypatch):
    """The check before the insert can race; the unique constraint decides, with the message."""
    services.open_account(number="777", holder={}, started_on=datetime.date(2024, 1, 1))
    monkeypatch.setattr(services.accounts, "_check_account_number", lambda *args, **kwargs: None)

    with pytest.raises(ValidationError) as refused:
        services.open_account(number="777", holder={}, started_on=datetime.date(2024, 1, 1))

    assert refused.value.message_dict == {"number": ["Account number 777 is already taken."]}
    assert PersonalAccount.objects.filter(number="777").count() == 1


def test_a_concurrent_twin_premises_number_gets_the_same_message(in_alpha, monkeypatch):
    first = make_premises(number="5", account=None)
    monkeypatch.setattr(services.premises, "_check_premises_number", lambda premises: None)
    with pytest.raises(ValidationError) as refused:
        make_premises(first.building, number="5", account=None)
    assert list(refused.value.message_dict) == ["number"]


@pytest.mark.parametrize(
    "text", ["1e-5", "1E5", "5e-1", "0.5e0", "1e0", "inf", "+1/2", "١/٢", "0x1", "1_0/20"]
)
def test_shares_written_with_exponents_or_other_notations_are_refused(text):
    with pytest.raises(ValidationError) as refused:
        parse_share(text)
    assert refused.value.code == "invalid_share"


@pytest.mark.parametrize("text", ["0.1234567891", "1234567891/2000000000", "1" * 31])
def test_shares_with_too_many_digits_are_refused(text):
    with pytest.raises(ValidationError):
        parse_share(text)


def test_a_share_with_a_huge_exponent_is_refused_before_it_is_computed():
    # The small exponent first: before the fix it fails fast instead of hanging on the big one.
    for text in ("1e-9", "1e-999999999"):
        started = time.monotonic()
        with pytest.raises(ValidationError) as refused:
            parse_share(text)
        assert refused.value.code == "invalid_share"
        assert time.monotonic() - started < 0.5
