"""The platform's счёт (invoice for bank transfer, with its own ST00012 payment QR code) and акт
(certificate of services rendered, once paid), as PDFs rendered in-process by WeasyPrint.

The QR payload follows ГОСТ Р 56042-2014 (ST00012) through the receipt's own encoder
(``tenants.ledger.receipts.qr``: pure functions, no models); a platform's invoice is not a
housing payment, so it carries no ``TechCode`` and no personal account, only the invoice's
number in the purpose. The platform's bank details come from the settings
``TSZH_PLATFORM_LEGAL`` (docs/billing.md).
"""

from __future__ import annotations

import base64
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from tenants.ledger.receipts import qr

DEFAULT_LEGAL = {
    "name": "ООО «Портал ТСЖ» (демонстрационные реквизиты)",
    "inn": "7700000000",
    "kpp": "770001001",
    "account": "40702810900000000001",
    "bank_name": "АО «Демо-Банк»",
    "bic": "044525000",
    "correspondent_account": "30101810400000000225",
    "address": "г. Москва",
}


def platform_legal() -> dict:
    return {**DEFAULT_LEGAL, **(getattr(settings, "TSZH_PLATFORM_LEGAL", None) or {})}


def purpose_of(invoice) -> str:
    return (
        f"Оплата по счёту {invoice.number} от {invoice.issued_at:%d.%m.%Y} за тариф "
        f"«{translation.gettext(invoice.plan.name)}» портала ТСЖ, без НДС"
    )


def payload_for(invoice) -> str:
    """The ST00012 text of the invoice's QR code."""
    legal = platform_legal()
    for key, length in (("account", 20), ("bic", 9)):
        if not (legal[key].isdigit() and len(legal[key]) == length):
            raise qr.PayloadError(f"{key} must be {length} digits")
    fields = [
        ("Name", qr.clean_text(legal["name"], 160)),
        ("PersonalAcc", legal["account"]),
        ("BankName", qr.clean_text(legal["bank_name"], 45)),
        ("BIC", legal["bic"]),
        ("CorrespAcc", legal["correspondent_account"] or "0"),
        ("PayeeINN", legal["inn"]),
        ("KPP", legal["kpp"]),
        ("Sum", str(qr.kopecks(invoice.amount))),
        ("Purpose", qr.clean_text(purpose_of(invoice), 210)),
    ]
    if invoice.association.inn:
        fields.append(("PayerINN", invoice.association.inn))
    fields.append(("DocNo", qr.clean_text(invoice.number, 15)))
    return qr.SEPARATOR.join([qr.HEADER + "2"] + [f"{k}={v}" for k, v in fields if v])


def _render(template: str, invoice, **extra) -> bytes:
    from weasyprint import HTML

    with translation.override("ru"):
        html = render_to_string(
            template,
            {
                "invoice": invoice,
                "association": invoice.association,
                "legal": platform_legal(),
                "purpose": purpose_of(invoice),
                "amount_words": amount_in_words(invoice.amount),
                **extra,
            },
        )
    return HTML(string=html, base_url=None).write_pdf()


def invoice_pdf(invoice) -> bytes:
    image = qr.png(payload_for(invoice))
    src = "data:image/png;base64," + base64.b64encode(image).decode("ascii")
    return _render("plans/pdf/invoice.html", invoice, qr_src=src)


def act_pdf(invoice) -> bytes:
    return _render("plans/pdf/act.html", invoice)


_UNITS = ["", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_UNITS_F = ["", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_TEENS = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
]
_TENS = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
]
_HUNDREDS = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
]


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def _triple(n: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    if 10 <= rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_UNITS_F if feminine else _UNITS)[rest % 10])
    return [w for w in words if w]


def amount_in_words(amount: Decimal) -> str:
    """«Одна тысяча четыреста девяносто рублей 00 копеек», as a счёт writes the sum."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    roubles = int(amount)
    kopecks = int((amount - roubles) * 100)
    words: list[str] = []
    millions, rest = divmod(roubles, 1_000_000)
    thousands, units = divmod(rest, 1000)
    if millions:
        name = _plural(millions, ("миллион", "миллиона", "миллионов"))
        words += _triple(millions, False) + [name]
    if thousands:
        words += _triple(thousands, True) + [_plural(thousands, ("тысяча", "тысячи", "тысяч"))]
    words += _triple(units, False) if units or not words else []
    text = " ".join(words) or "ноль"
    text = f"{text} {_plural(roubles, ('рубль', 'рубля', 'рублей'))} {kopecks:02d} " + _plural(
        kopecks, ("копейка", "копейки", "копеек")
    )
    return text[0].upper() + text[1:]
