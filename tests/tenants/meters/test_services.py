"""Readings through the service: the window and late readings, the checks (letters, digits,
lower, rollover, replacement, zero, anomaly, future, closed period), corrections, the board's
marking, and meters' replacement and closing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.audit.models import AuditEntry
from tenants.meters import periods, services
from tenants.meters.models import MeterKind, Reading, ReadingSource, Tariff
from tenants.profile import services as profile
from tests.factories import UserFactory
from tests.tenants.meters.support import add_meter, history, home_of
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.django_db
MAY_20 = datetime.date(2026, 5, 20)
MAY = datetime.date(2026, 5, 1)


@pytest.fixture
def member(in_alpha):
    return UserFactory(roles=["owner"])


def send(user, meter, text, **kwargs):
    register = meter.registers.get()
    return services.submit_readings(actor=user, entries=[services.Entry(register, text)], **kwargs)


def refusal(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_reading_in_the_window_counts_in_this_month(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    result = send(member, meter, "12,5")
    assert result.period == MAY and not result.late
    (reading,) = result.readings
    assert reading.value == Decimal("12.5") and reading.consumption == Decimal("12.5")
    assert reading.source == ReadingSource.MEMBER and reading.entered_by == member
    assert AuditEntry.objects.filter(action="meters.reading_submitted").count() == 1


def test_a_late_reading_counts_in_the_next_period(member, today):
    today(datetime.date(2026, 5, 26))  # the default window is the 1st to the 25th
    _premises, (meter,) = home_of(member)
    result = send(member, meter, "3")
    assert result.period == datetime.date(2026, 6, 1) and result.late
    assert Reading.objects.get().late


def test_the_window_comes_from_the_associations_settings(member, today):
    today(datetime.date(2026, 5, 21))
    profile.set_operational_settings(
        actor=None,
        valid_from=datetime.date(2026, 5, 21),
        readings_from_day=15,
        readings_until_day=20,
        due_day=None,
    )
    window = periods.current_window()
    assert window.late and window.period == datetime.date(2026, 6, 1)
    assert window.opens_on == datetime.date(2026, 6, 15)


def test_a_correction_supersedes_and_the_last_one_counts(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    history(meter, ["10"], until=MAY)
    send(member, meter, "14")
    send(member, meter, "12")  # lower than the first submission: a correction, not an error
    rows = list(Reading.objects.filter(period=MAY).order_by("submitted_at", "id"))
    assert len(rows) == 2
    current = Reading.objects.get(period=MAY, superseded_at__isnull=True)
    assert current.value == Decimal("12") and current.consumption == Decimal("2")


def test_zero_consumption_is_valid(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    history(meter, ["10", "12", "15"], until=MAY)
    (reading,) = send(member, meter, "15").readings
    assert reading.consumption == 0 and not reading.flagged


@pytest.mark.parametrize(
    "text, message",
    [
        ("12a", "Enter digits only"),
        ("abc", "Enter digits only"),
        ("-5", "Enter digits only"),
        ("1e3", "Enter digits only"),
        ("123456", "at most 5 digits before"),
        ("12.3456", "at most 3 digits after"),
    ],
)
def test_bad_text_is_refused_beside_the_field_and_nothing_is_stored(member, today, text, message):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    errors = refusal(lambda: send(member, meter, text))
    (field,) = errors
    assert field == services.reading_field(meter.registers.get())
    assert message in errors[field][0]
    assert not Reading.objects.exists()


def test_lower_than_the_previous_is_refused(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    history(meter, ["100"], until=MAY)
    errors = refusal(lambda: send(member, meter, "99,5"))
    assert "lower than the previous one (100)" in next(iter(errors.values()))[0]
    assert Reading.objects.count() == 1


def test_rollover_past_the_digit_capacity(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member, digits=5)
    history(meter, ["99990"], until=MAY)
    (reading,) = send(member, meter, "00007").readings
    assert reading.rolled_over and reading.consumption == Decimal("17")


def test_a_replaced_meter_starts_from_its_own_initial_reading(member, today):
    today(MAY_20)
    _premises, (old,) = home_of(member)
    history(old, ["500"], until=MAY)
    new = services.replace_meter(
        old,
        actor=None,
        on=datetime.date(2026, 5, 10),
        final_values={"total": "503"},
        serial_number="NEW-1",
        initial_values={"total": "0,5"},
    )
    old.refresh_from_db()
    assert old.closed_on == datetime.date(2026, 5, 10) and old.close_reason == "replaced"
    assert old.registers.get().final_value == Decimal("503")
    assert new.replaces == old and new.registers.get().initial_value == Decimal("0.5")
    (reading,) = send(member, new, "2").readings  # far below the old meter's 503: fine
    assert reading.consumption == Decimal("1.5")
    closing = Reading.objects.get(meter=old, source=ReadingSource.CLOSING)
    assert closing.consumption == Decimal("3") and closing.period == MAY
    # The old meter takes no more readings.
    assert "closed" in next(iter(refusal(lambda: send(member, old, "600")).values()))[0]


def test_an_anomaly_asks_to_confirm_then_is_flagged(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    history(meter, ["4", "8.1", "12", "16.2", "20"], until=MAY)  # about 4 m³ a month
    errors = refusal(lambda: send(member, meter, "60"))
    assert "far above this meter's usual consumption" in next(iter(errors.values()))[0]
    assert not Reading.objects.filter(period=MAY).exists()
    (reading,) = send(member, meter, "60", confirm=True).readings
    assert reading.flagged
    assert reading.flag_details["code"] == "above_usual"
    assert Decimal(reading.flag_details["median"]) == Decimal("4")
    # An ordinary month is not an anomaly.
    (ordinary,) = send(member, meter, "25").readings
    assert not ordinary.flagged


def test_a_future_date_and_a_closed_or_future_period_are_refused(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member)
    errors = refusal(lambda: send(member, meter, "5", taken_on=datetime.date(2026, 5, 21)))
    assert "future" in errors["taken_on"][0]
    errors = refusal(lambda: send(member, meter, "5", period=datetime.date(2026, 4, 1)))
    assert "closed" in errors["period"][0]
    errors = refusal(lambda: send(member, meter, "5", period=datetime.date(2026, 6, 1)))
    assert "not accepted yet" in errors["period"][0]
    assert not Reading.objects.exists()


def test_one_bad_figure_stores_nothing_of_the_submission(member, today):
    today(MAY_20)
    _premises, (cold, hot) = home_of(member, kinds=(MeterKind.COLD_WATER, MeterKind.HOT_WATER))
    entries = [
        services.Entry(cold.registers.get(), "5"),
        services.Entry(hot.registers.get(), "x"),
    ]
    refusal(lambda: services.submit_readings(actor=member, entries=entries))
    assert not Reading.objects.exists()


def test_the_board_enters_readings_marked_with_who(member, today, in_alpha):
    today(MAY_20)
    chairman = UserFactory(roles=["chairman", "board_member"])
    _premises, (meter,) = home_of(member)
    register = meter.registers.get()
    result = services.submit_readings(
        actor=chairman,
        entries=[services.Entry(register, "7")],
        source=ReadingSource.BOARD,
        taken_on=datetime.date(2026, 5, 18),
    )
    (reading,) = result.readings
    assert reading.source == ReadingSource.BOARD and reading.entered_by == chairman
    assert reading.taken_on == datetime.date(2026, 5, 18)


def test_multi_tariff_registers_are_read_separately(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member, kinds=("electricity_two",), digits=6, decimals=1)
    day, night = meter.registers.order_by("position")
    assert (day.code, night.code) == ("day", "night")
    services.submit_readings(
        actor=member,
        entries=[services.Entry(day, "120,4"), services.Entry(night, "64")],
    )
    assert Reading.objects.filter(meter=meter).count() == 2
    assert meter.tariff == Tariff.TWO_ZONE


def test_meters_refuse_zones_for_water_and_duplicate_serials(in_alpha):
    premises = make_premises()
    with pytest.raises(ValidationError):
        add_meter(premises, kind=MeterKind.COLD_WATER, tariff=Tariff.TWO_ZONE)
    add_meter(premises, serial_number="X-1")
    with pytest.raises(ValidationError) as caught:
        add_meter(premises, serial_number="X-1")
    assert "serial_number" in caught.value.message_dict


def test_closing_a_failed_meter_needs_no_final_reading(in_alpha, today):
    today(MAY_20)
    meter = add_meter(make_premises())
    services.close_meter(meter, actor=None, on=MAY_20, reason="failed")
    meter.refresh_from_db()
    assert meter.closed_on == MAY_20 and not meter.is_open
    assert AuditEntry.objects.filter(action="meters.meter_closed").exists()


def test_a_multi_tariff_meter_is_read_whole(member, today):
    today(MAY_20)
    _premises, (meter,) = home_of(member, kinds=("electricity_two",), digits=6, decimals=1)
    day, night = meter.registers.order_by("position")
    errors = refusal(
        lambda: services.submit_readings(actor=member, entries=[services.Entry(day, "120")])
    )
    assert list(errors) == [services.reading_field(night)]
    assert not Reading.objects.exists()
