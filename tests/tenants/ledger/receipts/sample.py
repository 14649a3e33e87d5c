"""A receipt with two recipients (the association's account and the capital-repair special
account), a recalculation, a benefit, a debt, a payment, penalties and a meter."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from tenants.ledger.receipts.data import MeterLine, ReceiptData, RecipientSection, ServiceLine

MAIN = RecipientSection(
    name="ТСЖ «Берёзка|Север»",
    inn="7701234567",
    kpp="770101001",
    account="40703810938000000001",
    bank_name="ПАО Сбербанк",
    bic="044525225",
    correspondent_account="30101810400000000225",
    lines=(
        ServiceLine("Содержание жилого помещения", "м²", D("54.3"), D("32.10"), D("1743.03")),
        ServiceLine(
            "Холодная вода",
            "м³",
            D("4.5"),
            D("50.93"),
            D("229.19"),
            recalculation=D("-12.00"),
            recalculation_reason="перерасчёт за январь 2026: показания поданы поздно",
            benefit=D("10.00"),
        ),
    ),
    opening=D("500.00"),
    paid=D("300.00"),
    penalties=D("12.34"),
)
REPAIRS = RecipientSection(
    name="ТСЖ «Берёзка» (спецсчёт капремонта)",
    inn="7701234567",
    kpp="770101001",
    account="40604810938000000002",
    bank_name="ПАО Сбербанк",
    bic="044525225",
    correspondent_account="30101810400000000225",
    lines=(ServiceLine("Взнос на капитальный ремонт", "м²", D("54.3"), D("15.00"), D("814.50")),),
    opening=D("-100.00"),
)


def receipt(**changes) -> ReceiptData:
    values = dict(
        period=datetime.date(2026, 2, 1),
        account_number="000123",
        payer="Иванов Иван Иванович",
        address="г. Москва, ул. Ленина, д. 1, кв. 5",
        area=D("54.3"),
        residents=3,
        association_name="ТСЖ «Берёзка»",
        association_inn="7701234567",
        association_kpp="770101001",
        association_address="г. Москва, ул. Ленина, д. 1",
        association_phone="+7 495 000-00-00",
        association_email="board@example.org",
        office_hours="вт, чт 18:00–20:00",
        due_date=datetime.date(2026, 3, 15),
        sections=(MAIN, REPAIRS),
        meters=(MeterLine("Холодная вода", "12345", "", D("100.5"), D("105"), D("4.5")),),
    )
    values.update(changes)
    return ReceiptData(**values)
