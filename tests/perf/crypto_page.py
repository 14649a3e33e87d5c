"""Run inside a Django process (see bench_crypto): time a list page of 50 holders' accounts.

Prints one JSON line: median milliseconds per page for the encrypted page warm and cold, the same
rows read as plaintext columns (no decryption), and the provider calls each made.
"""

from __future__ import annotations

import datetime
import json
import statistics
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.template import Context, Template  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from core.crypto import registry  # noqa: E402
from tenants.residents.models import Holding  # noqa: E402
from tenants.residents.services import open_account  # noqa: E402

ROWS = 50
ROUNDS = 30
PAGE = Template(
    "<table>{% for r in rows %}<tr><td>{{ r.number }}</td><td>{{ r.name }}</td>"
    "<td>{{ r.phones }}</td></tr>{% endfor %}</table>"
)


def seed() -> None:
    for n in range(ROWS):
        open_account(
            number=f"B-{n:04d}",
            holder={"full_name": f"Собственник Номер {n}", "phones": [f"+7 900 000-{n:04d}"]},
            started_on=datetime.date(2024, 1, 1),
        )


def encrypted_page() -> str:
    holdings = Holding.objects.select_related("account").order_by("account__number")[:ROWS]
    rows = [{"number": h.account.number, "name": h.full_name, "phones": h.phones} for h in holdings]
    return PAGE.render(Context({"rows": rows}))


def plaintext_page() -> str:
    # The same rows and columns, read as they are stored, with no decryption.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.number, h.full_name, h.phones FROM residents_holding h "
            "JOIN residents_personalaccount a ON a.id = h.account_id ORDER BY a.number LIMIT %s",
            [ROWS],
        )
        rows = [{"number": n, "name": f, "phones": p} for n, f, p in cursor.fetchall()]
    return PAGE.render(Context({"rows": rows}))


def timed(page, before=None) -> tuple[float, int]:
    cache = registry.get_key_cache()
    times, calls = [], []
    for _ in range(ROUNDS):
        if before:
            before()
        cache.reset_stats()
        start = time.perf_counter()
        page()
        times.append((time.perf_counter() - start) * 1000)
        calls.append(cache.stats.provider_calls)
    return statistics.median(times), max(calls)


def main() -> None:
    with schema_context("demo"):
        seed()
        cache = registry.get_key_cache()
        encrypted_page()  # warm the cache and the database
        plain_ms, _ = timed(plaintext_page)
        warm_ms, warm_calls = timed(encrypted_page)
        cold_ms, cold_calls = timed(encrypted_page, before=cache.clear)
    print(
        json.dumps(
            {
                "plain_ms": plain_ms,
                "warm_ms": warm_ms,
                "cold_ms": cold_ms,
                "warm_calls": warm_calls,
                "cold_calls": cold_calls,
            }
        )
    )


if __name__ == "__main__":
    main()
