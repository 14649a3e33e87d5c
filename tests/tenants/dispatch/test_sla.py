"""Deadlines: calendar hours for emergencies and urgent work, working hours (Mon–Fri 09–18 in
the association's own time zone) for normal ones, across weekends; the board's dated rows."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from tenants.dispatch import services, sla
from tenants.dispatch.models import Category, Urgency

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
YEKATERINBURG = zoneinfo.ZoneInfo("Asia/Yekaterinburg")


def at(zone, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zone)


# 2026-05-15 is a Friday.
FRIDAY_5PM = at(MOSCOW, 2026, 5, 15, 17, 0)


def test_normal_hours_skip_the_weekend():
    due = sla.deadline(FRIDAY_5PM, 4, Urgency.NORMAL, MOSCOW)
    assert due == at(MOSCOW, 2026, 5, 18, 12, 0)  # 1 h on Friday, 3 h on Monday


def test_filed_on_saturday_the_clock_starts_on_monday_morning():
    saturday = at(MOSCOW, 2026, 5, 16, 11, 30)
    assert sla.deadline(saturday, 2, Urgency.NORMAL, MOSCOW) == at(MOSCOW, 2026, 5, 18, 11, 0)


def test_filed_at_night_the_clock_starts_at_nine():
    night = at(MOSCOW, 2026, 5, 13, 23, 0)
    assert sla.deadline(night, 9, Urgency.NORMAL, MOSCOW) == at(MOSCOW, 2026, 5, 14, 18, 0)


def test_many_working_hours_span_two_weekends():
    monday = at(MOSCOW, 2026, 5, 11, 9, 0)
    # 90 working hours = 10 working days of 9 hours: the second Friday's end.
    assert sla.deadline(monday, 90, Urgency.NORMAL, MOSCOW) == at(MOSCOW, 2026, 5, 22, 18, 0)


@pytest.mark.parametrize("urgency", [Urgency.EMERGENCY, Urgency.URGENT])
def test_emergency_and_urgent_hours_run_round_the_clock(urgency):
    assert sla.deadline(FRIDAY_5PM, 24, urgency, MOSCOW) == at(MOSCOW, 2026, 5, 16, 17, 0)


def test_working_hours_are_the_associations_own():
    # 17:00 in Moscow is 19:00 in Yekaterinburg: after hours there, so work starts on Monday.
    due_there = sla.deadline(FRIDAY_5PM, 2, Urgency.NORMAL, YEKATERINBURG)
    assert due_there == at(YEKATERINBURG, 2026, 5, 18, 11, 0)
    due_here = sla.deadline(FRIDAY_5PM, 2, Urgency.NORMAL, MOSCOW)
    assert due_here == at(MOSCOW, 2026, 5, 18, 10, 0)
    assert due_there != due_here


def test_the_association_zone_comes_from_its_legal_details(in_beta):
    assert str(sla.association_zone()) == "Asia/Yekaterinburg"
    due = sla.due_at(Category.PLUMBING, Urgency.NORMAL, FRIDAY_5PM)
    hours = sla.DEFAULT_HOURS[(Category.PLUMBING, Urgency.NORMAL)]
    assert due == sla.deadline(FRIDAY_5PM, hours, Urgency.NORMAL, YEKATERINBURG)


def test_the_boards_dated_rows_apply_from_their_day(in_alpha):
    services.set_sla_hours(
        actor=None,
        category=Category.PLUMBING,
        urgency=Urgency.URGENT,
        hours=6,
        valid_from=datetime.date(2026, 5, 15),
    )
    default = sla.DEFAULT_HOURS[(Category.PLUMBING, Urgency.URGENT)]
    assert sla.hours_in_force(Category.PLUMBING, Urgency.URGENT, datetime.date(2026, 5, 14)) == (
        default
    )
    assert sla.hours_in_force(Category.PLUMBING, Urgency.URGENT, datetime.date(2026, 5, 15)) == 6
    assert sla.table_in_force(datetime.date(2026, 5, 20))[(Category.PLUMBING, Urgency.URGENT)] == 6
    due = sla.due_at(Category.PLUMBING, Urgency.URGENT, FRIDAY_5PM)
    assert due == FRIDAY_5PM + datetime.timedelta(hours=6)


@pytest.mark.parametrize(
    "fields",
    [
        {"category": "nope"},
        {"urgency": "nope"},
        {"hours": 0},
        {"hours": "many"},
        {"valid_from": None},
    ],
)
def test_bad_rows_are_refused(in_alpha, fields):
    from django.core.exceptions import ValidationError

    from tenants.dispatch.models import SlaRule

    values = {
        "category": Category.PLUMBING,
        "urgency": Urgency.URGENT,
        "hours": 6,
        "valid_from": datetime.date(2026, 5, 15),
    } | fields
    with pytest.raises(ValidationError):
        services.set_sla_hours(actor=None, **values)
    assert not SlaRule.objects.exists()


def test_every_pair_has_a_default():
    for category in Category.values:
        for urgency in Urgency.values:
            assert sla.DEFAULT_HOURS[(category, urgency)] >= 1
