"""The demo's dispatch desk: suppliers, half a year of history, a trained classifier and the demo
owner's requests in every state, made once."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.dispatch import classifier
from tenants.dispatch.demo import seed_demo
from tenants.dispatch.models import ClassifierModel, Request, Status, Supplier
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_desk_once(in_alpha, alpha, client_of):
    building = BuildingFactory(name="Дом 1")
    owner = UserFactory(email="owner@demo.tszh.local", roles=[Role.OWNER])
    dispatcher = UserFactory(email="dispatcher@demo.tszh.local", roles=[Role.DISPATCHER])
    flat = make_premises(building, number="15")
    make_owner(flat, user=owner)
    make_owner(make_premises(building, number="27"), name="Соседова Нина")
    for number in range(30, 36):
        make_owner(make_premises(building, number=str(number)), name="Житель Дома")

    line = seed_demo()
    assert line.startswith("Demo dispatch")
    assert Supplier.objects.count() == 4
    assert classifier.train() is not None  # what the queued task does
    assert ClassifierModel.objects.get().samples > 100
    mine = {r.status for r in Request.objects.filter(author=owner)}
    assert {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.DONE, Status.CLOSED} <= mine
    assert Status.MERGED in mine and Request.objects.filter(is_collective=True).count() == 1
    assert Request.objects.filter(status=Status.CLOSED, author__isnull=True).count() > 100
    assert seed_demo() == ""  # once

    assert client_of(alpha, owner).get("/dispatch/").status_code == 200
    desk = client_of(alpha, dispatcher)
    for path in ("/dispatch/desk/", "/dispatch/analytics/", "/dispatch/suppliers/"):
        assert desk.get(path).status_code == 200, path
