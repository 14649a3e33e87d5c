"""The demo association's registry (``seed_demo``): its shape, its demo owner, idempotence."""

from __future__ import annotations

import time
from collections import Counter
from fractions import Fraction

import pytest

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.portal.demo_registry import CHAIRMAN_EMAIL, DEMO_OWNER_EMAIL, seed_registry
from tenants.residents.models import Building, Owner, Ownership, PersonalAccount, Premises
from tenants.residents.selectors import my_home, shares_totals
from tenants.residents.validators import validate_inn, validate_ogrn

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(in_alpha, make_user):
    anna = make_user(in_alpha, roles=[Role.OWNER], email=DEMO_OWNER_EMAIL)
    chairman = make_user(in_alpha, roles=[Role.CHAIRMAN, Role.OWNER], email=CHAIRMAN_EMAIL)
    started = time.monotonic()
    assert seed_registry() is True
    return {"anna": anna, "chairman": chairman, "seconds": time.monotonic() - started}


def test_two_buildings_and_120_premises_of_every_kind(seeded):
    assert Building.objects.count() == 2
    assert Premises.objects.count() == 120
    kinds = Counter(Premises.objects.values_list("kind", flat=True))
    assert kinds == {"flat": 108, "nonres": 3, "parking": 9}
    assert PersonalAccount.objects.filter(premises__isnull=False).count() == 120
    assert not Premises.objects.filter(area__lte=0).exists()


def test_shares_include_halves_thirds_and_an_incomplete_register(seeded):
    shares = Counter(Ownership.objects.values_list("share_numerator", "share_denominator"))
    assert shares[(1, 2)] >= 4 and shares[(1, 3)] >= 3 and shares[(2, 3)] >= 2
    totals = shares_totals()
    assert sum(1 for total in totals.values() if total != 1) >= 1
    assert all(total <= 1 for total in totals.values())
    assert list(totals.values()).count(Fraction(1)) >= 110


def test_one_organisation_owner_with_valid_numbers(seeded):
    org = Owner.objects.get(kind="org")
    assert (org.inn, org.ogrn) == ("7704123450", "1027700123450")
    validate_inn(org.inn)
    validate_ogrn(org.ogrn)


def test_the_demo_owner_has_two_homes(seeded):
    homes = my_home(seeded["anna"])
    assert [(h.premises.building.name, h.premises.number, h.my_share_text) for h in homes] == [
        ("Дом 1", "15", "1/2"),
        ("Дом 1", "М2", "1"),
    ]
    assert homes[0].co_owners == ["Смирнов Дмитрий Олегович"]
    assert [h.premises.number for h in my_home(seeded["chairman"])] == ["1"]


def test_seeding_again_changes_nothing_and_is_fast(seeded):
    counts = (Premises.objects.count(), Owner.objects.count(), AuditEntry.objects.count())
    assert seed_registry() is False
    assert (Premises.objects.count(), Owner.objects.count(), AuditEntry.objects.count()) == counts
    assert seeded["seconds"] < 10, f"seeding took {seeded['seconds']:.1f} s"
