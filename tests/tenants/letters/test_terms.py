"""The answer term as dated data: working days across weekends and the decree's holidays, the
law's term by kind of association, the association's own shorter term."""

from __future__ import annotations

import datetime

import pytest

from tenants.letters import terms, workdays

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 30), True),  # Friday
        (D(2026, 1, 31), False),  # Saturday
        (D(2026, 1, 9), False),  # Friday, a New Year day off moved from 3 January
        (D(2026, 1, 12), True),  # the first working day of 2026
        (D(2026, 2, 23), False),  # Monday, Defender of the Fatherland Day
        (D(2026, 3, 9), False),  # Monday: 8 March fell on a Sunday
        (D(2026, 5, 11), False),  # Monday: 9 May fell on a Saturday
        (D(2025, 11, 1), True),  # a working Saturday (moved to 3 November)
        (D(2025, 11, 3), False),
        (D(2025, 6, 13), False),  # Friday off (moved from 8 March 2025, a Saturday)
        (D(2024, 12, 28), True),  # a working Saturday
        (D(2027, 1, 4), False),  # a year without the decree: ТК ст. 112 holidays still count
        (D(2027, 1, 11), True),
    ],
)
def test_working_days(day, working):
    assert workdays.is_working_day(day) is working


def test_ten_working_days_skip_the_weekends():
    # Received on Friday 30 January 2026: counting starts on Monday 2 February.
    assert workdays.add_working_days(D(2026, 1, 30), 10) == D(2026, 2, 13)
    # Received on a Saturday: the same ten working days from Monday.
    assert workdays.add_working_days(D(2026, 1, 31), 10) == D(2026, 2, 13)


def test_ten_working_days_skip_the_new_year_holidays():
    # Received on Tuesday 30 December 2025: 31 December and 1–11 January are days off.
    assert workdays.add_working_days(D(2025, 12, 30), 10) == D(2026, 1, 23)


def test_ten_working_days_across_23_february():
    # Received on Friday 13 February 2026; Monday 23 February is a holiday.
    assert workdays.add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 2)


def test_a_calendar_term_ending_on_a_day_off_moves_to_the_next_working_day():
    # 30 days after 3 April 2026 is Sunday 3 May (and 1–3 May are days off): Monday 4 May.
    assert workdays.add_calendar_days(D(2026, 4, 3), 30) == D(2026, 5, 4)
    assert workdays.add_calendar_days(D(2026, 4, 1), 30) == D(2026, 5, 4)  # Friday 1 May off


def test_working_days_between():
    assert workdays.working_days_between(D(2026, 1, 30), D(2026, 2, 13)) == 10
    assert workdays.working_days_between(D(2026, 2, 13), D(2026, 1, 30)) == 0


def test_the_law_by_kind_of_association():
    housing = terms.legal_term("tszh", D(2026, 5, 1))
    assert (housing.key, housing.days, housing.working) == ("pp416-p36", 10, True)
    assert "416" in str(housing.basis) and "п. 36" in str(housing.basis)
    assert terms.legal_term("zhsk", D(2026, 5, 1)) == housing
    garden = terms.legal_term("snt", D(2026, 5, 1))
    assert (garden.days, garden.working) == (30, False)
    # Before the table starts, its earliest row answers.
    assert terms.legal_term("tszh", D(2010, 1, 1)) == housing


def test_the_association_may_answer_sooner_never_later():
    received = D(2026, 1, 30)
    law = terms.due_date(received, kind="tszh", own_days=None)
    assert (law.on, law.rule) == (D(2026, 2, 13), "pp416-p36")
    sooner = terms.due_date(received, kind="tszh", own_days=5)
    assert (sooner.on, sooner.days, sooner.rule) == (D(2026, 2, 6), 5, "own")
    # A longer own term cannot push the law's date back.
    assert terms.due_date(received, kind="tszh", own_days=15).on == D(2026, 2, 13)
    # A garden partnership's 30 calendar days against its own 10 working days.
    snt = terms.due_date(received, kind="snt", own_days=10)
    assert (snt.on, snt.rule) == (D(2026, 2, 13), "own")
