"""Reading a bank statement (выписка банка): the file a bank gives, turned into payments.

Not to be confused with a reconciliation statement (акт сверки, the member's account over a
period) or a member's application (заявление, the letters): this module reads banks' files only.

Two formats:

* the 1С «Клиент-банк» exchange format (``../shared/DOMAIN.md``, Bank statements): a text file
  whose first line is ``1CClientBankExchange``; header keys (``ВерсияФормата``, ``Кодировка``,
  ``ДатаНачала``, ``ДатаКонца``, ``РасчСчет``, sections ``СекцияРасчСчет`` … ``КонецРасчСчет``),
  then the documents, each ``СекцияДокумент=<kind>`` … ``КонецДокумента`` with ``Номер``,
  ``Дата`` (dd.mm.yyyy), ``Сумма`` (dot decimal), ``ПлательщикИНН``, ``ПлательщикСчет``,
  ``ПолучательСчет``, ``ПолучательИНН``, ``НазначениеПлатежа``, optionally ``ДатаПоступило``;
  the file ends with ``КонецФайла``. ``Кодировка=Windows`` means Windows-1251, ``DOS`` CP866;
  some banks write UTF-8 while declaring Windows, so the bytes decide, not the declaration;
* a simple CSV with a header row (``;`` or ``,``): date, number, amount, payer's ИНН,
  recipient's ИНН and account, purpose (Russian or English column names, see ``CSV_COLUMNS``).

A file in an unknown encoding or format, or a broken one, is refused as a whole with a Russian
message (``StatementError``, a ``ValidationError``): the parser is pure, so nothing is written.

Each payment carries ``source_ref``: a digest of what identifies the bank's document (format,
date, number, amount, payer's and recipient's accounts), so the same statement imported twice
finds its payments already there. The digest keeps the payer's account and ИНН out of the key.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FORMAT_1C = "1c"
FORMAT_CSV = "csv"
HEADER_1C = "1CClientBankExchange"
#: The encodings the 1С format may come in, by the value of ``Кодировка``.
DECLARED_ENCODINGS = {"windows": "cp1251", "dos": "cp866"}
#: Keys every 1С file carries; decoding with the wrong code page does not produce them.
MARKERS_1C = ("ВерсияФормата", "КонецФайла")


class StatementError(ValidationError):
    """The file cannot be read as a bank statement; the message says why, in Russian."""

    def __init__(self, message: str):
        super().__init__({"file": message})


@dataclass(frozen=True)
class StatementPayment:
    """One document of a statement: a payment into (or out of) the association's account."""

    number: str
    date: datetime.date
    amount: Decimal
    purpose: str
    payer_inn: str = ""
    payer_account: str = ""
    payer_name: str = ""
    recipient_inn: str = ""
    recipient_account: str = ""
    received_on: datetime.date | None = None
    kind: str = ""
    line: int = 0
    source_ref: str = ""


@dataclass(frozen=True)
class BankStatement:
    format: str
    encoding: str
    accounts: tuple[str, ...] = ()
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    payments: tuple[StatementPayment, ...] = field(default_factory=tuple)

    def incoming(self) -> tuple[StatementPayment, ...]:
        """Payments into one of the statement's accounts (all, if it names none)."""
        if not self.accounts:
            return self.payments
        return tuple(p for p in self.payments if p.recipient_account in self.accounts)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _ref(fmt: str, payment: StatementPayment) -> str:
    return _digest(
        fmt,
        payment.date.isoformat(),
        payment.number,
        f"{payment.amount:.2f}",
        payment.payer_account or payment.payer_inn,
        payment.recipient_account,
    )


def _date(text: str, *, line: int) -> datetime.date:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise StatementError(
        _("Line %(line)d: «%(value)s» is not a date (expected dd.mm.yyyy).")
        % {"line": line, "value": text.strip()[:20]}
    )


def _amount(text: str, *, line: int) -> Decimal:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if (
        value is None
        or not value.is_finite()
        or value <= 0
        or value != value.quantize(Decimal("0.01"))
    ):
        raise StatementError(
            _("Line %(line)d: «%(value)s» is not an amount in roubles and kopecks.")
            % {"line": line, "value": text.strip()[:20]}
        )
    return value.quantize(Decimal("0.01"))


# -- decoding ---------------------------------------------------------------------------------


def _declared(data: bytes) -> str:
    """The code page the file's ``Кодировка`` names (Windows when it names none)."""
    for encoding in ("cp1251", "cp866"):
        for line in data[:600].decode(encoding, errors="replace").splitlines():
            key, _sep, value = line.partition("=")
            if key.strip() == "Кодировка":
                return DECLARED_ENCODINGS.get(value.strip().lower(), "cp1251")
    return "cp1251"


def _decode_1c(data: bytes) -> tuple[str, str]:
    """The text of a 1С file and the encoding it was really in.

    UTF-8 is tried first (strict decoding fails on a single-byte Cyrillic file), then the
    declared code page, then the other one; a code page is right when the Cyrillic keys come
    out (``ВерсияФормата``, ``КонецФайла``).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    declared = _declared(data)
    candidates = ["utf-8", declared] + [e for e in ("cp1251", "cp866") if e != declared]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(marker in text for marker in MARKERS_1C):
            return text, encoding
    raise StatementError(
        _(
            "The file's encoding is not recognised: a 1C bank statement must be in "
            "Windows-1251, DOS (CP866) or UTF-8."
        )
    )


# -- 1С «Клиент-банк» -----------------------------------------------------------------------


_KEYS = {
    "Номер": "number",
    "Дата": "date",
    "Сумма": "amount",
    "ПлательщикИНН": "payer_inn",
    "ПлательщикСчет": "payer_account",
    "Плательщик": "payer_name",
    "Плательщик1": "payer_name",
    "ПолучательИНН": "recipient_inn",
    "ПолучательСчет": "recipient_account",
    "НазначениеПлатежа": "purpose",
    "ДатаПоступило": "received_on",
}


def _document(fields: dict[str, str], purpose_lines: list[str], kind: str, line: int):
    missing = [key for key in ("Номер", "Дата", "Сумма") if not fields.get(key, "").strip()]
    if missing:
        raise StatementError(
            _("The document starting on line %(line)d has no %(keys)s.")
            % {"line": line, "keys": ", ".join(missing)}
        )
    purpose = fields.get("НазначениеПлатежа", "")
    if not purpose and purpose_lines:
        purpose = " ".join(purpose_lines)
    received = fields.get("ДатаПоступило", "").strip()
    payment = StatementPayment(
        number=fields["Номер"].strip(),
        date=_date(fields["Дата"], line=line),
        amount=_amount(fields["Сумма"], line=line),
        purpose=purpose.strip(),
        payer_inn=fields.get("ПлательщикИНН", "").strip(),
        payer_account=fields.get("ПлательщикСчет", fields.get("ПлательщикРасчСчет", "")).strip(),
        payer_name=(fields.get("Плательщик1") or fields.get("Плательщик", "")).strip(),
        recipient_inn=fields.get("ПолучательИНН", "").strip(),
        recipient_account=fields.get(
            "ПолучательСчет", fields.get("ПолучательРасчСчет", "")
        ).strip(),
        received_on=_date(received, line=line) if received else None,
        kind=kind,
        line=line,
    )
    return payment


def parse_1c(data: bytes) -> BankStatement:
    text, encoding = _decode_1c(data)
    lines = text.splitlines()
    if not lines or lines[0].strip().lstrip("\ufeff") != HEADER_1C:
        raise StatementError(_("The file does not start with 1CClientBankExchange."))
    header: dict[str, str] = {}
    accounts: list[str] = []
    payments: list[StatementPayment] = []
    current: dict[str, str] | None = None
    purpose_lines: list[str] = []
    kind = ""
    started = 0
    ended = False
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line:
            continue
        if ended:
            break
        key, sep, value = line.partition("=")
        key = key.strip()
        if current is not None:
            if key == "КонецДокумента":
                payments.append(_document(current, purpose_lines, kind, started))
                current = None
            elif key == "СекцияДокумент" or key == "КонецФайла":
                raise StatementError(
                    _("The document starting on line %(line)d has no КонецДокумента.")
                    % {"line": started}
                )
            elif sep:
                current[key] = value
            elif key:
                purpose_lines.append(key)
            continue
        if key == "СекцияДокумент":
            current, purpose_lines, kind, started = {}, [], value.strip(), number
        elif key == "КонецФайла":
            ended = True
        elif key == "РасчСчет" and sep:
            accounts.append(value.strip())
        elif sep:
            header.setdefault(key, value)
    if current is not None:
        raise StatementError(
            _("The document starting on line %(line)d has no КонецДокумента.") % {"line": started}
        )
    if not ended:
        raise StatementError(
            _("The file ends without КонецФайла: it may have been cut short. Download it again.")
        )
    date_from = header.get("ДатаНачала", "").strip()
    date_to = header.get("ДатаКонца", "").strip()
    payments = [_with_ref(FORMAT_1C, p) for p in payments]
    return BankStatement(
        format=FORMAT_1C,
        encoding=encoding,
        accounts=tuple(dict.fromkeys(a for a in accounts if a)),
        date_from=_date(date_from, line=1) if date_from else None,
        date_to=_date(date_to, line=1) if date_to else None,
        payments=tuple(payments),
    )


def _with_ref(fmt: str, payment: StatementPayment) -> StatementPayment:
    from dataclasses import replace

    return replace(payment, source_ref=_ref(fmt, payment))


# -- CSV ------------------------------------------------------------------------------------

#: Accepted column names (lower case) → the payment's field.
CSV_COLUMNS = {
    "дата": "date",
    "date": "date",
    "номер": "number",
    "номер документа": "number",
    "number": "number",
    "сумма": "amount",
    "amount": "amount",
    "инн плательщика": "payer_inn",
    "payer_inn": "payer_inn",
    "счет плательщика": "payer_account",
    "счёт плательщика": "payer_account",
    "payer_account": "payer_account",
    "плательщик": "payer_name",
    "payer": "payer_name",
    "инн получателя": "recipient_inn",
    "recipient_inn": "recipient_inn",
    "счет получателя": "recipient_account",
    "счёт получателя": "recipient_account",
    "recipient_account": "recipient_account",
    "назначение платежа": "purpose",
    "назначение": "purpose",
    "purpose": "purpose",
}
CSV_REQUIRED = ("date", "number", "amount", "purpose")


def _decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8"
    for encoding in ("utf-8", "cp1251"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise StatementError(_("The file's encoding is not recognised: save the CSV as UTF-8."))


def parse_csv(data: bytes) -> BankStatement:
    text, encoding = _decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        head = next(reader)
    except StopIteration:
        raise StatementError(_("The file is empty.")) from None
    columns = [CSV_COLUMNS.get(name.strip().lower().lstrip("\ufeff")) for name in head]
    missing = [name for name in CSV_REQUIRED if name not in columns]
    if missing:
        raise StatementError(
            _(
                "The CSV file has no column for: %(columns)s. The first row must name the "
                "columns: Дата, Номер, Сумма, Назначение платежа (and ИНН получателя, Счет "
                "получателя, ИНН плательщика where known)."
            )
            % {"columns": ", ".join(missing)}
        )
    payments = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {name: row[i].strip() for i, name in enumerate(columns) if name and i < len(row)}
        for name in ("date", "number", "amount"):
            if not values.get(name):
                raise StatementError(
                    _("Line %(line)d has no %(column)s.") % {"line": number, "column": name}
                )
        payment = StatementPayment(
            number=values["number"],
            date=_date(values["date"], line=number),
            amount=_amount(values["amount"], line=number),
            purpose=values.get("purpose", ""),
            payer_inn=values.get("payer_inn", ""),
            payer_account=values.get("payer_account", ""),
            payer_name=values.get("payer_name", ""),
            recipient_inn=values.get("recipient_inn", ""),
            recipient_account=values.get("recipient_account", ""),
            line=number,
        )
        payments.append(_with_ref(FORMAT_CSV, payment))
    return BankStatement(format=FORMAT_CSV, encoding=encoding, payments=tuple(payments))


# -- either -----------------------------------------------------------------------------------


def parse(data: bytes, filename: str = "") -> BankStatement:
    """Read ``data`` as a 1С exchange file or a CSV; refuse anything else (``StatementError``)."""
    if not data or not data.strip():
        raise StatementError(_("The file is empty."))
    stripped = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(HEADER_1C.encode()):
        return parse_1c(data)
    if filename.lower().endswith(".csv") or b";" in stripped.split(b"\n", 1)[0]:
        return parse_csv(data)
    raise StatementError(
        _(
            "The file is not a bank statement the portal can read: upload the 1C «Клиент-банк» "
            "exchange file (it starts with 1CClientBankExchange) or a CSV."
        )
    )
