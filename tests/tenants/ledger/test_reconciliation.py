"""The reconciliation statement (акт сверки) of an account: the debt at the start, the month's
charges, payments, the debt at the end, as PDF and Excel; a bad period is refused with the
reason on the account page; someone else's account is a 404."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tenants.ledger import services
from tenants.ledger.models import Method
from tenants.ledger.payments import services as payments
from tests.tenants.ledger.accruals.support import add_service
from tests.tenants.residents.factories import make_owner, make_premises

JAN, FEB, MAR = (datetime.date(2025, m, 1) for m in (1, 2, 3))


@pytest.fixture
def owned(alpha, in_alpha, client_of, make_user):
    """An owner's account charged 1,000 ₽ a month for January–March, paying 1,000 in February."""
    owner = make_user(alpha, roles=["owner"])
    premises = make_premises(area="50")
    make_owner(premises, user=owner)
    account = premises.accounts.get()
    add_service(Method.AREA, "20", name="Содержание")
    for month in (JAN, FEB, MAR):
        services.accrue(month, actor=None, booked_on=month.replace(day=28))
    payments.record_payment(
        actor=None,
        account=account,
        amount=Decimal("1000"),
        paid_on=datetime.date(2025, 2, 12),
        source="cash",
        source_id="ПКО-17",
    )
    return client_of(alpha, owner), account


def url_of(account, **query):
    base = reverse("ledger:reconciliation", args=[account.pk])
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_pdf_has_the_opening_the_lines_and_the_closing_debt(owned):
    client, account = owned
    response = client.get(url_of(account, **{"from": "2025-02", "to": "2025-03"}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"akt-sverki-{account.number}-2025-02-2025-03.pdf" in response["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Акт сверки взаимных расчётов" in text
    assert "Начислено за февраль 2025" in text and "Начислено за март 2025" in text
    assert "Начислено за январь 2025" not in text  # before the period: in the opening balance
    assert "12.02.2025 Оплата" in text
    # 1,000 at the start (January), +2,000 charged, −1,000 paid: 2,000 at the end
    assert "задолженность 1 000,00" in text.replace("\u00a0", " ")
    assert "составляет 2 000,00 руб." in text.replace("\u00a0", " ")


def test_the_workbook_has_numbers_to_add_up(owned):
    client, account = owned
    response = client.get(url_of(account, **{"from": "2025-01", "to": "2025-03", "format": "xlsx"}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[1]]
    table = {r[1]: (r[2], r[3]) for r in rows if isinstance(r[2], float | int) or r[3]}
    assert table["Сальдо на начало (долг + / переплата −)"] == (0, None)
    assert table["Начислено за январь 2025"] == (1000, None)
    assert table["Оплата"] == (None, 1000)
    assert table["Обороты за период"] == (3000, 1000)
    assert table["Сальдо на конец (долг + / переплата −)"] == (2000, None)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"from": "2025-03", "to": "2025-01"}, "Первый месяц позже последнего."),
        ({"from": "март", "to": "2025-01"}, "С: выберите месяц (например, 2026-01)."),
        ({"from": "2000-01", "to": "2025-01"}, "не больше 120 месяцев"),
        ({}, "С: выберите месяц"),
    ],
)
def test_a_bad_period_is_refused_with_the_reason(owned, query, reason):
    """In the member's language (Russian by default), on the account page, nothing built."""
    client, account = owned
    response = client.get(url_of(account, **query))
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_someone_elses_account_is_not_found(owned, in_alpha):
    client, _account = owned
    other = make_premises().accounts.get()
    assert client.get(url_of(other, **{"from": "2025-01", "to": "2025-02"})).status_code == 404
