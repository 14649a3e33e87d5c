"""An application as a PDF (WeasyPrint, as the receipts are rendered): the association's
details at the top (name, ИНН/ОГРН/КПП, address, contacts), the addressee, the journal number
and date, the kind, the applicant's account and premises, the filled fields, and the board's
answer when there is one. In Russian whatever the reader's language: it is a document.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from tenants.letters.models import Application, FieldKind
from tenants.profile import selectors as profile

TEMPLATE = "letters/application_pdf.html"


def _value(item: dict) -> str:
    value = item.get("value")
    if item.get("kind") == FieldKind.CHECKBOX:
        return gettext("yes") if value else gettext("no")
    if item.get("kind") == FieldKind.DATE and value:
        year, month, day = str(value).split("-")
        return f"{day}.{month}.{year}"
    return str(value or "")


def items(application: Application) -> list[dict]:
    """The filled fields as label and printable value: dates as 31.12.2026, ticks as yes or no
    in the reader's language."""
    return [
        {"label": item.get("label", ""), "value": _value(item), "kind": item.get("kind")}
        for item in (application.content or [])
    ]


def context(application: Application) -> dict:
    details = profile.legal()
    row = profile.profile()
    return {
        "application": application,
        "association": details,
        "profile": row,
        "board_lines": row.board or [],
        "items": items(application),
        "premises": application.account.premises,
        "preamble": application.template.preamble if application.template_id else "",
    }


def render_html(application: Application) -> str:
    with translation.override("ru"):
        return render_to_string(TEMPLATE, context(application))


def render_pdf(application: Application) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(application), base_url=None).write_pdf()
