"""The billing volume against worked cases of Правила 354 пп. 59, 60, 61: the average of 6
months, of the actual 3, the norm with fewer, the 4th missing period by the norm, non-residential
premises after 2 periods, an expired verification (the norm × the increasing coefficient, 3 for
cold water since 6 December 2025, 1.5 for hot water), a late reading's recalculation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tenants.meters import billing, periods
from tenants.meters.billing import Method, Reason
from tenants.meters.models import Meter, MeterKind, Norm, NormBasis, Reading, ReadingSource
from tests.factories import UserFactory
from tests.tenants.meters.support import add_meter, history, home_of
from tests.tenants.residents.factories import make_premises

pytestmark = pytest.mark.django_db
MAY = datetime.date(2026, 5, 1)


@pytest.fixture
def norms(in_alpha):
    Norm.objects.create(
        kind=MeterKind.COLD_WATER, valid_from=datetime.date(2020, 1, 1), value=Decimal("6.935")
    )
    Norm.objects.create(
        kind=MeterKind.HOT_WATER, valid_from=datetime.date(2020, 1, 1), value=Decimal("4.745")
    )
    Norm.objects.create(
        kind=MeterKind.HEAT,
        valid_from=datetime.date(2020, 1, 1),
        value=Decimal("0.0159"),
        basis=NormBasis.PER_M2,
    )


def volume(meter, period) -> billing.BillingVolume:
    return billing.billing_volume(meter.registers.get(), period)


def flat(residents=2, **kwargs):
    return make_premises(registered_residents=residents, **kwargs)


def months_before(period, count):
    for _ in range(count):
        period = periods.previous_month(period)
    return period


def test_an_actual_reading_is_billed_as_read(norms):
    meter = add_meter(flat())
    history(meter, ["10", "21"], until=MAY)
    found = volume(meter, periods.previous_month(MAY))
    assert (found.method, found.volume, found.adjustment) == (Method.ACTUAL, Decimal(11), 0)
    assert found.basis == "by the meter's reading"


def test_average_of_six_months(norms):
    # Sep 2025 … Apr 2026; the six months after October: 10, 10, 12, 12, 12, 12 = 68.
    meter = add_meter(flat())
    history(meter, ["10", "20", "30", "40", "52", "64", "76", "88"], until=MAY)
    found = volume(meter, MAY)
    assert (found.method, found.reason, found.months) == (Method.AVERAGE, Reason.MISSING, 6)
    assert found.volume == Decimal("11.3333")
    assert found.basis == "average of 6 months"


def test_average_of_the_actual_three_months(norms):
    meter = add_meter(flat(), installed_on=datetime.date(2026, 2, 3))
    history(meter, ["5", "11", "18"], until=MAY)  # February, March, April
    found = volume(meter, MAY)
    assert (found.method, found.months, found.volume) == (Method.AVERAGE, 3, Decimal(6))


def test_fewer_than_three_months_bills_the_norm(norms):
    meter = add_meter(flat(residents=2), installed_on=datetime.date(2026, 3, 3))
    history(meter, ["5", "11"], until=MAY)
    found = volume(meter, MAY)
    assert found.method == Method.NORM
    assert (found.norm, found.quantity, found.coefficient) == (Decimal("6.935"), 2, 1)
    assert found.volume == Decimal("13.87")
    assert found.basis == "norm 6.935 × 2"


def test_the_fourth_missing_period_is_billed_by_the_norm(norms):
    meter = add_meter(flat(residents=3))
    history(meter, [str(10 * n) for n in range(1, 9)], until=datetime.date(2026, 2, 1))
    feb, mar, apr = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
    assert [volume(meter, p).method for p in (feb, mar, apr)] == [Method.AVERAGE] * 3
    assert volume(meter, apr).volume == Decimal(10)
    fourth = volume(meter, MAY)
    assert (fourth.method, fourth.reason, fourth.coefficient) == (Method.NORM, Reason.MISSING, 1)
    assert fourth.volume == Decimal("20.805")  # 6.935 × 3, no coefficient for a missing reading


def test_non_residential_premises_have_two_periods_of_average(norms, in_alpha):
    premises = flat(residents=0, kind="nonres")
    meter = add_meter(premises)
    history(meter, [str(10 * n) for n in range(1, 9)], until=datetime.date(2026, 3, 1))
    assert volume(meter, datetime.date(2026, 4, 1)).method == Method.AVERAGE
    third = volume(meter, MAY)
    assert third.method == Method.NORM
    assert third.quantity == 1  # nobody registered, no owner recorded: at least one


def _expired_meter(kind):
    """Verified 15 March 2020 for 6 years: failed from 15 March 2026 (п. 81(12))."""
    meter = add_meter(
        flat(residents=2),
        kind=kind,
        verified_on=datetime.date(2020, 3, 15),
        verification_interval_years=6,
    )
    history(meter, [str(10 * n) for n in range(1, 9)], until=datetime.date(2026, 3, 1))
    register = meter.registers.get()
    # A reading taken after the verification expired does not count.
    Reading.objects.create(
        register=register,
        meter=meter,
        period=datetime.date(2026, 3, 1),
        value=Decimal(95),
        consumption=Decimal(15),
        taken_on=datetime.date(2026, 3, 20),
        submitted_at=timezone.now(),
        source=ReadingSource.MEMBER,
    )
    return meter


def test_expired_verification_average_then_norm_times_three_for_cold_water(norms):
    meter = _expired_meter(MeterKind.COLD_WATER)
    march = volume(meter, datetime.date(2026, 3, 1))
    assert (march.method, march.reason, march.volume) == (Method.AVERAGE, Reason.FAILED, 10)
    assert volume(meter, MAY).method == Method.AVERAGE
    june = volume(meter, datetime.date(2026, 6, 1))
    assert (june.method, june.coefficient) == (Method.NORM, Decimal(3))
    assert june.volume == Decimal("41.61")  # 6.935 × 2 × 3
    assert june.basis == "norm 6.935 × 2 × increasing coefficient 3"


def test_expired_verification_of_hot_water_takes_one_and_a_half(norms):
    meter = _expired_meter(MeterKind.HOT_WATER)
    june = volume(meter, datetime.date(2026, 6, 1))
    assert (june.method, june.coefficient, june.volume) == (
        Method.NORM,
        Decimal("1.5"),
        Decimal("14.235"),
    )


def test_cold_water_before_6_december_2025_took_one_and_a_half(norms):
    meter = add_meter(
        flat(residents=1), verified_on=datetime.date(2019, 4, 1), verification_interval_years=6
    )
    history(meter, ["10", "20", "30", "40"], until=datetime.date(2025, 4, 1))
    found = volume(meter, datetime.date(2025, 9, 1))
    assert (found.method, found.coefficient) == (Method.NORM, Decimal("1.5"))


def test_a_late_reading_recalculates_the_averaged_periods(norms):
    meter = add_meter(flat())
    history(meter, [str(10 * n) for n in range(1, 9)], until=datetime.date(2026, 2, 1))
    feb, mar = datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
    assert volume(meter, feb).volume + volume(meter, mar).volume == Decimal(20)
    # April's reading (sent late in March, so it counts in April) covers February to April.
    register = meter.registers.get()
    Reading.objects.create(
        register=register,
        meter=meter,
        period=datetime.date(2026, 4, 1),
        value=Decimal(116),
        consumption=Decimal(36),
        taken_on=datetime.date(2026, 3, 28),
        submitted_at=timezone.now(),
        source=ReadingSource.MEMBER,
        late=True,
    )
    april = volume(meter, datetime.date(2026, 4, 1))
    assert (april.method, april.volume, april.adjustment) == (Method.ACTUAL, 36, -20)
    assert april.adjusted_periods == (feb, mar)
    assert april.adjustment_basis == (
        "recalculation for February 2026 – March 2026: billed by average or norm, now by the "
        "meter's reading"
    )
    # The earlier periods keep what was billed: the recalculation lives in April.
    assert volume(meter, feb).method == Method.AVERAGE


def test_the_heat_norm_is_per_square_metre(norms):
    meter = add_meter(make_premises(area="62.50"), kind=MeterKind.HEAT)
    found = volume(meter, MAY)
    assert (found.method, found.quantity, found.volume) == (
        Method.NORM,
        Decimal("62.50"),
        Decimal("0.9938"),
    )


def test_two_zones_bill_the_norm_on_the_first_register(norms):
    Norm.objects.create(
        kind=MeterKind.ELECTRICITY, valid_from=datetime.date(2020, 1, 1), value=Decimal("100")
    )
    meter = add_meter(flat(residents=1), kind=MeterKind.ELECTRICITY, tariff="two_zone")
    found = billing.billing_volumes(MAY, meters=Meter.objects.filter(pk=meter.pk))
    assert [v.volume for v in found] == [Decimal(100), Decimal(0)]


def test_no_volume_before_installation_or_after_closing_or_without_a_norm(in_alpha):
    meter = add_meter(flat(), installed_on=datetime.date(2026, 6, 2))
    assert volume(meter, MAY).method == Method.NONE
    other = add_meter(flat())
    assert volume(other, MAY).method == Method.NONE  # no norm set


def test_a_member_reads_only_their_own_volumes(norms):
    member = UserFactory(roles=["owner"])
    _premises, (mine,) = home_of(member)
    add_meter(flat())
    found = billing.billing_volumes(MAY, reader=member)
    assert {v.meter_id for v in found} == {mine.pk}
    accountant = UserFactory(roles=["accountant"])
    assert len(billing.billing_volumes(MAY, reader=accountant)) == Meter.objects.count()


def test_queries_do_not_grow_with_meters(norms, django_assert_num_queries):
    meter = add_meter(flat())
    history(meter, ["1", "2", "3"], until=MAY)
    with django_assert_num_queries(6):
        billing.billing_volumes(MAY)
    for _ in range(10):
        other = add_meter(flat())
        history(other, ["1", "2", "3", "4"], until=MAY)
    with django_assert_num_queries(6):
        assert len(billing.billing_volumes(MAY)) == 11
