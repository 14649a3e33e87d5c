"""A change of holder: never dated in the future, ends every live share of the former holding,
ends the residents' access unless the board keeps it, and serialises with other writers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.access.roles import Role
from tenants.residents import selectors, services
from tenants.residents.models import Holding, Owner, Ownership, Residency
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    client.cookies["django_language"] = "en"
    return client


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def test_the_change_of_holder_page_refuses_a_future_day(in_alpha, board):
    premises = make_premises(account="F-1")
    seller = make_owner(premises)
    account = premises.accounts.get()

    response = board.post(
        f"/registry/accounts/{account.pk}/holder/",
        {"on": tomorrow().isoformat(), "full_name": "Покупателев Иван"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["on"]
    assert "cannot be dated in the future" in response.context["form"].errors["on"][0]
    assert Holding.objects.get(pk=seller.holding_id).ended_on is None
    assert account.holdings.count() == 1


def test_the_change_of_holder_service_refuses_a_future_day(in_alpha):
    premises = make_premises(account="F-2")
    seller = make_owner(premises)

    with pytest.raises(ValidationError) as refused:
        services.change_holder(
            seller.holding.account, holder={"full_name": "Покупателев"}, on=tomorrow()
        )

    assert list(refused.value.message_dict) == ["on"]
    assert Holding.objects.get(pk=seller.holding_id).ended_on is None


def test_a_change_of_holder_ends_shares_that_were_to_end_later_too(in_alpha):
    premises = make_premises(account="F-3")
    seller = make_owner(premises, share="1/2")
    co_owner = make_owner(premises, share="1/2", name="Совладелец")
    later = timezone.localdate() + datetime.timedelta(days=90)
    Ownership.objects.filter(owner=co_owner).update(ended_on=later)
    sale = timezone.localdate() - datetime.timedelta(days=1)

    services.change_holder(seller.holding.account, holder={"full_name": "Покупатель"}, on=sale)

    ended = dict(Ownership.objects.filter(premises=premises).values_list("owner_id", "ended_on"))
    assert ended == {seller.pk: sale, co_owner.pk: sale}
    assert services.shares_total(premises, later - datetime.timedelta(days=1)) == 0


def test_a_change_of_holder_ends_the_residents_access_by_default(in_alpha, make_user, board):
    premises = make_premises(account="F-4")
    seller = make_owner(premises)
    lodger = make_user(in_alpha, roles=[Role.RESIDENT])
    residency = Residency.objects.create(
        premises=premises, user=lodger, started_on=datetime.date(2021, 1, 1)
    )
    account = seller.holding.account
    sale = timezone.localdate()

    response = board.post(
        f"/registry/accounts/{account.pk}/holder/",
        {"on": sale.isoformat(), "full_name": "Покупателев Иван"},
    )

    assert response.status_code == 302
    assert Residency.objects.get(pk=residency.pk).ended_on == sale
    assert not selectors.premises_visible_to(lodger).exists()
    assert not selectors.accounts_visible_to(lodger).exists()


def test_the_board_may_keep_the_residents_on_a_change_of_holder(in_alpha, make_user, board):
    premises = make_premises(account="F-5")
    seller = make_owner(premises)
    lodger = make_user(in_alpha, roles=[Role.RESIDENT])
    residency = Residency.objects.create(
        premises=premises, user=lodger, started_on=datetime.date(2021, 1, 1)
    )
    account = seller.holding.account

    response = board.post(
        f"/registry/accounts/{account.pk}/holder/",
        {
            "on": timezone.localdate().isoformat(),
            "full_name": "Покупателев Иван",
            "keep_residents": "on",
        },
    )

    assert response.status_code == 302
    assert Residency.objects.get(pk=residency.pk).ended_on is None


def test_a_change_of_holder_keeps_residents_who_moved_in_on_or_after_its_day(in_alpha, make_user):
    premises = make_premises(account="F-6")
    seller = make_owner(premises)
    sale = timezone.localdate() - datetime.timedelta(days=10)
    before = Residency.objects.create(
        premises=premises,
        user=make_user(in_alpha, roles=[Role.RESIDENT]),
        started_on=datetime.date(2021, 1, 1),
    )
    after = Residency.objects.create(
        premises=premises, user=make_user(in_alpha, roles=[Role.RESIDENT]), started_on=sale
    )

    services.change_holder(seller.holding.account, holder={"full_name": "Покупатель"}, on=sale)

    assert Residency.objects.get(pk=before.pk).ended_on == sale
    assert Residency.objects.get(pk=after.pk).ended_on is None


def test_a_change_of_holder_locks_the_account_and_its_premises_first(in_alpha):
    premises = make_premises(account="F-7")
    seller = make_owner(premises)

    with CaptureQueriesContext(connection) as queries:
        services.change_holder(
            seller.holding.account, holder={"full_name": "Покупатель"}, on=timezone.localdate()
        )

    locks = [q["sql"] for q in queries if q["sql"].rstrip().endswith("FOR UPDATE")]
    tables = [sql.split(" FROM ", 1)[1].split()[0].strip('"') for sql in locks]
    assert tables[:3] == [
        "residents_personalaccount",
        "residents_premises",
        "residents_holding",
    ]


def test_an_owner_cannot_be_added_to_a_holding_that_ended_meanwhile(in_alpha):
    premises = make_premises(account="F-8")
    seller = make_owner(premises, share="1/2")
    stale = Holding.objects.get(pk=seller.holding_id)  # read before the change of holder
    services.change_holder(
        seller.holding.account, holder={"full_name": "Покупатель"}, on=timezone.localdate()
    )

    # In English whatever language an earlier test left active on this worker's thread.
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.add_owner(
            stale,
            premises=premises,
            share=1,
            started_on=datetime.date(2020, 1, 1),
            person={"full_name": "Опоздавший"},
        )

    with translation.override("en"):
        assert "has a new holder" in refused.value.messages[0]
    assert Owner.objects.filter(holding=stale).count() == 1
