"""The receipt's PDF: Russian, every item of Правила 354 п. 69, one QR code per recipient read
back by a real decoder (zbarimg) with every field checked."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

from pypdf import PdfReader

from tenants.ledger.receipts import qr, render
from tests.tenants.ledger.receipts import sample
from tests.tenants.ledger.receipts.tools import decode_qr_codes


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_figures_in_russian_style():
    assert render.money(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50"
    assert render.money(Decimal("-12")) == "-12,00"
    assert render.figure(Decimal("12.5000")) == "12,5"
    assert render.figure(Decimal("105")) == "105"


def test_amounts_per_recipient():
    main, repairs = sample.receipt().sections
    assert main.charged == Decimal("1950.22")  # 1743.03 + 229.19 - 12.00 - 10.00
    assert main.due == Decimal("2162.56")  # 500 debt + 1950.22 + 12.34 penalties - 300 paid
    assert repairs.prepayment == Decimal("100.00")
    assert repairs.due == Decimal("714.50")
    assert sample.receipt().total_due == Decimal("2877.06")


def test_pdf_decodes_to_one_payload_per_recipient_with_every_field():
    data = sample.receipt()
    pdf = render.render_pdf(data)
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

    codes = decode_qr_codes(pdf)
    assert len(codes) == 2
    assert all(code.startswith(b"ST00012|") for code in codes)
    decoded = {qr.parse(code)["PersonalAcc"]: qr.parse(code) for code in codes}
    main = decoded["40703810938000000001"]
    assert main == {
        "Name": "ТСЖ «Берёзка/Север»",
        "PersonalAcc": "40703810938000000001",
        "BankName": "ПАО Сбербанк",
        "BIC": "044525225",
        "CorrespAcc": "30101810400000000225",
        "PayeeINN": "7701234567",
        "KPP": "770101001",
        "Sum": "216256",
        "Purpose": "Оплата ЖКУ, л/с 000123, период 02.2026",
        "PersAcc": "000123",
        "PaymPeriod": "022026",
        "TechCode": "02",
    }
    repairs = decoded["40604810938000000002"]
    assert repairs["Name"] == "ТСЖ «Берёзка» (спецсчёт капремонта)"
    assert repairs["Sum"] == "71450"
    # Exactly the bytes the builder wrote: UTF-8 as the header's digit says.
    assert sorted(codes) == sorted(qr.encode(data.payload(s)) for s in data.sections)


def test_pdf_says_everything_the_rules_list_in_russian():
    text = " ".join(text_of(render.render_pdf(sample.receipt())).split())
    for expected in (
        "Иванов Иван Иванович",
        "ул. Ленина, д. 1, кв. 5",
        "000123",
        "февраль 2026",
        "54,3",
        "Холодная вода",
        "50,93",
        "229,19",
        "-12,00",
        "перерасчёт за январь 2026",
        "10,00",
        "12,34",
        "Взнос на капитальный ремонт",
        "044525225",
        "+7 495 000-00-00",
        "15.03.2026",
        "2 877,06".replace(" ", "\u00a0"),
        "100,5",
    ):
        assert expected in text or expected.replace("\u00a0", " ") in text, expected


def test_a_paid_in_advance_recipient_gets_a_zero_sum():
    ahead = dataclasses.replace(sample.REPAIRS, opening=Decimal("-5000"))
    data = sample.receipt(sections=(ahead,))
    assert qr.parse(data.payload(data.sections[0]))["Sum"] == "0"
