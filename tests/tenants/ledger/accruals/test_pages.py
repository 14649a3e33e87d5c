"""The member's account page: balance, due date, months, each charge explained; its queries do
not grow with months and entries; someone else's account is a 404."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenants.ledger import services
from tenants.ledger.models import Entry, Method
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.residents.factories import make_owner, make_premises


def _months(count):
    month = datetime.date(2025, 1, 1)
    for _ in range(count):
        yield month
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_account_page_explains_and_stays_constant(alpha, in_alpha, client_of, make_user):
    owner = make_user(alpha, roles=["owner"])
    premises = make_premises(area="54.30", registered_residents=2)
    make_owner(premises, user=owner)
    account = premises.accounts.get()
    add_service(Method.AREA, "31.47", name="Содержание")
    add_service(Method.RESIDENT, "105.155", name="Вывоз ТКО")
    client = client_of(alpha, owner)
    url = reverse("ledger:account", args=[account.pk])
    services.accrue(datetime.date(2025, 1, 1), actor=None)
    client.get(url)  # the session's and the menu's caches warmed
    one = _queries(client, url)
    for month in list(_months(5))[1:]:
        services.accrue(month, actor=None)
    five = _queries(client, url)
    # pinned: constant in months and entries (the 11th asks whether online payment is on,
    # for the "Pay online" button: billing.payments)
    assert one == five == 11
    page = client.get(url).content.decode()
    assert "1\xa0708,82" in page and "<svg" in page  # Russian by default: grouped, a comma
    entry = Entry.objects.filter(account=account, service__name="Вывоз ТКО").first()
    explained = client.get(reverse("ledger:entry", args=[entry.pk])).content.decode()
    assert "210.31" in explained  # 2 × 105.155, unrounded
    other = make_premises().accounts.get()
    assert client.get(reverse("ledger:account", args=[other.pk])).status_code == 404


def test_the_members_page_speaks_russian_and_names_a_personal_account(
    alpha, in_alpha, client_of, make_user
):
    owner = make_user(alpha, roles=["owner"])
    premises = make_premises(area="54.30")
    make_owner(premises, user=owner)
    account = premises.accounts.get()
    add_service(Method.AREA, "31.47", name="Содержание")
    services.accrue(datetime.date(2025, 1, 1), actor=None)
    page = client_of(alpha, owner).get(reverse("ledger:home")).content.decode()
    assert "Платежи и задолженность" in page and "К оплате:" in page
    assert f"Лицевой счёт {account.number}" in page
    assert "Учётная запись" not in page.split("<main", 1)[-1]
    assert "Payments and balance" not in page and "You owe" not in page
