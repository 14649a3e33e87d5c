"""The payment and penalty pages: a cp1251 1С bank statement uploaded, previewed and confirmed;
the same statement again posts nothing; the queue's assignment; debtors filtered and exported to
Excel; the printable penalty calculation's figures; refusals beside the fields; the monthly
penalty job; query counts of the debtors and the queue pinned at one and many."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tenants.ledger import penalty_posting
from tenants.ledger.models import Balance, Entry, EntryKind
from tenants.ledger.payments import penalty_job
from tenants.ledger.payments.court_fee import court_order_fee
from tenants.ledger.payments.models import (
    BankStatement,
    Payment,
    PaymentSource,
    PaymentStatus,
)
from tenants.ledger.services import post_entry
from tests.factories import UserFactory
from tests.query_counts import counts_at, queries_text, query_count
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db
D = datetime.date
JAN, FEB = D(2025, 1, 1), D(2025, 2, 1)
TODAY = D(2025, 6, 1)

STATEMENT = """1CClientBankExchange
ВерсияФормата=1.03
Кодировка=Windows
ДатаНачала=01.03.2025
ДатаКонца=05.03.2025
РасчСчет=40703810900000000001
СекцияДокумент=Платежное поручение
Номер=101
Дата=03.03.2025
Сумма=1500.00
ПлательщикСчет=40817810000000000123
ПолучательСчет=40703810900000000001
НазначениеПлатежа=Оплата ЖКУ л/с {number} за февраль 2025
КонецДокумента
СекцияДокумент=Платежное поручение
Номер=102
Дата=04.03.2025
Сумма=200.00
ПлательщикСчет=40817810000000000555
ПолучательСчет=40703810900000000001
НазначениеПлатежа=За квартиру
КонецДокумента
КонецФайла
"""


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def accountant(in_alpha):
    return UserFactory(roles=["accountant"])


@pytest.fixture
def client(client_of, alpha, accountant):
    made = client_of(alpha, accountant)
    made.cookies["django_language"] = "en"
    return made


def charge(account, month, amount="1000.00"):
    post_entry(
        actor=None,
        account=account,
        kind=EntryKind.CHARGE,
        period=month,
        amount=Decimal(amount),
        reason="test",
    )


@pytest.fixture
def account(in_alpha):
    found = make_premises().accounts.get()
    charge(found, JAN)
    charge(found, FEB)
    return found


def upload(client, data: bytes, name="kl_to_1c.txt"):
    return client.post(
        "/ledger/payments/statements/upload/", {"file": SimpleUploadedFile(name, data)}
    )


def test_a_statement_uploads_with_the_csrf_check_as_a_browser_meets_it(alpha, account):
    """The CSRF check reads the body only once the upload limit is in place: a browser's
    upload (the token in the form) is previewed, not a 500; without the token it is refused."""
    from django.test import Client

    from core.access.roles import Role
    from tests.conftest import host_of, verify_second_factor

    keeper = UserFactory(roles=[Role.ACCOUNTANT])
    browser = Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)
    browser.force_login(keeper)
    verify_second_factor(browser, keeper)
    browser.cookies["csrftoken"] = "browsercsrf0123456789abcdefghijk"
    data = STATEMENT.format(number=account.number).encode("cp1251")
    path = "/ledger/payments/statements/upload/"
    file = SimpleUploadedFile("kl_to_1c.txt", data)

    assert browser.post(path, {"file": file}).status_code == 403
    assert not BankStatement.objects.exists()
    file.seek(0)
    token = {"csrfmiddlewaretoken": "browsercsrf0123456789abcdefghijk"}
    response = browser.post(path, {"file": file, **token})
    assert response.status_code == 302
    assert BankStatement.objects.count() == 1


def test_statement_upload_preview_confirm(client, account):
    data = STATEMENT.format(number=account.number).encode("cp1251")
    response = upload(client, data)
    assert response.status_code == 302
    statement = BankStatement.objects.get()
    assert response["Location"] == f"/ledger/payments/statements/{statement.pk}/"
    assert not Payment.objects.exists()  # a preview posts nothing
    page = client.get(response["Location"]).content.decode()
    assert "Matched: will be posted (1)" in page
    assert "Not matched: will wait for a person (1)" in page
    assert "Already imported: will be skipped (0)" in page
    assert "No known personal account in the purpose of payment" in page
    assert "Оплата ЖКУ л/с" in page  # the purpose, decoded from Windows-1251
    done = client.post(f"/ledger/payments/statements/{statement.pk}/confirm/")
    assert done.status_code == 302
    posted = Payment.objects.get(status=PaymentStatus.POSTED)
    assert (posted.account, posted.amount, posted.named_period) == (
        account,
        Decimal("1500.00"),
        FEB,
    )
    assert Payment.objects.get(status=PaymentStatus.QUEUED).amount == Decimal("200.00")
    assert Balance.objects.get(account=account).amount == Decimal("500.00")
    # members see it at once: the payment is in the journal their account page reads
    assert Entry.objects.filter(account=account, kind=EntryKind.PAYMENT).count() == 1
    again = client.get(f"/ledger/payments/statements/{statement.pk}/").content.decode()
    assert 'data-status="confirmed"' in again


def test_the_same_statement_twice_posts_nothing(client, account):
    data = STATEMENT.format(number=account.number).encode("cp1251")
    first = upload(client, data)
    client.post(first["Location"] + "confirm/")
    entries = Entry.objects.count()
    second = upload(client, data)
    page = client.get(second["Location"]).content.decode()
    assert "Already imported: will be skipped (2)" in page
    assert "Matched: will be posted (0)" in page
    client.post(second["Location"] + "confirm/")
    assert Entry.objects.count() == entries
    assert Payment.objects.count() == 2


def test_a_file_that_is_not_a_statement_is_refused_beside_the_field(client, account):
    response = upload(client, "Привет, это не выписка".encode("cp1251"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["file"]
    assert not BankStatement.objects.exists()


def test_an_oversized_statement_is_refused_before_reading(client, account):
    from tenants.ledger.payments.forms import STATEMENT_LIMIT

    response = upload(client, b"x" * (STATEMENT_LIMIT + 1))
    assert response.status_code == 413
    assert "at most 5 MB" in response.content.decode()


def test_the_queue_assigns_a_payment_to_an_account(client, account):
    data = STATEMENT.format(number="nobody").encode("cp1251")
    client.post(upload(client, data)["Location"] + "confirm/")
    waiting = Payment.objects.filter(status=PaymentStatus.QUEUED).order_by("amount")
    assert waiting.count() == 2
    page = client.get("/ledger/payments/queue/").content.decode()
    assert page.count("data-payment=") == 2
    payment = waiting.first()
    response = client.post(
        f"/ledger/payments/queue/{payment.pk}/assign/", {"account": "no-such-account"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.QUEUED
    client.post(
        f"/ledger/payments/queue/{payment.pk}/assign/",
        {"account": account.number, "named_period": "2025-02"},
    )
    payment.refresh_from_db()
    assert (payment.status, payment.account, payment.named_period) == (
        PaymentStatus.POSTED,
        account,
        FEB,
    )
    assert client.get("/ledger/payments/queue/").content.decode().count("data-payment=") == 1
    # assigned already: a second assignment is a 404 (no longer in the queue)
    again = client.post(f"/ledger/payments/queue/{payment.pk}/assign/", {"account": "x"})
    assert again.status_code == 404


def test_a_payment_entered_by_hand_and_refusals_beside_the_fields(client, account):
    form = {
        "account": "no-such",
        "amount": "300.00",
        "paid_on": "2025-05-30",
        "source": PaymentSource.CASH,
        "source_id": "ПКО-1",
    }
    refused = client.post("/ledger/payments/add/", form)
    assert refused.status_code == 400
    assert refused.context["form"].errors["account"] == [
        "There is no personal account with this number."
    ]
    future = client.post(
        "/ledger/payments/add/", {**form, "account": account.number, "paid_on": "2025-07-01"}
    )
    assert future.context["form"].errors["paid_on"]
    done = client.post("/ledger/payments/add/", {**form, "account": account.number})
    assert done.status_code == 302
    twice = client.post("/ledger/payments/add/", {**form, "account": account.number})
    assert twice.context["form"].errors["source_id"]
    assert Payment.objects.get().amount == Decimal("300.00")
    listed = client.get("/ledger/payments/").content.decode()
    assert listed.count("data-payment=") == 1


def test_debtors_filters_and_excel(client, account, in_alpha):
    from openpyxl import load_workbook

    north = BuildingFactory(name="Северный")
    small = make_premises(north).accounts.get()
    charge(small, D(2025, 4, 1), "100.00")  # due 10.05.2025: one month overdue on 01.06
    paid = make_premises(north).accounts.get()
    charge(paid, JAN, "50.00")
    post_entry(
        actor=None,
        account=paid,
        kind=EntryKind.PAYMENT,
        period=FEB,
        amount=Decimal("-50.00"),
        source="cash",
        source_id="t-1",
    )
    page = client.get("/ledger/debtors/").content.decode()
    assert page.count("data-account=") == 2
    assert f'data-account="{paid.pk}"' not in page
    by_building = client.get(f"/ledger/debtors/?building={north.pk}").content.decode()
    assert by_building.count("data-account=") == 1
    assert client.get("/ledger/debtors/?min_debt=1000").content.decode().count("data-account=") == 1
    assert client.get("/ledger/debtors/?min_months=2").content.decode().count("data-account=") == 1
    response = client.get("/ledger/debtors/?min_months=1&export=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="debtors-2025-06-01.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "personal account"
    assert [(r[0], r[3], r[6], r[7]) for r in rows[1:]] == [
        (account.number, 2000.0, 2, "01.2025"),
        (small.number, 100.0, 1, "04.2025"),
    ]


def test_penalty_calculation_page_figures(client, account):
    make_owner(account.premises)
    calc = penalty_posting.calculation_for(account.pk, on=TODAY)
    page = client.get(f"/ledger/debtors/{account.pk}/penalties/")
    assert page.status_code == 200
    html = page.content.decode()
    assert calc.total > 0
    assert f"<th data-total>{calc.total}</th>" in html
    for debt in calc.debts:
        for line in debt.lines:
            assert f"<td>{line.amount}</td>" in html
    january = calc.debts[0]
    # January 2025 is due on 10.02.2025: days 31–90 at 1/300, from day 91 at 1/130
    assert january.due_on == D(2025, 2, 10)
    assert january.days_in_tier(300) == 60
    assert january.days_in_tier(130) == 111 - 90
    assert "1/300" in html and "1/130" in html
    package = client.get(f"/ledger/debtors/{account.pk}/court-order/").content.decode()
    assert f"<th data-principal>{Decimal('2000.00')}</th>" in package
    assert f"<th data-claim>{Decimal('2000.00') + calc.total}</th>" in package
    fee = court_order_fee(Decimal("2000.00") + calc.total, TODAY).amount
    assert f'data-fee="{fee}"' in package
    # the debtor: the holder of the unpaid months and the owners under the tenure
    assert "<li data-owner>Петрова Мария Ивановна" in package


def test_instalment_plan_created_with_its_schedule(client, account):
    form = {
        "account": account.number,
        "total": "1000.00",
        "months": "3",
        "first_due_on": "2025-06-15",
        "agreed_on": "2025-05-30",
        "decision": "",
    }
    refused = client.post("/ledger/payments/instalments/add/", form)
    assert refused.status_code == 400 and refused.context["form"].errors["decision"]
    done = client.post(
        "/ledger/payments/instalments/add/", {**form, "decision": "Протокол правления № 4"}
    )
    assert done.status_code == 302
    page = client.get("/ledger/payments/instalments/").content.decode()
    assert "333.33 ₽" in page and "333.34 ₽" in page


def test_the_monthly_penalty_job_posts_once_a_month(account):
    made = penalty_job.post_monthly(on=TODAY)
    assert made > 0
    assert penalty_job.post_monthly(on=TODAY) == 0
    assert penalty_job.post_monthly(on=TODAY + datetime.timedelta(days=3)) == 0
    posted = Entry.objects.filter(account=account, source=penalty_posting.PENALTY_SOURCE)
    assert (
        sum(e.amount for e in posted) == penalty_posting.calculation_for(account.pk, on=TODAY).total
    )


def test_board_reads_but_does_not_write(client_of, alpha, account):
    chairman = client_of(alpha, UserFactory(roles=["chairman"]))
    assert chairman.get("/ledger/debtors/").status_code == 200
    assert chairman.get("/ledger/payments/add/").status_code == 403
    page = chairman.get("/ledger/payments/").content.decode()
    assert "/ledger/payments/add/" not in page


# -- pinned query counts ------------------------------------------------------------------------


def test_debtors_page_queries_do_not_grow(client, in_alpha):
    def grow_to(size):
        while Balance.objects.filter(amount__gt=0).count() < size:
            found = make_premises().accounts.get()
            charge(found, JAN)
            charge(found, FEB)

    counts = counts_at((1, 12), grow_to, lambda: query_count(client, "/ledger/debtors/"))
    assert counts == {1: 5, 12: 5}, queries_text(client, "/ledger/debtors/")


def test_queue_page_queries_do_not_grow(client, in_alpha):
    def grow_to(size):
        while Payment.objects.count() < size:
            Payment.objects.create(
                source=PaymentSource.STATEMENT,
                source_id=uuid.uuid4().hex,
                status=PaymentStatus.QUEUED,
                amount=Decimal("10.00"),
                paid_on=D(2025, 5, 5),
                purpose="за квартиру",
                queue_reason="no_account",
            )

    counts = counts_at((1, 12), grow_to, lambda: query_count(client, "/ledger/payments/queue/"))
    assert counts == {1: 3, 12: 3}, queries_text(client, "/ledger/payments/queue/")


def test_the_demo_has_payments_debtors_with_penalties_and_a_queue(in_alpha):
    from tenants.ledger.payments import demo

    for _n in range(10):
        make_premises()
    assert "debtors with penalties" in demo.seed_payments()
    assert Payment.objects.filter(status=PaymentStatus.POSTED).exists()
    assert Payment.objects.filter(status=PaymentStatus.QUEUED).count() == 1
    assert Entry.objects.filter(source=penalty_posting.PENALTY_SOURCE).exists()
    assert demo.seed_payments() == "payments: already there"


def test_pages_speak_russian(client_of, alpha, accountant, account):
    client = client_of(alpha, accountant)
    client.cookies["django_language"] = "ru"
    debtors = client.get("/ledger/debtors/").content.decode()
    assert "Должники" in debtors and "месяцев просрочки" in debtors
    form = {
        "account": "нет",
        "amount": "1.00",
        "paid_on": "2025-05-30",
        "source": PaymentSource.CASH,
        "source_id": "ПКО-9",
    }
    refused = client.post("/ledger/payments/add/", form)
    assert "Лицевого счёта с таким номером нет." in refused.content.decode()
    calc = client.get(f"/ledger/debtors/{account.pk}/penalties/").content.decode()
    assert "Расчёт пени" in calc and "Итого пени, ₽" in calc


def test_a_recorded_payment_shows_on_the_account_page_at_once(client, account):
    form = {
        "account": account.number,
        "amount": "700.00",
        "paid_on": "2025-05-30",
        "source": PaymentSource.BANK,
        "source_id": "п/п 77",
    }
    assert client.post("/ledger/payments/add/", form).status_code == 302
    page = client.get(f"/money/accounts/{account.pk}/").content.decode()
    assert "-700.00 ₽" in page


def test_the_api_records_and_lists_payments_and_debtors(client, account):
    url = "/api/v1/ledger/payments/"
    given = {
        "account": account.number,
        "amount": "250.00",
        "paid_on": "2025-05-30",
        "source": "cash",
        "source_id": "ПКО-api",
    }
    unknown = client.post(url, {**given, "account": "no-such"}, content_type="application/json")
    assert unknown.status_code == 400 and "account" in unknown.json()
    created = client.post(url, given, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "posted"
    twice = client.post(url, given, content_type="application/json")
    assert twice.status_code == 400
    listed = client.get(url).json()
    assert [p["amount"] for p in listed["results"]] == ["250.00"]
    debtors = client.get("/api/v1/ledger/debtors/").json()
    assert [(d["number"], d["debt"]) for d in debtors] == [(account.number, "1750.00")]


def test_the_api_answers_a_queued_payment_without_an_account_as_the_schema_says(client, account):
    """Found by make fuzz (chairman, accountant; 25 examples): a queued payment (no account found
    for it) answered ``"account": null`` where the schema said a string."""
    from tests.api_schema import assert_conforms

    data = STATEMENT.format(number="nobody").encode("cp1251")
    client.post(upload(client, data)["Location"] + "confirm/")
    response = client.get("/api/v1/ledger/payments/")
    assert [p["account"] for p in response.json()["results"]] == [None, None]
    assert_conforms(response, "/api/v1/ledger/payments/")


def test_the_journal_api_answers_an_entry_without_a_service_as_the_schema_says(client, account):
    """The same as the payments' ``account`` (found by make fuzz), in an account's journal: a
    charge or payment that names no service answers ``"service": null``; the fuzzing reaches no
    real account by its generated ids, so this one is pinned here."""
    from tests.api_schema import assert_conforms

    path = f"/api/v1/ledger/accounts/{account.pk}/journal/"
    response = client.get(path)
    assert [e["service"] for e in response.json()["results"]] == [None, None]
    assert_conforms(response, "/api/v1/ledger/accounts/{id}/journal/")
