"""Payments against the database: entered, imported twice, matched or queued, allocated."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tenants.ledger.models import Balance, Entry, EntryKind
from tenants.ledger.payments import services
from tenants.ledger.payments.models import (
    Allocation,
    Payment,
    PaymentSource,
    PaymentStatus,
)
from tenants.ledger.services import post_entry
from tests.factories import UserFactory
from tests.tenants.residents.factories import make_premises

D = datetime.date
JAN, FEB = D(2025, 1, 1), D(2025, 2, 1)

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
ПолучательИНН=
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


@pytest.fixture
def setup(in_alpha):
    accountant = UserFactory(roles=["accountant"])
    premises = make_premises()
    account = premises.accounts.get()
    for month in (JAN, FEB):
        post_entry(
            actor=accountant,
            account=account,
            kind=EntryKind.CHARGE,
            period=month,
            amount=Decimal("1000.00"),
            reason="test",
        )
    return accountant, account


def balance(account) -> Decimal:
    return Balance.objects.get(account=account).amount


def test_an_entered_payment_is_posted_once(setup):
    accountant, account = setup
    payment = services.record_payment(
        actor=accountant,
        account=account,
        amount=Decimal("1200.00"),
        paid_on=D(2025, 3, 1),
        source=PaymentSource.CASH,
        source_id="ПКО-17",
    )
    assert payment.status == PaymentStatus.POSTED
    assert payment.entry.amount == Decimal("-1200.00")
    assert balance(account) == Decimal("800.00")
    assert [(a.target, a.period, a.amount) for a in payment.allocations.all()] == [
        ("charge", JAN, Decimal("1000.00")),
        ("charge", FEB, Decimal("200.00")),
    ]
    with pytest.raises(ValidationError):
        services.record_payment(
            actor=accountant,
            account=account,
            amount=Decimal("1200.00"),
            paid_on=D(2025, 3, 1),
            source=PaymentSource.CASH,
            source_id="ПКО-17",
        )
    assert balance(account) == Decimal("800.00")


def test_overpayment_stays_as_credit_and_penalties_come_last(setup):
    accountant, account = setup
    post_entry(
        actor=accountant,
        account=account,
        kind=EntryKind.PENALTY,
        period=FEB,
        amount=Decimal("30.00"),
        calculation_data={"debt_period": JAN.isoformat()},
    )
    payment = services.record_payment(
        actor=accountant,
        account=account,
        amount=Decimal("2100.00"),
        paid_on=D(2025, 3, 1),
        source=PaymentSource.BANK,
        source_id="п/п 5",
    )
    assert [(a.target, a.amount) for a in payment.allocations.all()] == [
        ("charge", Decimal("1000.00")),
        ("charge", Decimal("1000.00")),
        ("penalty", Decimal("30.00")),
        ("credit", Decimal("70.00")),
    ]
    assert balance(account) == Decimal("-70.00")


def test_bad_entries_are_refused_and_write_nothing(setup):
    accountant, account = setup
    for amount, source, source_id in (
        ("0", "cash", "1"),
        ("-5", "cash", "2"),
        ("1.001", "cash", "3"),
        ("10", "online", "4"),
        ("10", "cash", ""),
    ):
        with pytest.raises(ValidationError):
            services.record_payment(
                actor=accountant,
                account=account,
                amount=Decimal(amount),
                paid_on=D(2025, 3, 1),
                source=source,
                source_id=source_id,
            )
    assert not Payment.objects.exists()


def test_the_same_statement_imported_twice_posts_nothing_new(setup):
    accountant, account = setup
    data = STATEMENT.format(number=account.number).encode("cp1251")
    first = services.preview_statement(actor=accountant, data=data, filename="kl_to_1c.txt")
    assert (first.total_rows, first.matched_rows, first.queued_rows) == (2, 1, 1)
    services.confirm_statement(actor=accountant, statement=first)
    posted = Payment.objects.get(status=PaymentStatus.POSTED)
    assert posted.account == account
    assert posted.named_period == FEB
    # The payer named February: it is paid before January.
    assert [(a.period, a.amount) for a in posted.allocations.all()] == [
        (FEB, Decimal("1000.00")),
        (JAN, Decimal("500.00")),
    ]
    queued = Payment.objects.get(status=PaymentStatus.QUEUED)
    assert queued.account is None and queued.queue_reason == "no_account"
    assert balance(account) == Decimal("500.00")

    again = services.preview_statement(actor=accountant, data=data, filename="kl_to_1c.txt")
    assert (again.new_rows, again.duplicate_rows) == (0, 2)
    services.confirm_statement(actor=accountant, statement=again)
    assert Payment.objects.count() == 2
    assert Entry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert balance(account) == Decimal("500.00")
    with pytest.raises(ValidationError):
        services.confirm_statement(actor=accountant, statement=again)


def test_a_waiting_payment_is_assigned_by_a_person_once(setup):
    accountant, account = setup
    data = STATEMENT.format(number="nobody").encode("cp1251")
    statement = services.preview_statement(actor=accountant, data=data)
    services.confirm_statement(actor=accountant, statement=statement)
    waiting = Payment.objects.filter(status=PaymentStatus.QUEUED).order_by("amount").first()
    services.assign_payment(actor=accountant, payment=waiting, account=account)
    waiting.refresh_from_db()
    assert waiting.status == PaymentStatus.POSTED and waiting.assigned_by == accountant
    assert balance(account) == Decimal("1800.00")
    with pytest.raises(ValidationError):
        services.assign_payment(actor=accountant, payment=waiting, account=account)


def test_an_online_payment_settled_in_the_statement_is_linked_not_posted_again(setup):
    accountant, account = setup
    online = Payment.objects.create(
        source=PaymentSource.ONLINE,
        source_id="acq-1",
        status=PaymentStatus.QUEUED,
        account=account,
        amount=Decimal("1500.00"),
        paid_on=D(2025, 3, 1),
        acquirer_ref="ACQ778",
    )
    services._post(online, actor=None)
    data = STATEMENT.format(number=account.number).encode("cp1251")
    statement = services.preview_statement(actor=accountant, data=data)
    services.confirm_statement(actor=accountant, statement=statement)
    settled = Payment.objects.get(source=PaymentSource.STATEMENT, amount=Decimal("1500.00"))
    assert settled.status == PaymentStatus.LINKED
    assert settled.linked_to == online
    assert settled.entry is None
    assert balance(account) == Decimal("500.00")


def test_instalment_plan_schedule(setup):
    accountant, account = setup
    plan = services.create_instalment_plan(
        actor=accountant,
        account=account,
        total=Decimal("1000.00"),
        months=3,
        first_due_on=D(2025, 1, 31),
        agreed_on=D(2025, 1, 10),
        decision="Протокол правления № 4",
    )
    assert [(i.due_on, i.amount) for i in plan.items.all()] == [
        (D(2025, 1, 31), Decimal("333.33")),
        (D(2025, 2, 28), Decimal("333.33")),
        (D(2025, 3, 31), Decimal("333.34")),
    ]
    assert Allocation.objects.count() == 0
