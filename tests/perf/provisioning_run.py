"""Run inside a Django process (see bench_provisioning): time provisionings, print one JSON line.

Every measured provisioning is a whole signup's: the association's row, its schema, domain and
key, the chairman's account (encrypted email and name, blind index) and the hand-over token, in
one transaction. Three paths:

* ``spare``: the background job has left one spare schema (it runs between two signups here,
  untimed, as it does after each signup in production); the signup renames it;
* ``replay``: no spare left; the template's captured DDL is replayed in one round trip;
* ``migrate``: django-tenants' way, every migration run for the new schema.

Each path is timed over ``ROUNDS`` signups with 10 associations present, then the clone paths
again with 500 (made cheaply by the fast path itself, without users).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import statistics
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402

from associations import schemas  # noqa: E402
from associations.models import Association  # noqa: E402
from associations.services import (  # noqa: E402
    AssociationSpec,
    ChairmanSpec,
    create_association,
    provision_association,
)
from signup.services import issue_handover  # noqa: E402

ROUNDS = int(os.environ.get("TSZH_BENCH_PROVISIONING_ROUNDS", "20"))
#: The migrations path replays every app's migrations (15-20 s a signup with today's apps on
#: this machine): five rounds give its median for the migrate/clone ratio within the budget.
MIGRATE_ROUNDS = int(os.environ.get("TSZH_BENCH_PROVISIONING_MIGRATE_ROUNDS", "5"))
FEW, MANY = 10, 500
PASSWORD_HASH = make_password("bench-password-2026")
_numbers = itertools.count()


def note(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def next_slug(prefix: str) -> str:
    return f"{prefix}{os.getpid()}n{next(_numbers)}"


def signup(method: str) -> tuple[float, str]:
    slug = next_slug("p")
    spec = AssociationSpec(name=f"ТСЖ «Замер {slug}»", slug=slug, time_zone="Asia/Omsk")
    chairman = ChairmanSpec(
        email=f"chair@{slug}.example", full_name="Мария Замерова", password_hash=PASSWORD_HASH
    )
    started = time.perf_counter()
    result = provision_association(spec, chairman=chairman, handover=issue_handover, method=method)
    return time.perf_counter() - started, result.path


def series(path: str) -> list[float]:
    method = "migrate" if path == "migrate" else "clone"
    times = []
    for _ in range(MIGRATE_ROUNDS if path == "migrate" else ROUNDS):
        if path == "spare":
            schemas.maintain_pool(1)  # the background job between two signups (not timed)
        seconds, taken = signup(method)
        if taken != path:
            raise SystemExit(f"expected the {path} path, the signup took {taken}")
        times.append(seconds)
    return times


def present() -> int:
    return Association.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).count()


def fill_to(count: int) -> float:
    """Associations (no users) until ``count`` exist, by the replay path; returns seconds."""
    started = time.perf_counter()
    while present() < count:
        create_association(name="ТСЖ «Наполнение»", slug=next_slug("f"))
    return time.perf_counter() - started


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[math.ceil(0.95 * len(ordered)) - 1],
        "max": ordered[-1],
    }


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    schemas.ready_snapshot()  # the template at head (seed_demo made it with the demo)
    schemas.maintain_pool(0)
    fill_to(FEW)
    for path in ("spare", "replay", "migrate"):  # warm up code paths and connections
        if path == "spare":
            schemas.maintain_pool(1)
        signup("migrate" if path == "migrate" else "clone")
    few_present = present()
    results = {"few_present": few_present}
    for path in ("spare", "replay", "migrate"):
        results[f"{path}_few"] = summary(series(path))
        note(f"{path} with {few_present} associations: {results[f'{path}_few']}")
    results["fill_seconds"] = fill_to(MANY)
    results["many_present"] = present()
    note(f"filled to {results['many_present']} associations in {results['fill_seconds']:.1f} s")
    for path in ("spare", "replay"):
        results[f"{path}_many"] = summary(series(path))
        note(f"{path} with {results['many_present']} associations: {results[f'{path}_many']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
