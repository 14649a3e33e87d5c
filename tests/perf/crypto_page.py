"""Run inside a Django process (see bench_crypto): time a list page of 50 holders' accounts.

Prints one JSON line: median milliseconds per page for the encrypted page warm and cold, the same
page through the same ORM query on plain text columns (the same table, no decryption), and the
provider calls each made.
"""

from __future__ import annotations

import datetime
import json
import statistics
import time

import django

django.setup()

from django.template import Context, Template  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from core.crypto import registry  # noqa: E402
from tenants.residents.models import Holding  # noqa: E402
from tenants.residents.services import open_account  # noqa: E402
from tests.perf import accounts_pages  # noqa: E402

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
    return PAGE.render(Context({"rows": accounts_pages.account_rows(Holding)}))


def plaintext_page() -> str:
    return PAGE.render(Context({"rows": accounts_pages.account_rows(accounts_pages.PlainHolding)}))


def timed(page, before=None) -> tuple[float, int, int]:
    cache = registry.get_key_cache()
    times, calls, waves = [], [], []
    for _ in range(ROUNDS):
        if before:
            before()
        cache.reset_stats()
        start = time.perf_counter()
        page()
        times.append((time.perf_counter() - start) * 1000)
        calls.append(cache.stats.provider_calls)
        waves.append(cache.stats.waves)
    return statistics.median(times), max(calls), max(waves)


def cold_start() -> None:
    """A process that has never seen these keys: empty key cache and key-row cache."""
    from core.crypto import keyring

    registry.get_key_cache().clear()
    keyring.forget_cached_rows()


def main() -> None:
    with schema_context("demo"):
        seed()
        encrypted_page()  # warm the cache and the database
        plain_ms, _calls, _waves = timed(plaintext_page)
        warm_ms, warm_calls, _waves = timed(encrypted_page)
        cold_ms, cold_calls, cold_waves = timed(encrypted_page, before=cold_start)
    print(
        json.dumps(
            {
                "plain_ms": plain_ms,
                "warm_ms": warm_ms,
                "cold_ms": cold_ms,
                "warm_calls": warm_calls,
                "cold_calls": cold_calls,
                "cold_waves": cold_waves,
            }
        )
    )


if __name__ == "__main__":
    main()
