"""Run inside a Django process (see ``bench_budget``): the execution report of an estimate of
``lines`` lines with an expenditure in each of 12 months, built and rendered as PDF and Excel.

In the demo association's schema, inside a transaction rolled back at the end (the demo keeps
its own estimates). Two sizes (10 lines × 1 month and 100 × 12): the time of each, and the
queries of each (constant: the same count). Prints one JSON line.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from tenants.budget import report, services  # noqa: E402
from tenants.budget.models import Article, DecisionForm, Expenditure  # noqa: E402

YEAR = 2090
ARTICLES = [a for a in Article.values if a != Article.CAPITAL_REPAIR]


class Rollback(Exception):
    pass


def _estimate(year: int, lines: int, months: int):
    estimate = services.create_estimate(actor=None, year=year)
    made = [
        services.add_line(
            estimate,
            actor=None,
            article=ARTICLES[n % len(ARTICLES)],
            name=f"Строка {n + 1}",
            planned=Decimal("120000.00") + n,
            order=n,
        )
        for n in range(lines)
    ]
    services.publish(estimate, actor=None)
    services.put_to_meeting(estimate, actor=None)
    services.record_decision(
        estimate,
        actor=None,
        adopted=True,
        decided_on=datetime.date.today(),
        form=DecisionForm.MIXED,
        protocol_number="B-1",
    )
    Expenditure.objects.bulk_create(
        Expenditure(
            line=line,
            supplier="ООО «Поставщик»",
            document=f"Акт {m}",
            spent_on=datetime.date(year, m, 15),
            amount=Decimal("10100.00") + m,
        )
        for line in made
        for m in range(1, months + 1)
    )
    estimate.refresh_from_db()
    return estimate


def _measure(estimate) -> dict:
    report.render_pdf(report.build(estimate))  # warm: fonts, templates
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        built = report.build(estimate)
        build_s = time.perf_counter() - start
    start = time.perf_counter()
    pdf = report.render_pdf(built)
    pdf_s = time.perf_counter() - start
    start = time.perf_counter()
    xlsx = report.workbook(built)
    xlsx_s = time.perf_counter() - start
    return {
        "queries": len(queries),
        "build_s": build_s,
        "pdf_s": pdf_s,
        "xlsx_s": xlsx_s,
        "total_s": build_s + pdf_s + xlsx_s,
        "pdf_bytes": len(pdf),
        "xlsx_bytes": len(xlsx),
        "lines": len(built.execution.lines),
        "fact": str(built.execution.fact),
    }


def main() -> None:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    result = {}
    with schema_context("demo"):
        try:
            with transaction.atomic():
                result["small"] = _measure(_estimate(YEAR, 10, 1))
                result["large"] = _measure(_estimate(YEAR + 1, 100, 12))
                raise Rollback
        except Rollback:
            pass
    print(json.dumps(result))


if __name__ == "__main__":
    main()
