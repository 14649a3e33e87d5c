"""``{{ amount|money }}``'s fast path (whole kopecks) says exactly what ``number_format`` says,
in both languages, for every kind of amount; anything else still goes through ``number_format``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import formats, translation

from core.ui.templatetags.money import money, money_abs

AMOUNTS = [
    "0",
    "0.00",
    "-0.00",
    "0.01",
    "-0.01",
    "1",
    "12.5",
    "999.99",
    "1000",
    "-1000.00",
    "14685.91",
    "-14685.91",
    "1234567.89",
    "-98765432.10",
    "100000000000.00",
    "1E+3",
    "0.005",
    "-0.004",
    "12.345",
    "-7.899",
]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("text", AMOUNTS)
def test_money_says_what_number_format_says(language, text):
    with translation.override(language):
        expected = formats.number_format(Decimal(text), 2, use_l10n=True, force_grouping=True)
        assert money(Decimal(text)) == expected
        assert money(text) == expected
        assert money_abs(Decimal(text)) == formats.number_format(
            abs(Decimal(text)), 2, use_l10n=True, force_grouping=True
        )


def test_money_in_russian_groups_with_a_no_break_space_and_a_comma():
    with translation.override("ru"):
        assert money(Decimal("14685.91")) == "14\xa0685,91"
    assert money("not a number") == "" and money(None) == ""
