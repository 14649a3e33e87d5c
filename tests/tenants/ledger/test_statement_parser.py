"""Reading bank statements (``tenants.ledger.statements.parser``): no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tenants.ledger.statements.parser import StatementError, parse

ACCOUNT = "40703810900000000001"

SAMPLE = """1CClientBankExchange
ВерсияФормата=1.03
Кодировка={declared}
Отправитель=Бухгалтерия предприятия
ДатаСоздания=05.03.2025
ДатаНачала=01.03.2025
ДатаКонца=05.03.2025
РасчСчет={account}
СекцияРасчСчет
ДатаНачала=01.03.2025
ДатаКонца=05.03.2025
РасчСчет={account}
НачальныйОстаток=1000.00
КонецРасчСчет
СекцияДокумент=Платежное поручение
Номер=101
Дата=03.03.2025
Сумма=4520.35
ПлательщикСчет=40817810000000000123
ПлательщикИНН=770000000001
Плательщик1=Иванов Иван Иванович
ПолучательСчет={account}
ПолучательИНН=7700000000
НазначениеПлатежа=Оплата ЖКУ лицевой счет 0012 за февраль 2025
ДатаПоступило=04.03.2025
КонецДокумента
СекцияДокумент=Платежное поручение
Номер=7
Дата=04.03.2025
Сумма=100
ПлательщикСчет={account}
ПлательщикИНН=7700000000
ПолучательСчет=40702810000000000999
ПолучательИНН=7711111111
НазначениеПлатежа=Оплата услуг
КонецДокумента
КонецФайла
"""


def sample(declared="Windows", **overrides) -> str:
    text = SAMPLE.format(declared=declared, account=ACCOUNT)
    for old, new in overrides.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [("Windows", "cp1251"), ("DOS", "cp866"), ("Windows", "utf-8")],
)
def test_reads_each_encoding(declared, encoding):
    data = sample(declared).replace("\n", "\r\n").encode(encoding)
    statement = parse(data, "kl_to_1c.txt")
    assert statement.format == "1c"
    assert statement.encoding == encoding
    assert statement.accounts == (ACCOUNT,)
    assert statement.date_from == datetime.date(2025, 3, 1)
    first, second = statement.payments
    assert first.number == "101"
    assert first.date == datetime.date(2025, 3, 3)
    assert first.received_on == datetime.date(2025, 3, 4)
    assert first.amount == Decimal("4520.35")
    assert first.recipient_inn == "7700000000"
    assert first.purpose == "Оплата ЖКУ лицевой счет 0012 за февраль 2025"
    assert first.payer_name == "Иванов Иван Иванович"
    assert second.amount == Decimal("100.00")
    # Only money coming in counts as payments.
    assert statement.incoming() == (first,)


def test_the_same_document_has_the_same_reference_whatever_the_encoding():
    one = parse(sample().encode("cp1251"))
    two = parse(sample("DOS").encode("cp866"))
    assert [p.source_ref for p in one.payments] == [p.source_ref for p in two.payments]
    assert one.payments[0].source_ref != one.payments[1].source_ref
    assert "770000000001" not in one.payments[0].source_ref


def test_a_utf8_bom_is_read():
    statement = parse(b"\xef\xbb\xbf" + sample().encode("utf-8"))
    assert statement.encoding == "utf-8"


def test_a_file_cut_short_is_refused():
    data = sample().split("КонецФайла")[0].encode("cp1251")
    with pytest.raises(StatementError, match="КонецФайла"):
        parse(data)


def test_a_document_without_its_end_is_refused():
    data = sample().replace("ДатаПоступило=04.03.2025\nКонецДокумента", "").encode("cp1251")
    with pytest.raises(StatementError, match="КонецДокумента"):
        parse(data)


def test_a_bad_amount_or_date_names_the_line():
    with pytest.raises(StatementError, match="4520,35,1"):
        parse(sample(**{"Сумма=4520.35": "Сумма=4520,35,1"}).encode("cp1251"))
    with pytest.raises(StatementError, match="31.02.2025"):
        parse(sample(**{"Дата=03.03.2025": "Дата=31.02.2025"}).encode("cp1251"))


def test_an_unknown_encoding_is_refused_with_a_russian_message():
    with pytest.raises(StatementError) as caught:
        parse(sample().encode("utf-16"))
    assert "1CClientBankExchange" in caught.value.messages[0]
    data = "1CClientBankExchange\r\nВерсияФормата=1.03\r\n".encode("koi8-r")
    with pytest.raises(StatementError) as caught:
        parse(data)
    assert "Windows-1251" in caught.value.messages[0]


def test_an_unknown_format_and_an_empty_file_are_refused():
    with pytest.raises(StatementError):
        parse(b"%PDF-1.4 something", "statement.pdf")
    with pytest.raises(StatementError):
        parse(b"", "empty.txt")


def test_reads_a_simple_csv():
    data = (
        "Дата;Номер;Сумма;ИНН получателя;Счет получателя;Назначение платежа\n"
        f"03.03.2025;55;1 200,50;7700000000;{ACCOUNT};ЛС 0012 за 02.2025\n"
        "\n"
    ).encode("cp1251")
    statement = parse(data, "bank.csv")
    assert statement.format == "csv"
    (payment,) = statement.payments
    assert payment.amount == Decimal("1200.50")
    assert payment.recipient_account == ACCOUNT
    assert payment.source_ref


def test_a_csv_without_the_needed_columns_is_refused():
    with pytest.raises(StatementError, match="amount"):
        parse("Дата;Номер;Назначение\n03.03.2025;1;x\n".encode(), "bank.csv")
