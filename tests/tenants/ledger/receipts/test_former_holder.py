"""Receipts across a change of holder: a former holder keeps reading the receipts of their own
months while they owe anything for them, never the new holder's; the new holder and the
residents read the new holding's months only, each their own part of the month of the sale."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from django.http import Http404
from pypdf import PdfReader

from core.access.roles import Role
from tenants.ledger.models import Entry, EntryKind
from tenants.ledger.receipts import selectors
from tenants.residents import services as registry
from tenants.residents.models import Residency
from tests.tenants.ledger.receipts.test_receipts import FEB, JAN, worked_account
from tests.tenants.ledger.receipts.test_receipts import _fixed_day as _fixed_day  # noqa: F401
from tests.tenants.ledger.receipts.test_receipts import ledger as ledger  # noqa: F401
from tests.tenants.residents.factories import make_owner

MAR = datetime.date(2025, 3, 1)
APR = datetime.date(2025, 4, 1)
SOLD = datetime.date(2025, 3, 11)


def post(account, holding, kind, period, amount, service=None, **fields):
    return Entry.objects.create(
        account=account,
        holding=holding,
        kind=kind,
        period=period,
        service=service,
        amount=D(amount),
        **fields,
    )


@pytest.fixture
def sold(ledger, make_user, alpha):
    """January and February are the former holder's (unpaid: they owe 698.74); the premises
    changed hands on 11 March: March is split by days, April is the new holder's."""
    former = make_user(alpha, roles=[Role.OWNER])
    newcomer = make_user(alpha, roles=[Role.OWNER])
    premises, account = worked_account(ledger)
    make_owner(premises, user=former, name="Петрова Мария Ивановна")
    old = registry.current_holding(account)
    new = registry.change_holder(
        account, holder={"full_name": "Сидоров Пётр Петрович"}, on=SOLD, actor=None
    )
    make_owner(premises, user=newcomer, name="Сидоров Пётр Петрович", started_on=SOLD)
    upkeep = ledger["upkeep"]
    post(account, old, EntryKind.CHARGE, MAR, "175.16", upkeep)  # 10 days of 31
    post(account, new, EntryKind.CHARGE, MAR, "367.84", upkeep)  # 21 days
    post(account, new, EntryKind.CHARGE, APR, "543.00", upkeep)
    return {
        "account": account,
        "premises": premises,
        "former": former,
        "newcomer": newcomer,
        "old": old,
        "new": new,
    }


def test_the_former_holder_reads_their_own_months_not_the_new_holders(sold):
    account, former = sold["account"], sold["former"]
    for month in (JAN, FEB):
        data = selectors.receipt_for(former, account.pk, month)
        assert data.payer == "Петрова Мария Ивановна"
    february = selectors.receipt_for(former, account.pk, FEB)
    assert february.total_due == D("698.74")
    # Their part of the month of the sale: their ten days, on top of what they owed.
    march = selectors.receipt_for(former, account.pk, MAR)
    assert march.payer == "Петрова Мария Ивановна"
    (upkeep,) = march.sections[0].lines
    assert upkeep.accrued == D("175.16")
    assert march.total_due == D("698.74") + D("175.16")
    with pytest.raises(Http404):
        selectors.receipt_for(former, account.pk, APR)


def test_the_new_holder_reads_their_own_months_only(sold):
    account, newcomer = sold["account"], sold["newcomer"]
    for month in (JAN, FEB):
        with pytest.raises(Http404):
            selectors.receipt_for(newcomer, account.pk, month)
    march = selectors.receipt_for(newcomer, account.pk, MAR)
    assert march.payer == "Сидоров Пётр Петрович"
    (upkeep,) = march.sections[0].lines
    assert upkeep.accrued == D("367.84")
    assert march.total_due == D("367.84")  # none of the former holder's debt
    april = selectors.receipt_for(newcomer, account.pk, APR)
    assert april.total_due == D("367.84") + D("543.00")


def test_pages_and_pdfs_follow_the_same_rule(sold, alpha, client_of):
    account = sold["account"]
    former = client_of(alpha, sold["former"])
    index = former.get("/receipts/").content.decode()
    for month in ("2025-01", "2025-02", "2025-03"):
        assert f"/receipts/{account.pk}/{month}/" in index
    assert f"/receipts/{account.pk}/2025-04/" not in index
    response = former.get(f"/receipts/{account.pk}/2025-02/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Петрова Мария Ивановна" in text and "Сидоров" not in text
    assert former.get(f"/receipts/{account.pk}/2025-04/").status_code == 404

    newcomer = client_of(alpha, sold["newcomer"])
    index = newcomer.get("/receipts/").content.decode()
    assert f"/receipts/{account.pk}/2025-04/" in index
    assert f"/receipts/{account.pk}/2025-03/" in index
    assert f"/receipts/{account.pk}/2025-02/" not in index
    assert newcomer.get(f"/receipts/{account.pk}/2025-02/").status_code == 404
    text = " ".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(newcomer.get(f"/receipts/{account.pk}/2025-04/").content)
        ).pages
    )
    assert "Сидоров Пётр Петрович" in text and "Петрова" not in text


def test_once_the_former_holder_has_paid_everything_their_receipts_close(sold):
    account, former, old = sold["account"], sold["former"], sold["old"]
    owed = sum(e.amount for e in Entry.objects.filter(account=account, holding=old))
    assert owed == D("698.74") + D("175.16")
    post(account, old, EntryKind.PAYMENT, APR, str(-owed), source="cash", source_id="paid-off")
    for month in (JAN, FEB, MAR):
        with pytest.raises(Http404):
            selectors.receipt_for(former, account.pk, month)
    assert selectors.accounts_for(former) == []


def test_residents_read_the_current_holdings_months_without_a_name(sold, make_user, alpha):
    resident = make_user(alpha, roles=[Role.RESIDENT])
    Residency.objects.create(premises=sold["premises"], user=resident, started_on=SOLD)
    account = sold["account"]
    april = selectors.receipt_for(resident, account.pk, APR)
    assert april.payer == "" and april.total_due == D("367.84") + D("543.00")
    with pytest.raises(Http404):
        selectors.receipt_for(resident, account.pk, FEB)


def test_the_board_reads_every_month_as_the_months_holding(sold, make_user, alpha):
    accountant = make_user(alpha, roles=[Role.ACCOUNTANT])
    account = sold["account"]
    assert selectors.receipt_for(accountant, account.pk, FEB).payer == "Петрова Мария Ивановна"
    assert selectors.receipt_for(accountant, account.pk, APR).payer == "Сидоров Пётр Петрович"
    assert selectors.months(account) == [APR, MAR, FEB, JAN]


def test_the_api_lists_each_readers_own_months(sold, alpha, client_of, make_user):
    """``api/v1/ledger/receipts/``: the same months as the page, with the PDF's address; the
    board names an account; someone else's account is a 404."""
    account = sold["account"]

    def months(user, **query):
        answer = client_of(alpha, user).get("/api/v1/ledger/receipts/", query)
        ok = answer.status_code == 200
        return answer.status_code, [r["month"] for r in answer.json()] if ok else None

    assert months(sold["former"]) == (200, ["2025-03", "2025-02", "2025-01"])
    assert months(sold["newcomer"]) == (200, ["2025-04", "2025-03"])
    listed = client_of(alpha, sold["newcomer"]).get("/api/v1/ledger/receipts/").json()[0]
    assert listed["pdf"] == f"/receipts/{account.pk}/2025-04/"
    accountant = make_user(alpha, roles=[Role.ACCOUNTANT])
    assert months(accountant)[0] == 400
    assert months(accountant, account=str(account.pk)) == (
        200,
        ["2025-04", "2025-03", "2025-02", "2025-01"],
    )
    stranger = make_user(alpha, roles=[Role.OWNER])
    assert months(stranger) == (200, [])
    assert months(stranger, account=str(account.pk))[0] == 404
