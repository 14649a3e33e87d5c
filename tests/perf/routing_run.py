"""Run inside a Django process (see bench_routing): what routing a request to its association
costs, with SIZE associations (and their Domain rows) present, for each SIZE given.

``python tests/perf/routing_run.py SIZE...`` tops the associations up to SIZE with bare rows (an
``Association`` and its ``Domain``, no schema: routing reads only these two tables), inside one
transaction rolled back at the end, and times host lookups of random associations:

* ``database``: django-tenants' own lookup (the ``Domain`` row joined to its association), what
  every request paid before ``associations.routing``;
* ``redis``: ``routing.lookup`` with this process's memory emptied first (a web process's first
  request for a host within ``LOCAL_TTL``);
* ``memory``: ``routing.lookup`` warm (every other request).

Prints one JSON line per size: median and p95 microseconds of each.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from associations import routing  # noqa: E402
from associations.models import Association, AssociationStatus, Domain  # noqa: E402

LOOKUPS = 2000
BASE = "routing-bench.localhost"


class Rollback(Exception):
    pass


def top_up(size: int) -> list[str]:
    present = Association.objects.count()
    rows = [
        Association(
            name=f"Routing {n}",
            kind="tszh",
            slug=f"rb{n}",
            schema_name=f"rb{n}",
            status=AssociationStatus.ACTIVE,
        )
        for n in range(present, size)
    ]
    made = Association.objects.bulk_create(rows)
    Domain.objects.bulk_create(
        [Domain(domain=f"{a.slug}.{BASE}", tenant=a, is_primary=True) for a in made]
    )
    return list(Domain.objects.filter(domain__endswith=BASE).values_list("domain", flat=True))


def timed(hosts: list[str], lookup) -> dict:
    times = []
    for _ in range(LOOKUPS):
        host = random.choice(hosts)
        started = time.perf_counter()
        found = lookup(host)
        times.append((time.perf_counter() - started) * 1e6)
        if found is None:
            raise RuntimeError(f"{host} routed nowhere")
    times.sort()
    return {
        "median_us": round(statistics.median(times), 1),
        "p95_us": round(times[int(len(times) * 0.95)], 1),
    }


def database(host):
    connection.set_schema_to_public()
    return Domain.objects.select_related("tenant").get(domain=host).tenant


def redis_layer(host):
    routing.forget_local()
    return routing.lookup(host)


def main(sizes: list[int]) -> None:
    connection.set_schema_to_public()
    all_hosts: list[str] = []
    try:
        with transaction.atomic():
            for size in sorted(sizes):
                hosts = top_up(size)
                all_hosts = hosts
                routing.forget(*hosts)
                for host in hosts:  # every host in Redis, as a running site would have them
                    routing.lookup(host)
                result = {
                    "size": Association.objects.count(),
                    "database": timed(hosts, database),
                    "redis": timed(hosts, redis_layer),
                }
                for host in hosts:
                    routing.lookup(host)
                result["memory"] = timed(hosts, routing.lookup)
                print(json.dumps(result), flush=True)
            raise Rollback
    except Rollback:
        pass
    finally:
        routing.forget(*all_hosts)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]])
