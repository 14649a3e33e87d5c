"""The budget's wiring to the other apps: closed dispatch work orders posted as expenditures
(once each), and the execution report published to members through the documents."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.budget import selectors, services
from tenants.budget.models import Expenditure
from tenants.dispatch.models import Request
from tests.factories import UserFactory
from tests.tenants.budget.support import approve, make_estimate, registry
from tests.tenants.dispatch.support import file_request, member, supplier

pytestmark = pytest.mark.django_db

CLOSED_AT = datetime.datetime(2026, 3, 14, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def estimate(in_alpha):
    registry("100.00")
    found = make_estimate(year=2026)
    approve(found)
    return found


def work_order(*, status="closed", cost="4500.00", closed_at=CLOSED_AT, with_supplier=True):
    user, premises = member()
    made = file_request(user, premises)
    Request.objects.filter(pk=made.pk).update(
        status=status,
        cost=Decimal(cost) if cost is not None else None,
        closed_at=closed_at,
        supplier=supplier() if with_supplier else None,
    )
    return Request.objects.get(pk=made.pk)


def test_a_closed_work_order_with_a_cost_is_posted_once(estimate):
    order = work_order()
    line = estimate.lines.first()
    assert [row["pk"] for row in selectors.postable_work_orders(estimate)] == [order.pk]
    posted = services.post_work_order(line, actor=None, work_order_id=order.pk)
    assert posted.amount == Decimal("4500.00") and posted.work_order_id == order.pk
    assert posted.supplier == "ООО «Сантехсервис»"
    assert posted.document == f"Work order No. {order.number}"
    assert posted.spent_on == timezone.localtime(CLOSED_AT).date()
    assert selectors.postable_work_orders(estimate) == []
    with pytest.raises(ValidationError, match="posted already"):
        services.post_work_order(line, actor=None, work_order_id=order.pk)
    assert Expenditure.objects.filter(work_order=order).count() == 1
    # The database keeps it too, whatever the code above it does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Expenditure.objects.create(
            line=line, supplier="x", spent_on=datetime.date(2026, 3, 1), amount=1, work_order=order
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "in_progress"},
        {"cost": None},
        {"cost": "0.00"},
        {"with_supplier": False},
    ],
)
def test_only_closed_cost_bearing_work_orders_are_offered_and_posted(estimate, fields):
    order = work_order(**fields)
    assert selectors.postable_work_orders(estimate) == []
    with pytest.raises(ValidationError, match="closed work order"):
        services.post_work_order(estimate.lines.first(), actor=None, work_order_id=order.pk)
    assert not Expenditure.objects.exists()


def test_a_work_order_of_another_year_is_not_offered(estimate):
    work_order(closed_at=datetime.datetime(2025, 12, 1, 12, 0, tzinfo=datetime.UTC))
    assert selectors.postable_work_orders(estimate) == []


def test_the_accountant_posts_a_work_order_from_the_expenditure_form(estimate, client_of, alpha):
    order = work_order()
    accountant = UserFactory(roles=["accountant"])
    client = client_of(alpha, accountant)
    url = f"/budget/{estimate.pk}/execution/"
    page = client.get(url).content.decode()
    assert f"№ {order.number} · ООО «Сантехсервис» · 4500.00 ₽" in page
    line = estimate.lines.first()
    response = client.post(url, {"line": str(line.pk), "work_order": str(order.pk)})
    assert response.status_code == 302
    assert Expenditure.objects.get().work_order_id == order.pk
    # Posted: no longer offered; a hand-entered one still needs its supplier, date and amount.
    page = client.get(url).content.decode()
    assert f"№ {order.number} ·" not in page
    refused = client.post(url, {"line": str(line.pk)})
    assert refused.status_code == 400 and Expenditure.objects.count() == 1


# -- the report through the documents ----------------------------------------------------------


def test_the_report_is_published_to_members_in_one_click(estimate, client_of, alpha):
    from tenants.documents.models import Document

    chairman = UserFactory(roles=["chairman", "board_member"])
    client = client_of(alpha, chairman)
    response = client.post(f"/budget/{estimate.pk}/report/publish/")
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.section == "estimate_report" and document.readers == "owners"
    assert "2026" in document.title
    assert document.current.number == 1
    estimate.refresh_from_db()
    assert estimate.report_document_id == document.pk
    # Again later: a new version of the same document.
    client.post(f"/budget/{estimate.pk}/report/publish/")
    document.refresh_from_db()
    assert Document.objects.count() == 1 and document.current.number == 2
    # Members and owners read it among the documents.
    owner, _premises = member()
    listing = client_of(alpha, owner).get("/documents/").content.decode()
    assert document.title in listing
    page = client.get(f"/budget/{estimate.pk}/execution/").content.decode()
    assert f"/documents/{document.pk}/" in page


def test_a_draft_has_no_report_to_publish(in_alpha, client_of, alpha):
    from tenants.documents.models import Document

    registry("100.00")
    draft = make_estimate(year=2027)
    chairman = UserFactory(roles=["chairman", "board_member"])
    with pytest.raises(ValidationError):
        services.publish_report(draft, actor=chairman)
    response = client_of(alpha, chairman).post(f"/budget/{draft.pk}/report/publish/")
    assert response.status_code == 302 and not Document.objects.exists()


def test_the_api_posts_a_work_order_once(estimate, client_of, alpha):
    order = work_order()
    accountant = UserFactory(roles=["accountant"])
    client = client_of(alpha, accountant)
    url = f"/api/v1/budget/estimates/{estimate.pk}/expenditures/"
    line = str(estimate.lines.first().pk)
    made = client.post(
        url, {"line": line, "work_order": str(order.pk)}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["work_order"] == str(order.pk) and made.json()["amount"] == "4500.00"
    again = client.post(
        url, {"line": line, "work_order": str(order.pk)}, content_type="application/json"
    )
    assert again.status_code == 400 and "work_order" in again.json()
    typed = client.post(url, {"line": line}, content_type="application/json")
    assert typed.status_code == 400 and "amount" in typed.json()
    assert Expenditure.objects.count() == 1
