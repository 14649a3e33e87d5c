"""The methods that stand on the meters, with worked numbers (Правила 354):

- metered (п. 42): the premises' billing volume (here an actual reading) × the tariff;
- common-house consumption (ОДН/СОИ, п. 44): the building meter's volume less the premises'
  own metered volumes, shared by area, and capped by the norm where the tariff has one;
- heating (п. 42(1), appendix 2 formula 3): the building's heat meter shared by area, or the
  norm × area where the building has no heat meter.

Each charge's calculation ("Explain my bill") says the base it came from.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tenants.ledger import services
from tenants.ledger.models import Entry, EntryKind, Method
from tenants.meters.models import MeterKind
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.meters.support import add_meter, history
from tests.tenants.residents.factories import BuildingFactory, make_premises

pytestmark = pytest.mark.django_db
APRIL = datetime.date(2025, 4, 1)
MAY = datetime.date(2025, 5, 1)


def charge_of(premises, service) -> Entry:
    return Entry.objects.get(
        account=premises.accounts.get(), service=service, kind=EntryKind.CHARGE, period=APRIL
    )


@pytest.fixture
def building(in_alpha):
    """Two flats of 40 and 60 m² (100 m² in the building), each with a cold-water meter that
    used 11 and 9 m³ in April."""
    found = BuildingFactory()
    small = make_premises(found, area="40")
    large = make_premises(found, area="60")
    history(add_meter(small, kind=MeterKind.COLD_WATER), ["100", "111"], until=MAY)
    history(add_meter(large, kind=MeterKind.COLD_WATER), ["50", "59"], until=MAY)
    return found, small, large


def test_metered_charge_is_the_volume_times_the_tariff(building):
    _building, small, large = building
    water = add_service(Method.METERED, "50.125", meter_kind=MeterKind.COLD_WATER, unit="м³")
    services.accrue(APRIL, actor=None)
    assert charge_of(small, water).amount == Decimal("551.38")  # 11 × 50.125 = 551.375
    assert charge_of(large, water).amount == Decimal("451.13")  # 9 × 50.125 = 451.125
    base = charge_of(small, water).calculation["base"]
    assert (base["kind"], base["value"]) == ("volume", "11")
    assert len(base["meters"]) == 1 and base["meters"][0]["method"] == "actual"


def test_common_house_shares_the_rest_by_area(building):
    found, small, large = building
    history(add_meter(building=found, kind=MeterKind.COLD_WATER), ["1000", "1030"], until=MAY)
    common = add_service(
        Method.COMMON_HOUSE, "50", meter_kind=MeterKind.COLD_WATER, unit="м³", code="odn"
    )
    services.accrue(APRIL, actor=None)
    # 30 − (11 + 9) = 10 m³ shared: 40 % and 60 %
    assert charge_of(small, common).amount == Decimal("200.00")
    assert charge_of(large, common).amount == Decimal("300.00")
    base = charge_of(large, common).calculation["base"]
    assert base["kind"] == "common_house"
    assert (base["building_volume"], base["premises_volumes"], base["shared"]) == ("30", "20", "10")
    assert base["capped_by_norm"] is False


def test_common_house_is_capped_by_the_norm(building):
    found, small, large = building
    history(add_meter(building=found, kind=MeterKind.COLD_WATER), ["1000", "1030"], until=MAY)
    common = add_service(
        Method.COMMON_HOUSE, "50", meter_kind=MeterKind.COLD_WATER, unit="м³", norm=Decimal("0.05")
    )
    services.accrue(APRIL, actor=None)
    # the share (4 and 6 m³) is above the norm × area (2 and 3 m³): the norm is billed
    assert charge_of(small, common).amount == Decimal("100.00")
    assert charge_of(large, common).amount == Decimal("150.00")
    assert charge_of(small, common).calculation["base"]["capped_by_norm"] is True


def test_common_house_never_negative_when_flats_used_more(building):
    found, small, _large = building
    history(add_meter(building=found, kind=MeterKind.COLD_WATER), ["1000", "1015"], until=MAY)
    common = add_service(Method.COMMON_HOUSE, "50", meter_kind=MeterKind.COLD_WATER, unit="м³")
    services.accrue(APRIL, actor=None)
    # 15 − 20 < 0: nothing is shared, and a zero charge is not posted
    assert not Entry.objects.filter(service=common, kind=EntryKind.CHARGE).exclude(amount=0)


def test_heating_by_the_building_meter_shared_by_area(in_alpha):
    found = BuildingFactory()
    small = make_premises(found, area="40")
    large = make_premises(found, area="60")
    history(add_meter(building=found, kind=MeterKind.HEAT), ["100", "112"], until=MAY)
    heating = add_service(Method.HEATING, "2000", meter_kind=MeterKind.HEAT, unit="Гкал")
    services.accrue(APRIL, actor=None)
    assert charge_of(small, heating).amount == Decimal("9600.00")  # 12 × 0.4 × 2000
    assert charge_of(large, heating).amount == Decimal("14400.00")  # 12 × 0.6 × 2000
    base = charge_of(small, heating).calculation["base"]
    assert base["kind"] == "heating"
    assert (base["building_volume"], base["building_area"]) == ("12", "100")


def test_heating_without_a_building_meter_is_the_norm_times_area(in_alpha):
    found = BuildingFactory()
    flat = make_premises(found, area="40")
    heating = add_service(
        Method.HEATING, "2000", meter_kind=MeterKind.HEAT, unit="Гкал", norm=Decimal("0.0159")
    )
    services.accrue(APRIL, actor=None)
    assert charge_of(flat, heating).amount == Decimal("1272.00")  # 0.0159 × 40 × 2000
    assert charge_of(flat, heating).calculation["base"]["kind"] == "norm"
