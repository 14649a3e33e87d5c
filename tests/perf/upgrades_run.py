"""Run inside a Django process (see bench_upgrades): deploys over many schemas; one JSON line.

Against a database of its own (the other benchmarks never see its thousand schemas):

1. the template at head; provisioning (the signup's replay path, no spares) timed with 10
   associations present;
2. filled to 100 associations: a no-op ``migrate_tenants`` (a subprocess, as a deploy runs it)
   and, for comparison, django-tenants' ``migrate_schemas --tenant``;
3. filled to 1,000: provisioning timed again, a no-op ``migrate_tenants``;
4. the catalog cost of one empty association schema (relations by kind, bytes on disk) and its
   duplicate indexes;
5. "the next release adds one table" (``tests.perf.settings_upgrade``): ``migrate_tenants`` over
   the 1,000 schemas, the template rebuilt in the same job.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402

from associations import schemas  # noqa: E402
from associations.models import Association  # noqa: E402
from associations.services import create_association, ensure_public_tenant  # noqa: E402
from deploy.services import ROOT  # noqa: E402

FEW, HUNDRED, MANY = 10, 100, int(os.environ.get("TSZH_BENCH_UPGRADE_SCHEMAS", "1000"))
ROUNDS = 10
FILL_WORKERS = os.cpu_count() or 2
JOBS = os.environ.get("TSZH_MIGRATE_JOBS", str(os.cpu_count() or 2))
_numbers = itertools.count()


def note(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def present() -> int:
    return Association.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).count()


def provision() -> float:
    slug = f"u{os.getpid()}n{next(_numbers)}"
    started = time.perf_counter()
    create_association(name="ТСЖ «Обновление»", slug=slug)
    return time.perf_counter() - started


def _fill(count: int) -> None:
    for alias in connections:
        connections[alias].connection = None  # a forked worker opens its own
    for _ in range(count):
        provision()
        connection.set_schema_to_public()
    connection.close()


def fill_to(count: int) -> float:
    """Associations (no users) until ``count`` exist, by the signup's replay path, in one
    process per core (each schema's DDL is PostgreSQL's work, hundreds of relations)."""
    started = time.perf_counter()
    missing = count - present()
    if missing > 0:
        workers = max(1, min(FILL_WORKERS, missing))
        shares = [missing // workers + (i < missing % workers) for i in range(workers)]
        connections.close_all()
        context = multiprocessing.get_context("fork")
        processes = [context.Process(target=_fill, args=(share,)) for share in shares]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
            if process.exitcode != 0:
                raise SystemExit("a fill worker failed")
    return time.perf_counter() - started


def provisioning_median() -> float:
    times = [provision() for _ in range(ROUNDS)]
    return statistics.median(times)


def manage(*args: str, settings_module: str | None = None) -> tuple[float, str]:
    env = dict(os.environ)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    connection.close()  # nothing of ours holds a lock or a snapshot meanwhile
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def tenant_step_seconds(output: str) -> float:
    """The step's own time, as ``migrate_tenants`` reports it (Django's start left out)."""
    found = re.findall(r"in ([0-9.]+) s$", output, re.MULTILINE)
    return float(found[-1]) if found else float("nan")


def noop(count: int) -> dict[str, float]:
    wall, output = manage("migrate_tenants", "--skip-checks", "--skip-template", "-v", "1")
    if f"{count} schema(s): {count} at head, 0 to migrate" not in output:
        raise SystemExit(f"expected {count} schemas at head:\n{output[-2000:]}")
    step = tenant_step_seconds(output)
    note(f"no-op migrate_tenants over {count}: {wall:.2f} s wall, tenant step {step:.3f} s")
    return {"wall": wall, "step": step, "per_schema": step / count}


def catalog_cost(schema_name: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH own AS (
                SELECT c.oid, c.relkind, c.reltoastrelid FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s
            ), toast AS (
                SELECT t.oid, 't' AS relkind FROM own JOIN pg_class t ON t.oid = own.reltoastrelid
                UNION ALL
                SELECT i.indexrelid, 'T' FROM own JOIN pg_index i ON i.indrelid = own.reltoastrelid
            ), every AS (
                SELECT oid, relkind::text FROM own UNION ALL SELECT oid, relkind FROM toast
            )
            SELECT relkind, count(*), sum(pg_relation_size(oid, 'main')
                   + pg_relation_size(oid, 'fsm') + pg_relation_size(oid, 'vm')
                   + pg_relation_size(oid, 'init'))
            FROM every GROUP BY relkind
            """,
            [schema_name],
        )
        kinds = {kind: (count, int(size)) for kind, count, size in cursor.fetchall()}
        # Indexes with the same table, columns, operator classes, predicate and expressions as
        # another one: pure cost (writes, catalog, disk) with no plan that needs both.
        cursor.execute(
            """
            SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
            FROM pg_index a JOIN pg_index b ON a.indrelid = b.indrelid
             AND a.indexrelid > b.indexrelid AND a.indkey::text = b.indkey::text
             AND a.indclass::text = b.indclass::text
             AND coalesce(a.indpred::text, '') = coalesce(b.indpred::text, '')
             AND coalesce(a.indexprs::text, '') = coalesce(b.indexprs::text, '')
            JOIN pg_class c ON c.oid = a.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s
            """,
            [schema_name],
        )
        duplicates = cursor.fetchall()
    names = {"r": "tables", "i": "indexes", "S": "sequences", "t": "toast", "T": "toast_indexes"}
    result = {names.get(kind, kind): count for kind, (count, _) in kinds.items()}
    result["relations"] = sum(count for count, _ in kinds.values())
    result["bytes"] = sum(size for _, size in kinds.values())
    result["duplicate_indexes"] = len(duplicates)
    for kept, duplicate in duplicates:
        note(f"duplicate index: {kept} = {duplicate}")
    return result


def main() -> None:
    ensure_public_tenant()
    started = time.perf_counter()
    schemas.ready_snapshot()
    note(f"template at head in {time.perf_counter() - started:.1f} s")
    results: dict = {}
    fill_to(FEW)
    provision()  # warm up
    results["provisioning_few"] = provisioning_median()
    results["few_present"] = present()
    note(f"provisioning median with {results['few_present']}: {results['provisioning_few']:.3f}")
    wall, _ = manage("migrate_schemas", "--tenant", "-v", "0", "--skip-checks")
    results["migrate_schemas_few"] = wall / results["few_present"]
    note(f"django-tenants' migrate_schemas --tenant over {results['few_present']}: {wall:.1f} s")
    fill_to(HUNDRED)
    results["noop_100"] = noop(present())
    results["fill_seconds"] = fill_to(MANY - ROUNDS)
    note(f"filled to {present()} in {results['fill_seconds']:.0f} s")
    results["provisioning_many"] = provisioning_median()
    results["many_present"] = present()
    note(f"provisioning median with {present()}: {results['provisioning_many']:.3f}")
    results["noop_many"] = noop(results["many_present"])
    empty = Association.objects.order_by("-created_at").values_list("schema_name", flat=True)[0]
    results["catalog"] = catalog_cost(empty)
    note(f"catalog of an empty association schema: {results['catalog']}")
    wall, output = manage(
        "migrate_tenants",
        "--skip-checks",
        "--jobs",
        JOBS,
        "-v",
        "1",
        settings_module="tests.perf.settings_upgrade",
    )
    count = results["many_present"]
    done = f"{count} migrated, 0 failed" in output
    if not done or "template tszh_template rebuilt" not in output:
        raise SystemExit(f"the one-table migration did not complete:\n{output[-3000:]}")
    results["one_table"] = {"wall": wall, "step": tenant_step_seconds(output)}
    note(f"one-table migration over {count}: {wall:.1f} s wall (template rebuilt included)")
    note(output.strip().splitlines()[-1])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
