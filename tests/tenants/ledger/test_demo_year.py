"""The demo's year of money: real services and runs over twelve months (the metered ones from
the meters' demo readings), closed months, a tariff raised in July, a benefit, a recalculation
naming a closed month, payments and debtors; the demo owner's money page shows it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tenants.ledger import demo, penalty_posting
from tenants.ledger.models import Entry, EntryKind, Method, Period, Tariff
from tenants.ledger.payments.models import Payment
from tenants.meters import demo as meters_demo
from tenants.profile import demo as profile_demo
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(in_alpha):
    building = BuildingFactory(name="Дом 1")
    user = UserFactory(roles=["owner"])
    make_owner(make_premises(building, number="15", area="54.3", registered_residents=2), user=user)
    for number in range(16, 24):
        make_premises(building, number=str(number), area="48", registered_residents=1)
    profile_demo.seed_demo()
    meters_demo.seed_demo()
    return user


def test_the_demo_year_charges_every_method_and_is_made_once(owner, alpha, client_of):
    line = demo.seed_demo()
    assert "7 services, 12 monthly runs" in line
    months = demo.months_back(timezone.localdate(), demo.MONTHS)
    charged = Entry.objects.filter(kind=EntryKind.CHARGE)
    by_method = set(charged.values_list("service__method", flat=True))
    assert by_method == {
        Method.AREA,
        Method.RESIDENT,
        Method.METERED,
        Method.HEATING,
        Method.COMMON_HOUSE,
    }
    assert not charged.filter(amount__lt=0).exists()  # no meter opens with a recalculation
    metered = charged.filter(service__code="cold", account__premises__number="15")
    assert sorted(metered.values_list("period", flat=True)) == months  # a reading every month
    base = metered.first().calculation["base"]
    assert base["meters"][0]["method"] == "actual" and not base["adjustment"]
    assert Tariff.objects.filter(service__code="maintenance").count() == 2
    assert Period.objects.filter(closed_at__isnull=False).count() == len(months) - 1
    recalculation = Entry.objects.get(kind=EntryKind.RECALCULATION, service__code="hot")
    assert recalculation.corrects_period == months[-3]
    assert recalculation.account.premises.number == "15"
    assert Payment.objects.exists()
    # only the demo's debtors (the 3rd and 9th of these nine accounts) have penalties: the
    # others paid each month by its due date
    penalties = Entry.objects.filter(source=penalty_posting.PENALTY_SOURCE)
    penalised = set(penalties.values_list("account__number", flat=True))
    assert penalised and len(penalised) <= 3
    assert demo.seed_accruals() == "accruals: already there"
    page = client_of(alpha, owner).get(f"/money/accounts/{recalculation.account_id}/")
    assert page.status_code == 200
    assert "Холодное водоснабжение" in page.content.decode()
