"""An owner's "My home": their own premises only, shares as fractions, accounts, co-owners' names,
and a page whose queries do not grow with the number of accounts."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.access.roles import Role
from core.crypto import keyring, registry
from tenants.residents.models import Residency
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db


def homes(response) -> list:
    return response.context["homes"]


def test_owner_sees_their_premises_with_share_accounts_and_co_owners(alpha, client_of, make_user):
    anna = make_user(alpha, roles=[Role.OWNER])
    house = BuildingFactory(name="Садовая, 12")
    flat = make_premises(house, number="15", account="10015")
    make_owner(flat, share="1/2", name="Смирнова Анна Владимировна", user=anna)
    make_owner(flat, share="1/2", name="Смирнов Дмитрий Олегович", phone="+7 916 111-22-33")
    parking = make_premises(house, number="М2", kind="parking", account="10090")
    make_owner(parking, share=1, name="Смирнова Анна Владимировна", user=anna)

    response = client_of(alpha, anna).get("/home/")

    assert response.status_code == 200
    cards = homes(response)
    assert [(h.premises.number, h.my_share_text) for h in cards] == [("15", "1/2"), ("М2", "1")]
    assert [a.number for a in cards[0].accounts] == ["10015"]
    assert cards[0].co_owners == ["Смирнов Дмитрий Олегович"]
    assert cards[1].co_owners == []
    html = response.content.decode()
    assert "1/2" in html and "10015" in html and "Смирнов Дмитрий Олегович" in html
    # Co-owners by name only: no phone of theirs on the page.
    assert "111-22-33" not in html


def test_owner_never_sees_premises_of_others(alpha, client_of, make_user):
    anna = make_user(alpha, roles=[Role.OWNER])
    mine = make_premises(number="1", account="A-1")
    make_owner(mine, user=anna)
    theirs = make_premises(number="2", account="A-2")
    make_owner(theirs, name="Чужой Владелец")

    html = client_of(alpha, anna).get("/home/").content.decode()

    assert "A-1" in html
    assert "A-2" not in html and "Чужой Владелец" not in html


def test_former_ownership_is_no_longer_home(alpha, client_of, make_user):
    anna = make_user(alpha, roles=[Role.OWNER])
    flat = make_premises(account="S-1")
    owner = make_owner(flat, user=anna)
    from tenants.residents.services import change_holder

    change_holder(
        owner.holding.account, holder={"full_name": "Покупатель"}, on=datetime.date.today()
    )

    assert homes(client_of(alpha, anna).get("/home/")) == []


def test_resident_sees_where_they_live_but_no_owners_names(alpha, client_of, make_user):
    tenant = make_user(alpha, roles=[Role.RESIDENT])
    flat = make_premises(account="R-1")
    make_owner(flat, name="Хозяйка Квартиры")
    Residency.objects.create(premises=flat, user=tenant, started_on=datetime.date(2024, 1, 1))

    response = client_of(alpha, tenant).get("/home/")

    [home] = homes(response)
    assert home.lives_here and home.my_share is None
    assert [a.number for a in home.accounts] == ["R-1"]
    assert "Хозяйка Квартиры" not in response.content.decode()


def test_an_owner_without_premises_gets_an_explanation(alpha, client_of, make_user):
    response = client_of(alpha, make_user(alpha, roles=[Role.OWNER])).get("/home/")
    assert response.status_code == 200
    assert homes(response) == []


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.ACCOUNTANT, Role.CHAIRMAN])
def test_my_home_is_for_owners_and_residents(alpha, client_of, make_user, role):
    assert client_of(alpha, make_user(alpha, roles=[role])).get("/home/").status_code == 403


def test_dashboard_card_links_to_my_home(alpha, client_of, make_user):
    html = client_of(alpha, make_user(alpha, roles=[Role.OWNER])).get("/").content.decode()
    assert re.search(r'data-section="home"><h2><a href="/home/">', html)


def _owner_of(alpha, make_user, count: int):
    user = make_user(alpha, roles=[Role.OWNER])
    house = BuildingFactory()
    for n in range(count):
        flat = make_premises(house, number=str(n + 1))
        make_owner(flat, share="1/2", user=user)
        make_owner(flat, share="1/2", name=f"Совладелец {n}")
    return user


def _queries(client, path: str, *, cold: bool = False) -> int:
    if cold:  # a fresh process: no key rows, no data keys cached
        keyring.forget_cached_rows()
        registry.get_key_cache().clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_accounts(alpha, client_of, make_user):
    one = client_of(alpha, _owner_of(alpha, make_user, 1))
    twenty = client_of(alpha, _owner_of(alpha, make_user, 20))
    _queries(one, "/home/"), _queries(twenty, "/home/")  # warm up sessions and templates

    for cold in (True, False):
        assert _queries(one, "/home/", cold=cold) == _queries(twenty, "/home/", cold=cold)
        assert _queries(one, "/", cold=cold) == _queries(twenty, "/", cold=cold)


def test_the_page_unlocks_its_personal_data_in_one_wave(alpha, client_of, make_user):
    from tenants.residents.selectors import my_home

    user = _owner_of(alpha, make_user, 20)
    cache = registry.get_key_cache()
    cache.clear()
    cache.reset_stats()

    result = my_home(user)

    assert [h.co_owners for h in result] == [[f"Совладелец {n}"] for n in range(20)]
    # 20 holdings, 20 keys: fetched in one concurrent wave, never one call per row.
    assert cache.stats.waves == 1 and cache.stats.provider_calls == 20
