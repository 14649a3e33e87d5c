"""Suppliers (contacts for the desk only, contracts with dates), a supplier's scorecard over a
period, the board's analytics with its chart."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.access.roles import Role
from tenants.dispatch import reports, services
from tenants.dispatch.models import Request, Status, Supplier
from tests.tenants.dispatch.support import desk, file_request, member, supplier

pytestmark = pytest.mark.django_db


def _done(request, actor, cost=None):
    services.change_status(request, actor=actor, to=Status.IN_PROGRESS)
    services.change_status(request, actor=actor, to=Status.DONE, cost=cost)


def test_a_suppliers_contacts_are_encrypted(in_alpha):
    fixer = supplier(email="master@example.test")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email FROM dispatch_supplier WHERE id = %s", [fixer.pk])
        phone, email = cursor.fetchone()
    assert phone.startswith("e1.") and email.startswith("e1.")
    assert Supplier.objects.get(pk=fixer.pk).email == "master@example.test"


@pytest.mark.parametrize(
    "fields", [{"name": ""}, {"inn": "12345"}, {"categories": ["plumbing", "magic"]}]
)
def test_bad_suppliers_are_refused(in_alpha, fields):
    values = {"name": "ООО «Ремонт»", "inn": "7701234567", "categories": ["plumbing"]} | fields
    with pytest.raises(ValidationError):
        services.save_supplier(None, actor=None, **values)
    assert not Supplier.objects.exists()


def test_contracts_have_dates_that_make_sense(in_alpha):
    fixer = supplier()
    services.add_contract(
        fixer,
        actor=None,
        number="12/2026",
        signed_on=datetime.date(2026, 1, 10),
        valid_from=datetime.date(2026, 1, 15),
        valid_to=datetime.date(2026, 12, 31),
        amount="120000",
    )
    with pytest.raises(ValidationError):
        services.add_contract(
            fixer,
            actor=None,
            number="13/2026",
            signed_on=datetime.date(2026, 1, 10),
            valid_from=datetime.date(2026, 2, 1),
            valid_to=datetime.date(2026, 1, 1),
        )
    assert fixer.contracts.count() == 1


def test_the_scorecard(in_alpha):
    dispatcher = desk()
    fixer = supplier()
    other = supplier(name="ИП Другой")
    user, premises = member()
    fast = file_request(user, premises)
    slow = file_request(user, premises)
    open_late = file_request(user, premises)
    elsewhere = file_request(user, premises)
    for row in (fast, slow, open_late):
        services.assign(row, actor=dispatcher, supplier=fixer)
    services.assign(elsewhere, actor=dispatcher, supplier=other)
    _done(fast, dispatcher, cost="1000")
    _done(slow, dispatcher, cost="500.50")
    now = fast.filed_at
    Request.objects.filter(pk=fast.pk).update(done_at=now + datetime.timedelta(hours=2))
    Request.objects.filter(pk=slow.pk).update(
        done_at=now + datetime.timedelta(hours=10), due_at=now + datetime.timedelta(hours=5)
    )
    Request.objects.filter(pk=open_late.pk).update(due_at=now - datetime.timedelta(hours=1))
    services.rate(fast, actor=user, rating=5)
    services.rate(slow, actor=user, rating=2)
    services.reopen(slow, actor=user)

    card = reports.scorecard(fixer, now=now + datetime.timedelta(days=1))
    assert card.requests == 3
    assert card.done == 1  # the slow one was reopened
    assert card.median_hours == pytest.approx(2.0)
    assert card.overdue == 1 and card.overdue_share == pytest.approx(1 / 3)
    assert card.reopen_rate == pytest.approx(1 / 3)
    assert card.rating == pytest.approx(3.5) and card.ratings == 2
    assert card.cost == Decimal("1500.50")
    assert reports.scorecard(other).requests == 1
    future = fast.filed_at.date() + datetime.timedelta(days=400)
    assert reports.scorecard(fixer, since=future).requests == 0


def test_the_supplier_page_shows_contacts_only_to_the_desk(in_alpha, alpha, client_of):
    fixer = supplier(phone="+7 900 999-00-11")
    page = client_of(alpha, desk()).get(f"/dispatch/suppliers/{fixer.pk}/").content.decode()
    assert "+7 900 999-00-11" in page and "Scorecard" in page
    accountant = desk(Role.ACCOUNTANT)
    assert client_of(alpha, accountant).get(f"/dispatch/suppliers/{fixer.pk}/").status_code == 403
    owner, _premises = member()
    assert client_of(alpha, owner).get(f"/dispatch/suppliers/{fixer.pk}/").status_code == 403


def test_suppliers_are_added_and_edited_on_their_pages(in_alpha, alpha, client_of):
    client = client_of(alpha, desk())
    form = {"name": "ООО «Лифтсервис»", "inn": "7701234567", "categories": ["elevator"]}
    response = client.post("/dispatch/suppliers/new/", form | {"active": "on"})
    assert response.status_code == 302
    fixer = Supplier.objects.get()
    assert fixer.categories == ["elevator"] and fixer.active
    client.post(f"/dispatch/suppliers/{fixer.pk}/edit/", form | {"phone": "+7 495 000-00-00"})
    fixer.refresh_from_db()
    assert fixer.phone == "+7 495 000-00-00" and not fixer.active
    bad = client.post("/dispatch/suppliers/new/", form | {"inn": "12"})
    assert bad.status_code == 400 and Supplier.objects.count() == 1
    response = client.post(
        f"/dispatch/suppliers/{fixer.pk}/",
        {"number": "7", "signed_on": "2026-01-01", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302 and fixer.contracts.count() == 1


def test_the_analytics_and_its_chart(in_alpha, alpha, client_of):
    dispatcher = desk()
    user, premises = member()
    for category in ("plumbing", "plumbing", "elevator"):
        file_request(user, premises, category=category)
    figures = reports.analytics()
    assert figures.total.requests == 3
    assert {line.key: line.requests for line in figures.by_category} == {
        "elevator": 1,
        "plumbing": 2,
    }
    assert [line.requests for line in figures.by_building] == [3]
    assert len(figures.bars) == 1 and figures.bars[0].value == 3
    html = client_of(alpha, dispatcher).get("/dispatch/analytics/").content.decode()
    assert "<svg" in html and "<rect" in html and "By category" in html
