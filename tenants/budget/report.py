"""The report on the estimate's execution (отчёт об исполнении сметы; ЖК РФ ст. 143.1 ч. 3,
ст. 145 ч. 2 п. 8.2: the annual meeting approves it) as a PDF and an Excel workbook, and for an
СНТ the financial-economic justification of contributions (217-ФЗ ст. 14 ч. 8) from the same
estimate. Documents to file: rendered in Russian whatever the reader's language.

A fixed number of queries whatever the number of lines and months (the execution's three,
the versions and decision, the profile).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from tenants.budget import arithmetic, selectors
from tenants.budget.models import Article, Basis, Decision, Estimate

BASIS_RU = {
    Basis.AREA: "за 1 м² площади помещения в месяц",
    Basis.PREMISES: "с помещения (участка) в месяц",
    Basis.SOTKA: "за 1 сотку площади участка в месяц",
    Basis.MEMBER: "с члена товарищества в месяц",
}
ARTICLE_RU = {
    Article.MAINTENANCE: "Содержание общего имущества",
    Article.CURRENT_REPAIR: "Текущий ремонт",
    Article.SALARIES: "Оплата труда и налоги",
    Article.UTILITIES: "Коммунальные ресурсы на общее имущество",
    Article.MANAGEMENT: "Управление",
    Article.RESERVE: "Резервный фонд",
    Article.CAPITAL_REPAIR: "Капитальный ремонт",
}
QUARTERS_RU = ("I квартал", "II квартал", "III квартал", "IV квартал")


@dataclass
class Report:
    estimate: Estimate
    execution: selectors.Execution
    rates: list
    decision: Decision | None
    association_name: str
    association_inn: str


def build(estimate: Estimate) -> Report:
    from tenants.profile import selectors as profile

    legal = profile.legal()
    return Report(
        estimate=estimate,
        execution=selectors.execution(estimate),
        rates=selectors.rates_of(estimate),
        decision=estimate.decisions.filter(adopted=True).order_by("-decided_on").first(),
        association_name=legal.name,
        association_inn=legal.inn,
    )


def money(value) -> str:
    """12345.6 → "12 345,60" (the Russian way)."""
    text = f"{arithmetic.ZERO + value:,.2f}"
    return text.replace(",", " ").replace(".", ",")


def number(value) -> str:
    """A Decimal as Russian documents write it (a decimal comma), "—" for none."""
    return "—" if value is None else str(value).replace(".", ",")


def _rate_rows(rates) -> list:
    return [
        {
            "what": ("Взнос на капитальный ремонт " if r.capital else "Взнос ") + BASIS_RU[r.basis],
            "yearly": money(r.yearly),
            "base": number(r.base),
            "rate": number(r.rate),
            "last": number(r.last),
            "change": f"{number(r.change_percent)} %" if r.change_percent is not None else "—",
        }
        for r in rates
    ]


def _context(built: Report) -> dict:
    ex = built.execution
    return {
        "r": built,
        "lines": [
            {
                "article": ARTICLE_RU.get(row.line.article, row.line.article),
                "name": row.line.name,
                "planned": money(row.line.planned),
                "fact": money(row.fact),
                "remaining": money(row.remaining),
                "percent": f"{number(row.percent)} %" if row.percent is not None else "—",
                "over": row.over,
                "quarters": [money(q) for q in row.quarters],
            }
            for row in ex.lines
        ],
        "quarters": [
            (QUARTERS_RU[i], money(q.planned), money(q.fact), q.over)
            for i, q in enumerate(ex.quarters)
        ],
        "planned": money(ex.planned),
        "fact": money(ex.fact),
        "charged": money(ex.charged),
        "collected": money(ex.collected),
        "rates": _rate_rows(built.rates),
        "over_count": len(ex.over_lines),
    }


def render_pdf(built: Report) -> bytes:
    from weasyprint import HTML

    with translation.override("ru"):
        html = render_to_string("budget/report.html", _context(built))
    return HTML(string=html, base_url=None).write_pdf()


def workbook(built: Report) -> bytes:
    """The same report as an .xlsx: lines with plan, fact and quarters, then months, income."""
    from openpyxl import Workbook

    ex = built.execution
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Исполнение сметы")
    sheet.append([f"Отчёт об исполнении сметы за {built.estimate.year} год"])
    sheet.append([built.association_name])
    sheet.append([])
    sheet.append(
        ["Статья", "Строка", "План, руб.", "Факт, руб.", "Остаток, руб.", "Исполнено, %",
         *QUARTERS_RU, "Перерасход"]
    )  # fmt: skip
    for row in ex.lines:
        sheet.append(
            [
                ARTICLE_RU.get(row.line.article, row.line.article),
                row.line.name,
                float(row.line.planned),
                float(row.fact),
                float(row.remaining),
                float(row.percent) if row.percent is not None else None,
                *[float(q) for q in row.quarters],
                "да" if row.over else "",
            ]
        )
    sheet.append(["Итого", "", float(ex.planned), float(ex.fact), float(ex.planned - ex.fact)])
    months = book.create_sheet(title="По месяцам")
    months.append(["Месяц", "План, руб.", "Факт, руб.", "Начислено, руб.", "Собрано, руб."])
    income = {t.period.month: t for t in ex.income}
    for index, period in enumerate(ex.months):
        t = income.get(index + 1)
        months.append(
            [
                period.label,
                float(period.planned),
                float(period.fact),
                float(t.charged) if t else 0.0,
                float(t.paid) if t else 0.0,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def justification_pdf(estimate: Estimate) -> bytes:
    """The financial-economic justification of the contributions (217-ФЗ ст. 14 ч. 8): each
    article's amount and the rate it makes, from the estimate's lines and bases."""
    from weasyprint import HTML

    from tenants.profile import selectors as profile

    lines = list(estimate.lines.all())
    groups = selectors.grouped(lines)
    with translation.override("ru"):
        html = render_to_string(
            "budget/justification.html",
            {
                "estimate": estimate,
                "name": profile.legal().name,
                "groups": [
                    {
                        "article": ARTICLE_RU.get(g.article, g.article),
                        "planned": money(g.planned),
                        "lines": [
                            (ln.name, money(ln.planned), BASIS_RU[ln.basis], ln.comment)
                            for ln in g.lines
                        ],
                    }
                    for g in groups
                ],
                "total": money(sum((ln.planned for ln in lines), arithmetic.ZERO)),
                "rates": _rate_rows(selectors.rates_of(estimate, lines)),
            },
        )
    return HTML(string=html, base_url=None).write_pdf()
