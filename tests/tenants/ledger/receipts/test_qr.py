"""The ST00012 payload (ГОСТ Р 56042-2014): fields, escaping, refusals; read back."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tenants.ledger.receipts import qr

PAYMENT = qr.Payment(
    name="ТСЖ «Берёзка»",
    personal_acc="40703810938000000001",
    bank_name="ПАО Сбербанк",
    bic="044525225",
    correspondent_acc="30101810400000000225",
    payee_inn="7701234567",
    kpp="770101001",
    amount=Decimal("2162.56"),
    purpose="Оплата ЖКУ, л/с 000123, период 02.2026",
    pers_acc="000123",
    period=datetime.date(2026, 2, 1),
)


def with_(**changes) -> qr.Payment:
    values = PAYMENT.__dict__ | changes
    return qr.Payment(**values)


def test_payload_has_every_field_in_order_after_the_utf8_header():
    payload = qr.build(PAYMENT)
    assert payload == (
        "ST00012|Name=ТСЖ «Берёзка»|PersonalAcc=40703810938000000001|BankName=ПАО Сбербанк"
        "|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7701234567|KPP=770101001"
        "|Sum=216256|Purpose=Оплата ЖКУ, л/с 000123, период 02.2026|PersAcc=000123"
        "|PaymPeriod=022026|TechCode=02"
    )
    assert qr.encode(payload) == payload.encode("utf-8")


def test_sum_is_kopecks_rounded_and_never_negative():
    assert qr.parse(qr.build(with_(amount=Decimal("0.005"))))["Sum"] == "1"
    assert qr.parse(qr.build(with_(amount=Decimal("1000"))))["Sum"] == "100000"
    assert qr.parse(qr.build(with_(amount=Decimal("0"))))["Sum"] == "0"
    with pytest.raises(qr.PayloadError):
        qr.build(with_(amount=Decimal("-1")))


def test_separator_and_line_breaks_are_cleaned_from_text():
    payload = qr.build(
        with_(name="ТСЖ|Север", bank_name="Банк\n|Филиал", purpose="a|b\r\nc", pers_acc="12|3")
    )
    values = qr.parse(payload)
    assert values["Name"] == "ТСЖ/Север"
    assert values["BankName"] == "Банк /Филиал"
    assert values["Purpose"] == "a/b c"
    assert values["PersAcc"] == "12/3"
    assert payload.count("|") == 12  # one before each of the 12 pairs, none inside a value


def test_lengths_are_the_standards():
    values = qr.parse(qr.build(with_(name="Я" * 200, bank_name="Б" * 60, purpose="П" * 300)))
    assert len(values["Name"]) == 160
    assert len(values["BankName"]) == 45
    assert len(values["Purpose"]) == 210


@pytest.mark.parametrize(
    "changes",
    [
        {"personal_acc": "4070381093800000000"},  # 19 digits
        {"personal_acc": "4070381093800000|001"},
        {"bic": "04452522X"},
        {"bic": "04452|225"},
        {"correspondent_acc": "3010181040000000022500"},
        {"payee_inn": "77012|4567"},
        {"kpp": "7701|1001"},
        {"name": " \n "},
        {"bank_name": ""},
    ],
)
def test_digit_fields_with_anything_else_are_refused(changes):
    with pytest.raises(qr.PayloadError):
        qr.build(with_(**changes))


def test_optional_fields_left_out_when_empty_and_no_correspondent_account_is_zero():
    values = qr.parse(qr.build(with_(payee_inn="", kpp="", purpose="", correspondent_acc="")))
    assert "PayeeINN" not in values and "KPP" not in values and "Purpose" not in values
    assert values["CorrespAcc"] == "0"


def test_parse_reads_other_banks_encodings_key_case_and_short_periods():
    assert qr.parse(b"ST00012|persAcc=1|PaymPeriod=0226") == {
        "persAcc": "1",
        "PaymPeriod": "022026",
    }
    assert qr.parse("ST00011|Name=ТСЖ".encode("cp1251"))["Name"] == "ТСЖ"
    assert qr.parse("ST00013|Name=ТСЖ".encode("koi8-r"))["Name"] == "ТСЖ"
    with pytest.raises(qr.PayloadError):
        qr.parse(b"ST00019|Name=x")


def test_png_is_one_pixel_per_module():
    image = qr.png(qr.build(PAYMENT))
    assert image.startswith(b"\x89PNG")
    side = int.from_bytes(image[16:20], "big")
    assert (side - 8 - 17) % 4 == 0  # border 4 on each side, version v has 17 + 4v modules
