"""Demands where the charter decides the threshold (ТСЖ/ТСН members' meetings, ЖСК): the board
records the charter's share and days; demands are collected like the owners'; the deadline
to call the meeting is shown, and overdue is marked."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit.models import AuditEntry
from tenants.voting import services
from tenants.voting.models import Demand, DemandSetting, DemandStatus
from tenants.voting.rules import MeetingKind
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import owned, use_kind


def test_the_board_records_the_charter_and_members_demand(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(roles=["chairman"])
    members = [UserFactory(roles=["owner"]) for _ in range(3)]
    building = BuildingFactory()
    owned(building, "20.00", members=True, users={0: members[0]})  # 20 of 100 members' votes
    owned(building, "5.00", members=True, users={0: members[1]})
    owned(building, "75.00", members=True, users={0: members[2]})
    with pytest.raises(ValidationError, match="set by the charter"):
        services.create_demand(actor=members[0], kind=MeetingKind.MEMBERS, agenda="Смета")

    # Refusals, nothing stored.
    with pytest.raises(ValidationError, match="Only the board"):
        services.set_demand_threshold(
            actor=members[0],
            kind="members",
            share=Fraction(1, 4),
            strict=True,
            days=30,
            clause="п. 12.3",
        )
    with pytest.raises(ValidationError) as refused:
        services.set_demand_threshold(
            actor=chairman, kind="owners", share=Fraction(0), strict=False, days=0, clause=" "
        )
    assert set(refused.value.message_dict) == {"kind", "share", "days", "clause"}
    assert not DemandSetting.objects.exists()

    services.set_demand_threshold(
        actor=chairman,
        kind="members",
        share=Fraction(1, 4),
        strict=True,
        days=30,
        clause="п. 12.3",
    )
    assert AuditEntry.objects.filter(action="voting.demand_threshold_set").count() == 1
    demand = services.create_demand(actor=members[0], kind=MeetingKind.MEMBERS, agenda="Смета")
    assert (demand.share, demand.strict_share, demand.due_days) == (Fraction(1, 4), True, 30)
    assert "п. 12.3" in demand.basis_text and "more than 1/4" in demand.basis_text
    services.sign_demand(demand, actor=members[2])
    demand.refresh_from_db()
    assert demand.status == DemandStatus.MET  # 95 of 100


def test_exactly_the_share_is_not_enough_when_the_charter_says_more_than(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(roles=["chairman"])
    a, b, c = (UserFactory(roles=["owner"]) for _ in range(3))
    building = BuildingFactory()
    owned(building, "20.00", members=True, users={0: a})
    owned(building, "5.00", members=True, users={0: b})
    owned(building, "75.00", members=True, users={0: c})
    services.set_demand_threshold(
        actor=chairman,
        kind="members",
        share=Fraction(1, 4),
        strict=True,
        days=30,
        clause="п. 12.3",
    )
    demand = services.create_demand(actor=a, kind=MeetingKind.MEMBERS, agenda="Смета")
    services.sign_demand(demand, actor=b)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.OPEN  # 25 of 100: exactly a quarter
    # A later change of the setting does not move a demand already started.
    services.set_demand_threshold(
        actor=chairman,
        kind="members",
        share=Fraction(1, 10),
        strict=False,
        days=10,
        clause="п. 12.3 (новая редакция)",
    )
    demand.refresh_from_db()
    assert demand.share == Fraction(1, 4)
    services.sign_demand(demand, actor=c)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.MET
    assert demand.due_on == timezone.localtime(demand.met_at).date() + datetime.timedelta(days=30)


def test_the_demand_page_shows_the_deadline_and_overdue(
    monkeypatch, in_alpha, alpha, client_of, make_user
):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman"])
    anna = make_user(alpha, roles=["owner"])
    owned(BuildingFactory(), "50.00", members=True, users={0: anna})
    services.set_demand_threshold(
        actor=chairman,
        kind="members",
        share=Fraction(1, 10),
        strict=False,
        days=30,
        clause="п. 12.3",
    )
    demand = services.create_demand(actor=anna, kind=MeetingKind.MEMBERS, agenda="Смета")
    assert demand.status == DemandStatus.MET
    client = client_of(alpha, anna)
    client.cookies["django_language"] = "en"
    page = client.get(f"/voting/demands/{demand.pk}/").content.decode()
    assert f'data-due="{demand.due_on:%Y-%m-%d}"' in page
    assert "The deadline has passed" not in page
    Demand.objects.filter(pk=demand.pk).update(met_at=timezone.now() - datetime.timedelta(days=40))
    page = client.get(f"/voting/demands/{demand.pk}/").content.decode()
    assert "The deadline has passed" in page
    listing = client.get("/voting/demands/").content.decode()
    assert "overdue" in listing
    board = client_of(alpha, chairman)
    assert board.get("/voting/demands/settings/").status_code == 200
    assert client.get("/voting/demands/settings/").status_code == 403
