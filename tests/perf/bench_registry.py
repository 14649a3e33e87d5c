"""The owner's pages must not grow with the number of accounts: queries for 1 and for 20.

``registry_queries`` runs this module in a Django process against the benchmark database (the
demo association seeded by ``seed_demo``): two new owner logins are linked to existing owner
records of the demo registry, one to 1 premises (1 account), one to 20 (20 accounts), and the
queries of "My home" and of the dashboard are counted for each, middleware included, with
Django's test client on ``demo.localhost``, keys cold (no key rows or data keys cached).
Everything is rolled back afterwards, and no provider key is created (the demo's holdings
already have theirs).

Prints ``bench: my_home_queries_1_account = N queries`` and the same for 20 accounts (target:
equal), their ratio, and the dashboard's two counts.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.perf.environment import BenchError
from tests.perf.registry import Figure, benchmark

PAGES = {"my_home": "/home/", "dashboard": "/"}
MANY = 20


@benchmark("registry_queries", order=20)
def registry_queries(env):
    env.ensure_database()
    result = subprocess.run(
        [sys.executable, "-m", "tests.perf.bench_registry"],
        env=env.subprocess_env(),
        cwd=str(_root()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise BenchError(f"registry query count failed:\n{result.stderr[-3000:]}")
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    for page in PAGES:
        one, many = counts[page]["1"], counts[page][str(MANY)]
        yield Figure(f"{page}_queries_1_account", one, "queries", digits=0)
        yield Figure(f"{page}_queries_{MANY}_accounts", many, "queries", "<=", one, digits=0)
        yield Figure(f"{page}_queries_{MANY}_vs_1_ratio", many / one, "ratio", "<=", 1.0)


def _root():
    from deploy.services import ROOT

    return ROOT


# -- inside the Django process -------------------------------------------------------------------


def _measure() -> dict:
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from core.access.roles import Role
    from core.crypto import keyring, registry
    from tenants.residents.models import Owner, Ownership
    from tenants.residents.selectors import current

    def count(client, path: str, homes: int | None) -> int:
        client.get(path)  # warm: session, templates
        # Cold keys, as in a fresh process: no key rows and no data keys cached.
        keyring.forget_cached_rows()
        registry.get_key_cache().clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        shown = response.content.decode().count('class="card home"')
        if homes is not None and shown != homes:
            raise RuntimeError(f"{path} showed {shown} homes, not {homes}")
        return len(queries)

    results: dict = {page: {} for page in PAGES}
    with schema_context("demo"), transaction.atomic():
        # Owner records of the demo registry not linked to a login yet, one per premises.
        free = (
            Ownership.objects.filter(current(), owner__user__isnull=True, owner__kind="person")
            .order_by("premises_id", "id")
            .values_list("premises_id", "owner_id")
        )
        owners_by_premises: dict = {}
        for premises_id, owner_id in free:
            owners_by_premises.setdefault(premises_id, owner_id)
        owner_ids = list(owners_by_premises.values())
        if len(owner_ids) < 1 + MANY:
            raise RuntimeError("the demo registry has too few owners for the benchmark")
        User = get_user_model()
        for size, chosen in ((1, owner_ids[:1]), (MANY, owner_ids[1 : 1 + MANY])):
            user = User.objects.create_user(
                f"bench-owner-{size}@demo.tszh.local", None, roles=[Role.OWNER]
            )
            Owner.objects.filter(pk__in=chosen).update(user=user)
            client = Client(HTTP_HOST="demo.localhost")
            client.force_login(user)
            results["my_home"][str(size)] = count(client, PAGES["my_home"], size)
            results["dashboard"][str(size)] = count(client, PAGES["dashboard"], None)
        transaction.set_rollback(True)
    return results


if __name__ == "__main__":
    print(json.dumps(_measure()))
