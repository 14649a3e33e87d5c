"""Receipts from a worked ledger: the figures per recipient, who sees which receipt, the page's
PDF read back, the association's month as one PDF, the purge and the members' letters."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from pypdf import PdfReader

from core.access.roles import Role
from tenants.files.models import StoredFile
from tenants.ledger.models import Entry, EntryKind, Method, Service
from tenants.ledger.receipts import qr, selectors, services
from tenants.ledger.receipts.models import BatchStatus, ReceiptBatch
from tenants.profile.models import PaymentRecipient
from tenants.residents.models import Residency
from tests.tenants.ledger.receipts.tools import decode_qr_codes
from tests.tenants.residents.factories import make_owner, make_premises

JAN = datetime.date(2025, 1, 1)
FEB = datetime.date(2025, 2, 1)


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2025, 6, 20))


def _entry(account, kind, period, amount, service=None, **fields):
    return Entry.objects.create(
        account=account,
        holding=account.holdings.first(),
        kind=kind,
        period=period,
        service=service,
        amount=D(amount),
        **fields,
    )


def _charge(account, period, service, amount, *, volume, rate, benefit="0"):
    calc = {
        "base": {"value": volume, "unit": service.unit},
        "tariff": {"rate": rate, "valid_from": "2025-01-01"},
        "benefit": {"amount": benefit} if benefit != "0" else None,
    }
    return _entry(account, EntryKind.CHARGE, period, amount, service, calculation=calc)


@pytest.fixture
def ledger(in_alpha):
    main = PaymentRecipient.objects.create(
        title="main",
        recipient_name="ТСЖ «Альфа»",
        account="40703810938000000001",
        bank_name="ПАО Сбербанк",
        bic="044525225",
        corr_account="30101810400000000225",
        is_main=True,
    )
    repairs = PaymentRecipient.objects.create(
        title="repairs",
        recipient_name="ТСЖ «Альфа» спецсчёт",
        account="40604810938000000002",
        bank_name="ПАО Сбербанк",
        bic="044525225",
        corr_account="30101810400000000225",
    )
    upkeep = Service.objects.create(
        code="upkeep", name="Содержание", method=Method.AREA, unit="м²", recipient=main, order=1
    )
    water = Service.objects.create(
        code="water", name="Холодная вода", method=Method.METERED, unit="м³", order=2
    )
    capital = Service.objects.create(
        code="capital",
        name="Капремонт",
        method=Method.AREA,
        unit="м²",
        recipient=repairs,
        is_capital_repair=True,
        order=3,
    )
    return {"main": main, "repairs": repairs, "upkeep": upkeep, "water": water, "capital": capital}


def worked_account(ledger, **premises_fields):
    """January: charges, a payment; February: charges (water with a benefit), a recalculation
    of January, a penalty, a payment."""
    premises = make_premises(area="54.30", **premises_fields)
    account = premises.accounts.get()
    _charge(account, JAN, ledger["upkeep"], "543.00", volume="54.3", rate="10")
    _charge(account, JAN, ledger["capital"], "100.00", volume="54.3", rate="1.8416")
    _entry(account, EntryKind.PAYMENT, JAN, "-300.00", source="cash", source_id=f"{account.pk}-1")
    _charge(account, FEB, ledger["upkeep"], "543.00", volume="54.3", rate="10")
    _charge(account, FEB, ledger["water"], "219.19", volume="4.5", rate="50.9311", benefit="10.00")
    _charge(account, FEB, ledger["capital"], "100.00", volume="54.3", rate="1.8416")
    _entry(
        account,
        EntryKind.RECALCULATION,
        FEB,
        "-12.00",
        ledger["water"],
        corrects_period=JAN,
        reason="показания поданы поздно",
    )
    _entry(account, EntryKind.PENALTY, FEB, "5.55")
    _entry(account, EntryKind.PAYMENT, FEB, "-500.00", source="cash", source_id=f"{account.pk}-2")
    return premises, account


def test_receipt_data_from_the_journal_per_recipient(ledger, make_user, alpha):
    owner = make_user(alpha, roles=[Role.OWNER])
    premises, account = worked_account(ledger)
    make_owner(premises, user=owner, name="Петрова Мария Ивановна")

    data = selectors.receipt_for(owner, account.pk, FEB)
    assert data.payer == "Петрова Мария Ивановна"
    assert data.account_number == account.number and data.area == D("54.30")
    main, repairs = data.sections
    assert main.name == "ТСЖ «Альфа»" and repairs.name == "ТСЖ «Альфа» спецсчёт"
    upkeep, water = main.lines
    assert (upkeep.volume, upkeep.tariff, upkeep.accrued) == (D("54.3"), D("10"), D("543.00"))
    assert water.accrued == D("229.19") and water.benefit == D("10.00")
    assert water.recalculation == D("-12.00") and "01.2025" in water.recalculation_reason
    assert water.total == D("207.19")
    assert main.opening == D("243.00")  # January: 543 charged, 300 paid
    assert (main.paid, main.penalties) == (D("500.00"), D("5.55"))
    assert main.due == D("498.74")
    # What the receipt asks for is the journal's balance at the month's end, per recipient.
    journal = sum(
        e.amount for e in Entry.objects.filter(account=account).exclude(service=ledger["capital"])
    )
    assert main.due == journal
    assert (repairs.opening, repairs.charged, repairs.due) == (
        D("100.00"),
        D("100.00"),
        D("200.00"),
    )
    assert qr.parse(data.payload(main))["Sum"] == "49874"
    assert data.due_date == datetime.date(2025, 3, 10)  # ЖК ст. 155 ч. 1 before 01.03.2026


def test_resident_sees_the_receipt_without_the_owners_name(ledger, make_user, alpha):
    resident = make_user(alpha, roles=[Role.RESIDENT])
    premises, account = worked_account(ledger)
    make_owner(premises, name="Петрова Мария Ивановна")
    Residency.objects.create(premises=premises, user=resident, started_on=JAN)
    data = selectors.receipt_for(resident, account.pk, FEB)
    assert data.payer == ""
    assert data.total_due == D("698.74")


def test_someone_elses_receipt_is_404(ledger, make_user, alpha, client_of):
    stranger = make_user(alpha, roles=[Role.OWNER])
    make_owner(make_premises(), user=stranger)
    _, account = worked_account(ledger)
    with pytest.raises(Http404):
        selectors.receipt_for(stranger, account.pk, FEB)
    response = client_of(alpha, stranger).get(f"/receipts/{account.pk}/2025-02/")
    assert response.status_code == 404


def test_no_receipt_for_a_month_not_over_or_without_entries(ledger, make_user, alpha):
    owner = make_user(alpha, roles=[Role.OWNER])
    premises, account = worked_account(ledger)
    make_owner(premises, user=owner)
    _entry(account, EntryKind.CHARGE, datetime.date(2025, 6, 1), "1.00", ledger["upkeep"])
    assert selectors.months(account) == [FEB, JAN]
    for month in (datetime.date(2025, 3, 1), datetime.date(2025, 6, 1)):
        with pytest.raises(Http404):
            selectors.receipt_for(owner, account.pk, month)


def test_member_downloads_the_pdf_and_its_qr_reads_back(ledger, make_user, alpha, client_of):
    owner = make_user(alpha, roles=[Role.OWNER])
    premises, account = worked_account(ledger)
    make_owner(premises, user=owner)
    client = client_of(alpha, owner)
    assert f"/receipts/{account.pk}/2025-02/" in client.get("/receipts/").content.decode()
    response = client.get(f"/receipts/{account.pk}/2025-02/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Петрова" not in response["Content-Disposition"]
    codes = {
        qr.parse(code)["PersonalAcc"]: qr.parse(code) for code in decode_qr_codes(response.content)
    }
    assert codes["40703810938000000001"]["Sum"] == "49874"
    assert codes["40703810938000000001"]["PersAcc"] == account.number
    assert codes["40703810938000000001"]["PaymPeriod"] == "022025"
    assert codes["40604810938000000002"]["Sum"] == "20000"


def test_the_months_pdf_merges_every_receipt_and_is_purged(ledger, make_user, alpha, client_of):
    from tenants.files.selectors import read_bytes

    accountant = make_user(alpha, roles=[Role.ACCOUNTANT])
    accounts = [worked_account(ledger)[1] for _ in range(5)]
    batch = services.start_batch(actor=accountant, period=FEB)
    with pytest.raises(ValidationError):  # one at a time per month
        services.start_batch(actor=accountant, period=FEB)
    done = services.build_batch(batch.pk, processes=2)
    assert done.status == BatchStatus.READY and done.done == done.total >= 5
    stored = done.file
    assert stored.purpose == "ledger.receipts_batch" and stored.holding_id is None
    assert "2025" in stored.name and not any(a.number in stored.name for a in accounts)
    pdf = read_bytes(stored)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == done.total
    assert services.build_batch(batch.pk) is None  # a duplicated task does nothing
    page = client_of(alpha, accountant).get(f"/receipts/batches/{batch.pk}/")
    assert page.status_code == 200 and f"/files/{stored.pk}/" in page.content.decode()

    later = done.expires_at + datetime.timedelta(seconds=1)
    assert services.purge_expired(now=done.expires_at - datetime.timedelta(seconds=1)) == 0
    assert services.purge_expired(now=later) == 1
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert ReceiptBatch.objects.get(pk=batch.pk).status == BatchStatus.EXPIRED


def test_members_are_told_once_when_their_receipt_is_ready(ledger, make_user, alpha):
    from tenants.notifications.models import Message, OutboxMessage

    owner = make_user(alpha, roles=[Role.OWNER])
    premises, account = worked_account(ledger)
    make_owner(premises, user=owner)
    _entry(account, EntryKind.CHARGE, datetime.date(2025, 5, 1), "1.00", ledger["upkeep"])
    assert services.notify_ready() >= 1
    message = Message.objects.filter(kind="ledger.receipt_ready").latest("pk")
    assert message.path == f"/receipts/{account.pk}/2025-05/"
    assert OutboxMessage.objects.filter(message=message, user=owner).exists()
    assert services.notify_ready() == 0
