"""The demo's meters (the demo owner sees theirs with months of history) and a photo of a
meter's face (stored under the holding's key, read by the premises' members and the board,
a 404 for anyone else)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenants.files.models import StoredFile
from tenants.meters import selectors
from tenants.meters.demo import MONTHS, seed_demo
from tenants.meters.models import Meter, Reading
from tests.factories import UserFactory
from tests.tenants.files.images import png
from tests.tenants.meters.support import home_of
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db


def test_the_demo_gives_flat_15_four_meters_with_history(in_alpha, today):
    today(datetime.date(2026, 5, 20))
    building = BuildingFactory(name="Дом 1")
    owner = UserFactory(roles=["owner"])
    flat = make_premises(building, number="15")
    make_owner(flat, user=owner)
    make_premises(building, number="16")
    assert seed_demo().startswith("Demo meters")
    mine = list(selectors.home_meters(owner))
    assert len(mine) == 4
    assert Reading.objects.filter(meter__in=mine).values("period").distinct().count() == MONTHS
    assert Meter.objects.filter(building=building).count() == 1  # the common-house heat meter
    # every figure fits its meter's face: the member can send it back unchanged
    for reading in Reading.objects.select_related("meter"):
        assert -reading.value.normalize().as_tuple().exponent <= reading.meter.decimals
    assert seed_demo() == ""  # once


def test_a_photo_is_kept_for_the_premises_members_and_the_board(in_alpha, alpha, client_of, today):
    today(datetime.date(2026, 5, 20))
    member = UserFactory(roles=["owner"])
    _premises, (meter,) = home_of(member)
    field = f"r-{meter.registers.get().pk}"
    answer = client_of(alpha, member).post(
        "/meters/", {field: "5", f"photo-{meter.pk}": SimpleUploadedFile("m.png", png())}
    )
    assert answer.status_code == 302
    reading = Reading.objects.get()
    stored = StoredFile.objects.get(pk=reading.photo_id)
    assert stored.purpose == "meters.reading_photo" and stored.holding_id is not None
    url = reverse("files:download", kwargs={"pk": stored.pk})
    assert client_of(alpha, member).get(url).status_code == 200
    chairman = UserFactory(roles=["chairman", "board_member"])
    assert client_of(alpha, chairman).get(url).status_code == 200
    neighbour = UserFactory(roles=["owner"])
    home_of(neighbour)
    assert client_of(alpha, neighbour).get(url).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_beside_the_photo(in_alpha, alpha, client_of, today):
    today(datetime.date(2026, 5, 20))
    member = UserFactory(roles=["owner"])
    _premises, (meter,) = home_of(member)
    answer = client_of(alpha, member).post(
        "/meters/",
        {
            f"r-{meter.registers.get().pk}": "5",
            f"photo-{meter.pk}": SimpleUploadedFile("m.png", b"not an image at all"),
        },
    )
    assert answer.status_code == 400
    assert "not accepted" in answer.content.decode()
    assert not Reading.objects.exists() and not StoredFile.objects.exists()
