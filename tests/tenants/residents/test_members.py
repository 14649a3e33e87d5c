"""The register of members: one person per member, membership dates, registered residents."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.access.roles import Role
from tenants.residents import member_selectors as members
from tenants.residents import services
from tenants.residents.models import Membership, Owner, RegisteredResident
from tenants.residents.services import members as member_services
from tenants.residents.services import residency
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db
D = datetime.date(2024, 6, 1)


@pytest.fixture
def board(alpha, make_user):
    return make_user(alpha, roles=[Role.CHAIRMAN])


def flat_and_parking(email="anna@example.test"):
    house = BuildingFactory(name="Садовая, 12")
    flat = make_premises(house, number="15", account="10015")
    anna_flat = make_owner(
        flat,
        share="1/2",
        name="Смирнова Анна",
        email=email,
        membership={"is_member": True, "member_since": datetime.date(2021, 1, 1)},
    )
    make_owner(flat, share="1/2", name="Смирнов Дмитрий", phone="+7 916 111-22-33")
    parking = make_premises(house, number="М2", kind="parking", account="10090")
    anna_parking = make_owner(
        parking,
        share=1,
        name="Смирнова Анна",
        email=email,
        membership={"is_member": True, "member_since": datetime.date(2021, 1, 1)},
    )
    return anna_flat, anna_parking


def test_a_person_with_a_flat_and_a_parking_place_counts_once(in_alpha):
    anna_flat, anna_parking = flat_and_parking()

    found = members.members_as_of(D)

    assert len(found) == 1
    (anna,) = found
    assert set(anna.owner_ids) == {anna_flat.pk, anna_parking.pk}
    assert sorted(h.premises.number for h in anna.holdings) == ["15", "М2"]
    register = members.register(D, contacts=True)
    assert [m.name for m in register] == ["Смирнова Анна"]
    assert register[0].emails == ["anna@example.test"]


def test_records_without_a_shared_identifier_are_two_persons_until_the_board_links_them(
    in_alpha, board
):
    anna_flat, anna_parking = flat_and_parking(email=None)
    assert len(members.members_as_of(D)) == 2

    member_services.link_owners(anna_flat, anna_parking, actor=board)

    assert len(members.members_as_of(D)) == 1
    assert len(members.register(D, contacts=False)) == 1
    # The membership follows the records' flags: one open period from the earliest date.
    (period,) = Membership.objects.all()
    assert period.admitted_on == datetime.date(2021, 1, 1)


def test_unlinking_separates_a_record_matched_by_its_email(in_alpha, board):
    anna_flat, anna_parking = flat_and_parking()

    member_services.unlink_owner(anna_parking, actor=board)

    found = members.members_as_of(D)
    assert len(found) == 1  # the parking record is a person of its own, not a member
    assert found[0].owner_ids == [anna_flat.pk]
    assert not Owner.objects.get(pk=anna_parking.pk).is_member


def test_membership_dates_decide_who_is_a_member_on_a_day(in_alpha, board):
    house = BuildingFactory()
    owner = make_owner(make_premises(house), name="Орлов Иван", email="orlov@example.test")
    assert members.members_as_of(D) == []

    member_services.admit_member(
        owner,
        applied_on=datetime.date(2024, 6, 20),
        admitted_on=datetime.date(2024, 7, 1),
        decision="Протокол общего собрания № 3 от 01.07.2024",
        actor=board,
    )

    assert members.members_as_of(D) == []  # admitted after D: not a member on D
    (member,) = members.members_as_of(datetime.date(2024, 7, 1))
    assert member.decision.startswith("Протокол") and member.applied_on.day == 20
    owner.refresh_from_db()
    assert owner.is_member and owner.member_since == datetime.date(2024, 7, 1)

    period = Membership.objects.get()
    member_services.end_membership(
        period, exited_on=datetime.date(2024, 9, 1), decision="заявление о выходе", actor=board
    )
    assert members.members_as_of(datetime.date(2024, 10, 1)) == []  # exited before that day
    assert len(members.members_as_of(datetime.date(2024, 8, 31))) == 1
    owner.refresh_from_db()
    assert not owner.is_member


def test_membership_refusals(in_alpha, board):
    owner = make_owner(make_premises(), name="Орлов Иван")
    with pytest.raises(ValidationError):
        member_services.admit_member(
            owner,
            admitted_on=datetime.date(2024, 1, 1),
            applied_on=datetime.date(2024, 2, 1),
            actor=board,
        )
    member_services.admit_member(owner, admitted_on=datetime.date(2024, 1, 1), actor=board)
    with pytest.raises(ValidationError):
        member_services.admit_member(owner, admitted_on=datetime.date(2024, 2, 1), actor=board)
    with pytest.raises(ValidationError):
        member_services.end_membership(
            Membership.objects.get(), exited_on=datetime.date(2023, 1, 1), actor=board
        )


def test_a_member_who_no_longer_owns_is_not_in_the_register(in_alpha, board):
    owner = make_owner(make_premises(), name="Орлов Иван", email="orlov@example.test")
    member_services.admit_member(owner, admitted_on=datetime.date(2021, 1, 1), actor=board)
    services.change_holder(
        owner.holding.account, holder={"full_name": "Новый"}, on=datetime.date(2024, 1, 1)
    )
    assert members.members_as_of(datetime.date(2023, 12, 31))
    assert members.members_as_of(D) == []


def test_the_members_version_has_no_contacts(in_alpha):
    flat_and_parking()
    (member,) = members.register(D, contacts=False)
    assert member.name == "Смирнова Анна"
    assert member.emails == [] and member.phones == []


def test_registered_residents_per_month(in_alpha, board):
    flat = make_premises(registered_residents=3)
    june = datetime.date(2024, 6, 15)
    assert members.registered_residents_count(flat, june) == 3  # nobody recorded by name yet

    first = residency.register_resident(
        flat, full_name="Петров Пётр", started_on=datetime.date(2024, 5, 1), actor=board
    )
    residency.register_resident(
        flat, full_name="Петрова Ольга", started_on=datetime.date(2024, 6, 20), actor=board
    )
    residency.deregister_resident(first, ended_on=datetime.date(2024, 7, 1), actor=board)

    assert members.registered_residents_count(flat, datetime.date(2024, 5, 1)) == 1
    assert members.registered_residents_count(flat, june) == 2
    assert members.registered_residents_count(flat, datetime.date(2024, 7, 1)) == 1
    assert members.registered_residents_count(flat, datetime.date(2024, 4, 1)) == 0
    flat.refresh_from_db()
    assert flat.registered_residents == 1  # today's number
    stored = RegisteredResident.objects.get(pk=first.pk)
    assert stored.full_name == "Петров Пётр"
    assert stored.encryption_key_name().endswith(str(stored.holding_id))


def test_registration_refusals(in_alpha, board):
    flat = make_premises(account=None)
    with pytest.raises(ValidationError):
        residency.register_resident(
            flat, full_name="Петров", started_on=datetime.date(2024, 1, 1), actor=board
        )


def test_erasure_reaches_registered_residents(in_alpha, board):
    owner = make_owner(make_premises(), name="Орлов Иван", email="orlov@example.test")
    premises = owner.ownerships.get().premises
    person = residency.register_resident(
        premises, full_name="Орлова Мария", started_on=datetime.date(2021, 1, 1), actor=board
    )
    member_services.admit_member(owner, admitted_on=datetime.date(2021, 1, 1), actor=board)
    services.change_holder(
        owner.holding.account, holder={"full_name": "Новый"}, on=datetime.date(2024, 1, 1)
    )
    services.erase_holder(owner.holding, actor=board)

    stored = RegisteredResident.objects.get(pk=person.pk)
    assert stored.full_name is None and stored.started_on == datetime.date(2021, 1, 1)
    assert Owner.objects.get(pk=owner.pk).person_id is None


def test_the_demo_owner_is_one_member_with_dates(in_alpha, make_user):
    from tenants.portal.demo_registry import DEMO_OWNER_EMAIL, seed_registry
    from tenants.residents.declaration import declaration

    anna = make_user(in_alpha, roles=[Role.OWNER], email=DEMO_OWNER_EMAIL)
    seed_registry()
    assert declaration.demo()
    assert declaration.demo() == ""  # once

    today = datetime.date.today()
    (member,) = [
        m
        for m in members.members_as_of(today)
        if any(Owner.objects.filter(pk__in=m.owner_ids, user=anna))
    ]
    assert sorted(h.premises.number for h in member.holdings) == ["15", "М2"]
    assert member.decision.startswith("Протокол") and member.applied_on
    assert not [m for m in members.members_as_of(datetime.date(2018, 6, 1)) if m.key == member.key]
    flat = member.holdings[0].premises
    assert members.registered_residents_count(flat, today) == 3
