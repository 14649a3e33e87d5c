"""Who sees which part of the registry, object by object (selectors and pages)."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.utils import timezone

from core.access.roles import Role
from tenants.residents import selectors, services
from tenants.residents.models import Residency
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(in_alpha, make_user):
    owner = make_user(in_alpha, roles=[Role.OWNER])
    resident = make_user(in_alpha, roles=[Role.RESIDENT])
    owned = make_premises(number="1", account="W-1")
    make_owner(owned, user=owner)
    lived_in = make_premises(number="2", account="W-2")
    Residency.objects.create(premises=lived_in, user=resident, started_on=datetime.date(2024, 1, 1))
    moved_out = make_premises(number="3", account="W-3")
    Residency.objects.create(
        premises=moved_out,
        user=resident,
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2023, 1, 1),
    )
    other = make_premises(number="4", account="W-4")
    make_owner(other, name="Чужой")
    return {"owner": owner, "resident": resident, "make_user": make_user}


def numbers(queryset) -> list[str]:
    return sorted(item.number for item in queryset)


def test_an_owner_sees_the_premises_they_own_and_their_accounts(world):
    assert numbers(selectors.premises_visible_to(world["owner"])) == ["1"]
    assert numbers(selectors.accounts_visible_to(world["owner"])) == ["W-1"]
    assert [o.user_id for o in selectors.owners_visible_to(world["owner"])] == [world["owner"].pk]


def test_a_resident_sees_where_they_live_now(world):
    assert numbers(selectors.premises_visible_to(world["resident"])) == ["2"]
    assert numbers(selectors.accounts_visible_to(world["resident"])) == ["W-2"]
    assert not selectors.owners_visible_to(world["resident"]).exists()


@pytest.mark.parametrize("role", [Role.CHAIRMAN, Role.BOARD_MEMBER])
def test_the_board_sees_the_whole_registry(world, in_alpha, role):
    board = world["make_user"](in_alpha, roles=[role])
    assert numbers(selectors.premises_visible_to(board)) == ["1", "2", "3", "4"]
    assert selectors.owners_visible_to(board).count() == 2


def test_the_accountant_sees_accounts_only(world, in_alpha):
    accountant = world["make_user"](in_alpha, roles=[Role.ACCOUNTANT])
    assert numbers(selectors.accounts_visible_to(accountant)) == ["W-1", "W-2", "W-3", "W-4"]
    assert not selectors.premises_visible_to(accountant).exists()
    assert not selectors.owners_visible_to(accountant).exists()


def test_the_dispatcher_sees_nothing(world, in_alpha):
    dispatcher = world["make_user"](in_alpha, roles=[Role.DISPATCHER])
    assert not selectors.premises_visible_to(dispatcher).exists()
    assert not selectors.accounts_visible_to(dispatcher).exists()
    assert not selectors.owners_visible_to(dispatcher).exists()


def test_pages_answer_by_role(world, alpha, client_of, make_user):
    pages = ("/registry/", "/registry/premises/new/", "/registry/accounts/")
    dispatcher = client_of(alpha, make_user(alpha, roles=[Role.DISPATCHER]))
    owner = client_of(alpha, world["owner"])
    for page in pages:
        assert dispatcher.get(page).status_code == 403
        assert owner.get(page).status_code == 403
    anonymous = client_of(alpha).get("/registry/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_board_member_of_another_association_is_unknown_here(
    world, alpha, beta, client_of, make_user
):
    stranger = make_user(beta, roles=[Role.CHAIRMAN])
    client = client_of(beta, stranger)
    client.defaults["HTTP_HOST"] = alpha.get_primary_domain().domain
    response = client.get("/registry/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/registry/premises/").status_code == 401


def test_a_board_member_must_pass_the_second_factor(world, alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]), second_factor_verified=False)
    response = client.get("/registry/")
    assert response.status_code == 302 and "second-factor" in response["Location"]
    assert client.get("/api/v1/registry/premises/").status_code == 403


@pytest.fixture
def shared_flat(in_alpha, make_user):
    """A flat with two accounts: Anna holds "S-1"; the other account has another holder."""
    anna = make_user(in_alpha, roles=[Role.OWNER])
    lodger = make_user(in_alpha, roles=[Role.RESIDENT])
    flat = make_premises(number="5", account="S-1")
    make_owner(flat, share="1/2", user=anna)
    _account, other_holding = services.open_account(
        number="S-2",
        holder={"full_name": "Другой Плательщик"},
        started_on=datetime.date(2020, 1, 1),
        premises=flat,
    )
    services.add_owner(
        other_holding,
        premises=flat,
        share=Fraction(1, 2),
        started_on=datetime.date(2020, 1, 1),
        person={"full_name": "Другой Плательщик"},
    )
    Residency.objects.create(premises=flat, user=lodger, started_on=datetime.date(2024, 1, 1))
    return {"anna": anna, "lodger": lodger, "flat": flat}


def test_an_owner_sees_only_the_accounts_they_hold_in_their_premises(shared_flat):
    assert numbers(selectors.premises_visible_to(shared_flat["anna"])) == ["5"]
    assert numbers(selectors.accounts_visible_to(shared_flat["anna"])) == ["S-1"]


def test_a_resident_sees_every_account_of_the_premises_they_live_in(shared_flat):
    assert numbers(selectors.accounts_visible_to(shared_flat["lodger"])) == ["S-1", "S-2"]


def test_an_owner_no_longer_sees_an_account_once_its_holder_changed(shared_flat):
    account = shared_flat["flat"].accounts.get(number="S-1")
    services.change_holder(account, holder={"full_name": "Новый"}, on=timezone.localdate())

    assert not selectors.accounts_visible_to(shared_flat["anna"]).exists()


def test_my_home_and_the_api_list_only_the_owners_own_accounts(shared_flat, alpha, client_of):
    client = client_of(alpha, shared_flat["anna"])

    [home] = client.get("/home/").context["homes"]
    assert [account.number for account in home.accounts] == ["S-1"]
    api = client.get("/api/v1/registry/accounts/").json()["results"]
    assert [row["number"] for row in api] == ["S-1"]
    other = shared_flat["flat"].accounts.get(number="S-2")
    assert client.get(f"/api/v1/registry/accounts/{other.pk}/").status_code == 404
    premises = client.get(f"/api/v1/registry/premises/{shared_flat['flat'].pk}/").json()
    assert premises["accounts"] == ["S-1"]
