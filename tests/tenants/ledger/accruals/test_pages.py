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
    client.get(url)  # the session's, the menu's and the months' caches warmed
    one = _queries(client, url)
    for month in list(_months(5))[1:]:
        services.accrue(month, actor=None)
    five = _queries(client, url)
    # pinned: constant in months and entries. A warm page asks the savepoint pair, the
    # reader's holdings (one query), the account, and the journal's summary (one aggregate),
    # whose key names the months in the cache; never the entries. The operational settings and
    # whether online payment is on come from the shared cache (core.stamped), the legal form
    # from the routed association (it was 9: three holdings queries, the association, the
    # settings, the payment settings). After new entries the months are read once: +1.
    assert one == 5 and five == 6
    assert _queries(client, url) == 5
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


def months_of(page: str) -> str:
    return page[page.index('<details class="ledger-month"') : page.index("</main>")]


def test_the_cached_months_follow_entries_names_and_language(alpha, in_alpha, client_of, make_user):
    """The months of the account page come from the cache under a key naming their entries
    (``selectors.months_cache_key``): a new entry, a renamed service and the other language
    each show at once; the lines and sums stay those of the journal."""
    from tenants.ledger.models import Service

    owner = make_user(alpha, roles=["owner"])
    premises = make_premises(area="54.30", registered_residents=2)
    make_owner(premises, user=owner)
    account = premises.accounts.get()
    service = add_service(Method.AREA, "31.47", name="Содержание")
    client = client_of(alpha, owner)
    url = reverse("ledger:account", args=[account.pk])
    services.accrue(datetime.date(2025, 1, 1), actor=None)
    first = client.get(url).content.decode()
    assert "Содержание" in first and "январь 2025" in first.lower()
    assert months_of(client.get(url).content.decode()) == months_of(first)  # from the cache

    services.accrue(datetime.date(2025, 2, 1), actor=None)
    second = client.get(url).content.decode()
    assert "февраль 2025" in second.lower() and "3\xa0417,64" in second  # 2 × 1 708,82

    connection.set_tenant(alpha)
    Service.objects.filter(pk=service.pk).update(name="Содержание жилья")
    assert "Содержание жилья" in client.get(url).content.decode()

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "January 2025" in english and "1,708.82" in english
