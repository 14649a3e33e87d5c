"""Reminders: the window opens, two days before it closes only to those who have not sent
everything, verification ending in 30 days and expired; nothing before the local hour (each
association in its own time zone); a second run sends nothing twice; each stops once done; the
task and its beat entry."""

from __future__ import annotations

import datetime

import pytest

from core import extensions
from tenants.meters import reminders, services
from tenants.meters.models import SentReminder
from tenants.notifications.models import InboxItem, Message
from tests.factories import UserFactory
from tests.tenants.meters.support import home_of

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(day: datetime.date, hour_utc: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)


def told(kind) -> set:
    return set(InboxItem.objects.filter(message__kind=kind).values_list("user_id", flat=True))


@pytest.fixture
def members(in_alpha):
    """Two members with a cold-water meter each (alpha is in Moscow, UTC+3)."""
    first, second = UserFactory(roles=["owner"]), UserFactory(roles=["owner"])
    _p1, (m1,) = home_of(first)
    _p2, (m2,) = home_of(second)
    return first, second, m1, m2


def test_the_window_opens_to_every_member_once(members, today):
    first, second, _m1, _m2 = members
    today(datetime.date(2026, 5, 1))
    assert reminders.send_due_reminders(now=at(datetime.date(2026, 5, 1), 7)) == {
        reminders.WINDOW_OPENS: 2,
        reminders.VERIFICATION_DUE: 0,
        reminders.VERIFICATION_EXPIRED: 0,
    }
    assert told(reminders.WINDOW_OPENS) == {first.pk, second.pk}
    # The next hour (a retried or duplicated task too) sends nothing more.
    again = reminders.send_due_reminders(now=at(datetime.date(2026, 5, 1), 8))
    assert again[reminders.WINDOW_OPENS] == 0
    assert Message.objects.filter(kind=reminders.WINDOW_OPENS).count() == 1


def test_nothing_before_the_local_hour(members, today):
    today(datetime.date(2026, 5, 1))
    # 06:59 UTC is 09:59 in Moscow.
    assert reminders.send_due_reminders(now=datetime.datetime(2026, 5, 1, 6, 59, tzinfo=UTC)) == {}
    assert not SentReminder.objects.exists()


def test_each_association_in_its_own_time_zone(in_beta, today):
    member = UserFactory(roles=["owner"])
    home_of(member)
    today(datetime.date(2026, 5, 1))
    # 05:00 UTC: 10:00 in Yekaterinburg (UTC+5), only 08:00 in Moscow.
    assert reminders.association_now(at(datetime.date(2026, 5, 1), 5)).hour == 10
    sent = reminders.send_due_reminders(now=at(datetime.date(2026, 5, 1), 5))
    assert sent[reminders.WINDOW_OPENS] == 1


def test_closing_reminder_goes_only_to_those_who_have_not_sent(members, today):
    first, second, m1, _m2 = members
    today(datetime.date(2026, 5, 23))
    services.submit_readings(actor=first, entries=[services.Entry(m1.registers.get(), "12")])
    sent = reminders.send_due_reminders(now=at(datetime.date(2026, 5, 23), 8))
    assert sent[reminders.WINDOW_CLOSING] == 1
    assert told(reminders.WINDOW_CLOSING) == {second.pk}
    # The next day: the second member has sent too; nobody is told again.
    services.submit_readings(actor=second, entries=[services.Entry(_m2.registers.get(), "7")])
    today(datetime.date(2026, 5, 24))
    assert (
        reminders.send_due_reminders(now=at(datetime.date(2026, 5, 24), 8))[
            reminders.WINDOW_CLOSING
        ]
        == 0
    )


def test_the_opening_reminder_skips_whoever_has_sent_already(members, today):
    first, second, m1, _m2 = members
    today(datetime.date(2026, 5, 2))
    services.submit_readings(actor=first, entries=[services.Entry(m1.registers.get(), "3")])
    reminders.send_due_reminders(now=at(datetime.date(2026, 5, 2), 8))
    assert told(reminders.WINDOW_OPENS) == {second.pk}


def test_no_window_reminder_after_the_window_closed(members, today):
    today(datetime.date(2026, 5, 27))
    sent = reminders.send_due_reminders(now=at(datetime.date(2026, 5, 27), 8))
    assert reminders.WINDOW_OPENS not in sent and reminders.WINDOW_CLOSING not in sent


def test_verification_ending_within_30_days_then_expired(in_alpha, today):
    member = UserFactory(roles=["owner"])
    _premises, (meter,) = home_of(
        member, verified_on=datetime.date(2020, 6, 10), verification_interval_years=6
    )
    today(datetime.date(2026, 5, 27))
    sent = reminders.send_due_reminders(now=at(datetime.date(2026, 5, 27), 8))
    assert sent[reminders.VERIFICATION_DUE] == 1
    assert told(reminders.VERIFICATION_DUE) == {member.pk}
    message = Message.objects.get(kind=reminders.VERIFICATION_DUE)
    # Written in the association's language (the compiled catalogue).
    assert message.subject == "Срок поверки счётчика истекает 10 июня 2026"
    assert meter.serial_number not in message.body
    # Once per due day.
    today(datetime.date(2026, 5, 28))
    assert (
        reminders.send_due_reminders(now=at(datetime.date(2026, 5, 28), 8))[
            reminders.VERIFICATION_DUE
        ]
        == 0
    )
    # Expired: once a month while it stays expired.
    today(datetime.date(2026, 6, 27))
    expired = reminders.send_due_reminders(now=at(datetime.date(2026, 6, 27), 8))
    assert expired[reminders.VERIFICATION_EXPIRED] == 1
    assert (
        reminders.send_due_reminders(now=at(datetime.date(2026, 6, 28), 8))[
            reminders.VERIFICATION_EXPIRED
        ]
        == 0
    )
    today(datetime.date(2026, 7, 27))
    assert (
        reminders.send_due_reminders(now=at(datetime.date(2026, 7, 27), 8))[
            reminders.VERIFICATION_EXPIRED
        ]
        == 1
    )
    # Verified again: the reminders stop.
    services.update_meter(meter, actor=None, verified_on=datetime.date(2026, 7, 20))
    today(datetime.date(2026, 8, 27))
    assert (
        reminders.send_due_reminders(now=at(datetime.date(2026, 8, 27), 8))[
            reminders.VERIFICATION_EXPIRED
        ]
        == 0
    )


def test_a_switched_off_kind_is_not_sent(members, today):
    from tenants.notifications import services as notifications

    first, second, _m1, _m2 = members
    notifications.set_preference(
        actor=first, user=first, kind=reminders.WINDOW_OPENS, enabled=False
    )
    today(datetime.date(2026, 5, 1))
    reminders.send_due_reminders(now=at(datetime.date(2026, 5, 1), 8))
    assert told(reminders.WINDOW_OPENS) == {second.pk}


def test_the_ledger_refuses_a_second_row(members):
    first, _second, _m1, _m2 = members
    period = datetime.date(2026, 5, 1)
    rows = [(first.pk, None, period)]
    assert reminders._claim(reminders.WINDOW_OPENS, rows) == [(first.pk, None)]
    assert reminders._claim(reminders.WINDOW_OPENS, rows) == []


def test_the_task_and_its_beat_entry(members, today):
    from tenants.meters import tasks

    today(datetime.date(2026, 5, 1))
    entry = extensions.beat_schedule()["meters-reminders"]
    assert entry["task"] == "core.tasks.fan_out"
    assert entry["args"] == ("tenants.meters.tasks.send_reminders",)
    assert entry["schedule"] == 3600.0
    kinds = {kind.key for kind in extensions.notification_kinds()}
    assert {reminders.WINDOW_OPENS, reminders.VERIFICATION_EXPIRED} <= kinds
    # No arguments: nothing personal goes through the broker.
    result = tasks.send_reminders.apply().get()
    assert isinstance(result, dict)
