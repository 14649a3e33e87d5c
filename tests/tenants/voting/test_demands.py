"""Demands for an extraordinary meeting: owners holding 10 % of the votes (ЖК ст. 45 ч. 6), more
than a fifth of an СНТ's members (217-ФЗ ст. 17 ч. 7); the board is told and calls it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tenants.notifications.models import InboxItem, Message
from tenants.voting import services
from tenants.voting.models import Demand, DemandStatus, Meeting
from tenants.voting.rules import MeetingKind
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import owned, use_kind


def test_owners_with_ten_per_cent_oblige_the_board(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(roles=["chairman"])
    anna, boris, tenant = (UserFactory(roles=["owner"]) for _ in range(3))
    building = BuildingFactory()
    owned(building, "6.00", users={0: anna})  # 6 of 100
    owned(building, "4.00", Fraction(1, 2), Fraction(1, 2), users={0: boris})  # 2 of 100
    owned(building, "90.00")
    with pytest.raises(ValidationError, match="Only those who vote"):
        services.create_demand(actor=tenant, kind=MeetingKind.OWNERS, agenda="Шлагбаум")
    with pytest.raises(ValidationError) as refused:
        services.create_demand(actor=anna, kind=MeetingKind.OWNERS, agenda=" ")
    assert "agenda" in refused.value.message_dict
    demand = services.create_demand(actor=anna, kind=MeetingKind.OWNERS, agenda="Шлагбаум")
    progress = services.demand_progress(demand)
    assert (progress["signed"], progress["total"], progress["needed"]) == (6, 100, 10)
    services.sign_demand(demand, actor=boris)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN  # 8 < 10
    with pytest.raises(ValidationError, match="already"):
        services.sign_demand(demand, actor=boris)
    carol = UserFactory(roles=["owner"])
    owned(building, "2.00", users={0: carol})  # the total grows to 102: 10.2 needed
    services.sign_demand(demand, actor=carol)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN  # 10 < 10.2
    dave = UserFactory(roles=["owner"])
    owned(building, "1.00", users={0: dave})
    services.sign_demand(demand, actor=dave)  # 11 of 103: at least 10 %
    demand.refresh_from_db()
    assert demand.status == DemandStatus.MET and demand.met_at
    message = Message.objects.get(kind="voting.demand")
    assert InboxItem.objects.filter(message=message, user=chairman).exists()


def test_snt_needs_more_than_a_fifth_of_members(monkeypatch, in_alpha):
    use_kind(monkeypatch, "snt")
    building = BuildingFactory()
    logins = [UserFactory(roles=["owner"]) for _ in range(10)]
    for login in logins:
        owned(building, "600.00", members=True, users={0: login})
    demand = services.create_demand(actor=logins[0], kind=MeetingKind.MEMBERS, agenda="Смета")
    services.sign_demand(demand, actor=logins[1])
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN  # 2 of 10: exactly a fifth is not enough
    services.sign_demand(demand, actor=logins[2])
    demand.refresh_from_db()
    assert demand.status == DemandStatus.MET


def test_the_charter_decides_for_a_tszh_members_meeting(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    anna = UserFactory(roles=["owner"])
    owned(BuildingFactory(), "50.00", members=True, users={0: anna})
    with pytest.raises(ValidationError, match="charter"):
        services.create_demand(actor=anna, kind=MeetingKind.MEMBERS, agenda="Смета")


def test_the_pages_sign_and_convene(monkeypatch, in_alpha, alpha, client_of, make_user):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman"])
    anna = make_user(alpha, roles=["owner"])
    building = BuildingFactory()
    owned(building, "20.00", users={0: anna})
    owned(building, "80.00")
    client = client_of(alpha, anna)
    client.cookies["django_language"] = "en"
    made = client.post(
        reverse("voting:demand-new"),
        {"kind": "owners", "building": str(building.pk), "agenda": "Установить шлагбаум"},
    )
    assert made.status_code == 302
    demand = Demand.objects.get()
    page = client.get(reverse("voting:demand", args=[demand.pk])).content.decode()
    assert "Установить шлагбаум" in page and "You have signed" in page
    assert demand.status == DemandStatus.MET  # 20 of 100
    board = client_of(alpha, chairman)
    board.post(reverse("voting:demand-convene", args=[demand.pk]))
    demand.refresh_from_db()
    meeting = Meeting.objects.get()
    assert demand.status == DemandStatus.CONVENED and demand.meeting == meeting
    assert meeting.kind == MeetingKind.OWNERS and meeting.building == building
