"""The budget's pages and API: the whole loop through the client, members' reading, bad input."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from tenants.budget import services
from tenants.budget.models import Estimate, Expenditure, Line, Status
from tenants.ledger.models import Tariff
from tests.tenants.budget.support import approve, make_estimate, registry


def test_the_loop_from_a_draft_to_the_tariffs(alpha, make_user, client_of):
    chairman = make_user(alpha, roles=["chairman"])
    accountant = make_user(alpha, roles=["accountant"])
    registry("500.00", "500.00")
    board = client_of(alpha, user=chairman)
    response = board.post(reverse("budget:index"), {"year": 2026, "title": "Смета"})
    estimate = Estimate.objects.get(year=2026)
    assert response.status_code == 302
    url = reverse("budget:estimate", args=[estimate.pk])
    board.post(
        reverse("budget:line-add", args=[estimate.pk]),
        {"article": "maintenance", "name": "Уборка", "planned": "120000.00", "basis": "area",
         "order": 1},
    )  # fmt: skip
    refused = board.post(
        reverse("budget:line-add", args=[estimate.pk]),
        {"article": "maintenance", "name": "Минус", "planned": "-5", "basis": "area", "order": 1},
    )
    assert refused.status_code == 400 and b"cannot be negative" in refused.content
    assert estimate.lines.count() == 1
    board.post(reverse("budget:publish", args=[estimate.pk]))
    line = estimate.lines.get()
    board.post(
        reverse("budget:line-edit", args=[line.pk]),
        {"article": "maintenance", "name": "Уборка", "planned": "132000.00", "basis": "area",
         "order": 1},
    )  # fmt: skip
    board.post(reverse("budget:revise", args=[estimate.pk]), {"reason": "Новый договор"})
    diff = board.get(reverse("budget:versions", args=[estimate.pk]))
    assert "120000.00 → 132000.00" in diff.content.decode()
    assert "Новый договор" in diff.content.decode()
    board.post(reverse("budget:to-meeting", args=[estimate.pk]))
    protocol = SimpleUploadedFile("p.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = board.post(
        reverse("budget:decision", args=[estimate.pk]),
        {"adopted": "yes", "decided_on": "2025-12-10", "form": "mixed",
         "protocol_number": "5", "rates_from": "2026-01-01", "protocol_file": protocol},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    estimate.refresh_from_db()
    assert estimate.status == Status.APPROVED
    page = board.get(url).content.decode()
    assert estimate.approved_hash in page
    # 132000 / 1000 m² / 12 = 11 ₽ per m² a month
    assert "11.0000 ₽" in page
    apply_page = client_of(alpha, user=accountant).get(reverse("budget:apply", args=[estimate.pk]))
    assert b"11.0000" in apply_page.content
    client_of(alpha, user=accountant).post(reverse("budget:apply", args=[estimate.pk]))
    [tariff] = Tariff.objects.all()
    assert tariff.rate == Decimal("11.0000") and tariff.valid_from == datetime.date(2026, 1, 1)
    # the accountant posts an expenditure; the plan/fact moves
    keeper = client_of(alpha, user=accountant)
    keeper.post(
        reverse("budget:execution", args=[estimate.pk]),
        {"line": str(line.pk), "supplier": "ООО «Чисто»", "document": "Акт 1",
         "spent_on": "2026-02-10", "amount": "15000.00"},
    )  # fmt: skip
    assert Expenditure.objects.get().amount == Decimal("15000.00")
    execution = keeper.get(reverse("budget:execution", args=[estimate.pk])).content.decode()
    assert "15000.00 ₽" in execution and "<svg" in execution
    pdf = keeper.get(reverse("budget:report", args=[estimate.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = keeper.get(reverse("budget:report", args=[estimate.pk]) + "?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert ("Капитальный ремонт" not in str(rows)) and any(r[1] == "Уборка" for r in rows)
    row = next(r for r in rows if r[1] == "Уборка")
    assert row[2] == 132000.0 and row[3] == 15000.0


def test_members_read_published_estimates_only(alpha, make_user, client_of):
    owner = make_user(alpha, roles=["owner"])
    registry("100.00")
    draft = make_estimate(year=2027)
    member = client_of(alpha, user=owner)
    assert member.get(reverse("budget:estimate", args=[draft.pk])).status_code == 404
    services.publish(draft, actor=None)
    page = member.get(reverse("budget:estimate", args=[draft.pk]))
    assert page.status_code == 200
    assert reverse("budget:revise", args=[draft.pk]) not in page.content.decode()
    assert member.post(reverse("budget:publish", args=[draft.pk])).status_code == 403
    listed = member.get(reverse("budget:api-estimates")).json()
    assert [e["year"] for e in listed] == [2027]


def test_api_refusals_change_nothing(alpha, make_user, client_of):
    chairman = make_user(alpha, roles=["chairman"])
    accountant = make_user(alpha, roles=["accountant"])
    registry("100.00")
    estimate = make_estimate()
    board = client_of(alpha, user=chairman)
    url = reverse("budget:api-lines", args=[estimate.pk])
    response = board.post(
        url, {"article": "reserve", "name": "X", "planned": "-1"}, content_type="application/json"
    )
    assert response.status_code == 400 and "negative" in str(response.json())
    approve(estimate)
    line = estimate.lines.first()
    response = board.patch(
        reverse("budget:api-line", args=[line.pk]),
        {"planned": "1.00"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "frozen" in str(response.json())
    assert Line.objects.get(pk=line.pk).planned == line.planned
    from tenants.ledger import services as ledger

    ledger.close_period(datetime.date(2026, 3, 1), actor=None)
    response = client_of(alpha, user=accountant).post(
        reverse("budget:api-expenditures", args=[estimate.pk]),
        {"line": str(line.pk), "supplier": "ООО", "spent_on": "2026-03-02", "amount": "10"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "closed" in str(response.json())
    assert not Expenditure.objects.exists()
    detail = board.get(reverse("budget:api-estimate", args=[estimate.pk])).json()
    assert detail["intact"] is True
    with connection.cursor() as cursor:
        cursor.execute("UPDATE budget_line SET comment = 'x' WHERE id = %s", [line.pk])
    detail = board.get(reverse("budget:api-estimate", args=[estimate.pk])).json()
    assert detail["intact"] is False and detail["altered"] == [line.name]


def test_russian_refusal(alpha, make_user, client_of):
    chairman = make_user(alpha, roles=["chairman"])
    registry("100.00")
    estimate = make_estimate()
    board = client_of(alpha, user=chairman)
    board.cookies["django_language"] = "ru"
    response = board.post(
        reverse("budget:api-lines", args=[estimate.pk]),
        {"article": "reserve", "name": "X", "planned": "-1"},
        content_type="application/json",
    )
    assert "не может быть отрицательной" in str(response.json())


def test_api_decision_not_adopted_then_apply_is_refused(alpha, make_user, client_of):
    chairman = make_user(alpha, roles=["chairman"])
    registry("100.00")
    estimate = make_estimate()
    services.publish(estimate, actor=None)
    services.put_to_meeting(estimate, actor=None)
    board = client_of(alpha, user=chairman)
    online = board.post(
        reverse("budget:api-decision", args=[estimate.pk]),
        {"adopted": True, "decided_on": "2025-12-01", "form": "online", "protocol_number": "1"},
        content_type="application/json",
    )
    assert online.status_code == 400 and "145" in str(online.json())
    made = board.post(
        reverse("budget:api-decision", args=[estimate.pk]),
        {"adopted": False, "decided_on": "2025-12-01", "form": "absentee", "protocol_number": "2"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "discussion"
    refused = board.post(reverse("budget:api-apply", args=[estimate.pk]))
    assert refused.status_code == 400 and "adopted" in str(refused.json())
    assert not Tariff.objects.exists()
    assert Estimate.objects.get(pk=estimate.pk).status == Status.DISCUSSION
