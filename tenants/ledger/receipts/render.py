"""The PDF of one receipt (WeasyPrint), in Russian whatever the reader's language: the receipt
is the document Правила 354 п. 69 prescribes. One QR code per recipient (ГОСТ Р 56042-2014).

One template lays out one receipt or several, each from a new page: WeasyPrint lays a whole
document out in memory, so the association's batch renders a handful of receipts per document
(:data:`tenants.ledger.receipts.batch.PER_DOCUMENT`) and merges the documents
(:mod:`tenants.ledger.receipts.batch`), never all of them as one document.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from tenants.ledger.receipts import qr
from tenants.ledger.receipts.data import ReceiptData

TEMPLATE = "ledger/receipts/receipt.html"
MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


def money(value: Decimal | None) -> str:
    """1234.5 -> "1 234,50" (a non-breaking space between thousands, a decimal comma)."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def figure(value: Decimal | None) -> str:
    """A volume, tariff or reading without trailing zeros: 12.5000 -> "12,5"."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def period_label(data: ReceiptData) -> str:
    return f"{MONTHS[data.period.month - 1]} {data.period.year}"


#: One module of the code on paper: 0.5 mm reads well from a phone and from a 200 dpi scan.
MODULE_MM = Decimal("0.5")
#: The gap between a section's text and its code.
QR_GAP_MM = Decimal("4")


def _qr_image(payload: str) -> dict:
    """The code as a data: URL, its printed side in millimetres (modules × 0.5 mm) and the
    room the section's text leaves for it."""
    image = qr.png(payload)
    side = int.from_bytes(image[16:20], "big")  # the PNG's IHDR width: one pixel per module
    return {
        "src": "data:image/png;base64," + base64.b64encode(image).decode("ascii"),
        "mm": f"{side * MODULE_MM:.1f}",
        "aside": f"{side * MODULE_MM + QR_GAP_MM:.1f}",
    }


def context(data: ReceiptData) -> dict:
    sections = []
    for section in data.sections:
        sections.append(
            {
                "section": section,
                "lines": [
                    {
                        "line": line,
                        "volume": figure(line.volume),
                        "tariff": figure(line.tariff),
                        "accrued": money(line.accrued),
                        "recalculation": money(line.recalculation) if line.recalculation else "",
                        "benefit": money(line.benefit) if line.benefit else "",
                        "total": money(line.total),
                    }
                    for line in section.lines
                ],
                "debt": money(section.debt),
                "prepayment": money(section.prepayment),
                "paid": money(section.paid),
                "penalties": money(section.penalties),
                "charged": money(section.charged),
                "due": money(section.due),
                "qr": _qr_image(data.payload(section)),
            }
        )
    meters = [
        {
            "meter": meter,
            "previous": figure(meter.previous),
            "current": figure(meter.current),
            "consumption": figure(meter.consumption),
        }
        for meter in data.meters
    ]
    return {
        "receipt": data,
        "period": period_label(data),
        "area": figure(data.area),
        "sections": sections,
        "meters": meters,
        "total_due": money(data.total_due),
        "total_charged": money(data.total_charged),
    }


def document_html(receipts: Sequence[ReceiptData]) -> str:
    """One HTML document of ``receipts``, each from a new page."""
    if not receipts:
        raise ValueError("no receipts to lay out")
    with translation.override("ru"):
        first = receipts[0]
        if len(receipts) == 1:
            title = f"{gettext('Receipt')} {first.account_number} {period_label(first)}"
        else:
            title = f"{gettext('Receipts')} {period_label(first)}"
        return render_to_string(
            TEMPLATE, {"title": title, "receipts": [context(data) for data in receipts]}
        )


def render_html(data: ReceiptData) -> str:
    return document_html([data])


def document_pdf(receipts: Sequence[ReceiptData]) -> bytes:
    """``receipts`` as one PDF, each from a new page (one page each for a usual list of
    services)."""
    from weasyprint import HTML

    return HTML(string=document_html(receipts), base_url=None).write_pdf()


def render_pdf(data: ReceiptData) -> bytes:
    """One receipt as a PDF (A4, one page for a usual list of services)."""
    return document_pdf([data])
