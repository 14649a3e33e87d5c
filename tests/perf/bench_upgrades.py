"""Deploys at a thousand associations: the tenant migration step and what a schema costs.

``upgrades_run.py`` does the work in a Django process, in a database of its own on the same
server (dropped at the end, so the other benchmarks never see its schemas), with a key store in
the run's work directory. Figures:

* ``migrate_noop_1000``: ``migrate_tenants`` with nothing to migrate over 1,000 associations,
  wall time of the command as a deploy runs it (Django's start included), target < 60 s;
* ``migrate_noop_per_schema_100`` / ``_1000`` and their ratio (< 1.2): the tenant step's own
  seconds per schema (as the command reports it), which must not grow with the count;
* ``migrate_schemas_noop_per_schema``: django-tenants' ``migrate_schemas --tenant`` with
  nothing to do, per schema (timed over the first 20 or so), for comparison;
* ``schema_relations`` / ``schema_bytes`` / ``schema_duplicate_indexes``: one empty
  association schema's catalog cost;
* ``migrate_one_table_1000``: the next release adds one table: ``migrate_tenants`` over the
  1,000 schemas, the template rebuilt in the same job;
* ``provisioning_median_10`` / ``_1000`` and their ratio: a new association (replay path, no
  spares) with 10 and with 1,000 present.

The database lives in a tablespace on ``/dev/shm`` (tmpfs) where the machine has one: a
thousand schemas are about 580,000 relations and a million files, and creating and above all
dropping them on disk took 25 minutes of the 34 the first version of this benchmark ran; in
memory the files cost nothing to unlink (about 4 GB of RAM while it runs). It adds its own budget
to the run's alarm, as the provisioning benchmark does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from deploy.services import ROOT
from tests.perf.bench_provisioning import own_budget
from tests.perf.environment import BenchError, bench_database_url
from tests.perf.registry import Figure, benchmark

OWN_BUDGET_SECONDS = 1500


@benchmark("upgrades", order=55)
def upgrades(env):
    import psycopg

    name = f"{env.database_name}_upgrades"
    url = bench_database_url(env.server_database_url, name)

    def admin(statement: str) -> None:
        with psycopg.connect(env.server_database_url, autocommit=True) as connection:
            connection.execute(statement)

    tablespace = f"{name}_shm"
    in_memory = memory_directory(env, tablespace)

    with own_budget(OWN_BUDGET_SECONDS):
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(f'DROP TABLESPACE IF EXISTS "{tablespace}"')
        if in_memory:
            admin(f"CREATE TABLESPACE \"{tablespace}\" LOCATION '{in_memory}'")
            admin(f'CREATE DATABASE "{name}" TABLESPACE "{tablespace}"')
        else:
            admin(f'CREATE DATABASE "{name}"')
        try:
            run_env = env.subprocess_env() | {
                "DATABASE_URL": url,
                "TSZH_KEY_DIR": str(env.work_dir / "upgrades-keys"),
                "TSZH_MASTER_KEY_FILE": str(env.work_dir / "upgrades-master-key"),
                "TSZH_SPARE_SCHEMAS": "0",
            }
            started = time.monotonic()
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "migrate_schemas", "--shared", "-v", "0"],
                env=run_env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                timeout=300,
            )
            result = subprocess.run(
                [sys.executable, str(ROOT / "tests" / "perf" / "upgrades_run.py")],
                env=run_env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=OWN_BUDGET_SECONDS - 180,
            )
            sys.stderr.write(result.stderr)
            if result.returncode != 0:
                raise BenchError(f"upgrades benchmark failed:\n{result.stderr[-3000:]}")
            data = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"# upgrades benchmark: {time.monotonic() - started:.0f} s", file=sys.stderr)
        finally:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if in_memory:
                admin(f'DROP TABLESPACE IF EXISTS "{tablespace}"')
                shutil.rmtree(in_memory, ignore_errors=True)
    print(
        f"# upgrades benchmark database {'in /dev/shm' if in_memory else 'on disk'}",
        file=sys.stderr,
    )

    many = data["many_present"]
    yield Figure(f"migrate_noop_{many}", data["noop_many"]["wall"], "s", "<=", 60)
    yield Figure("migrate_noop_step_100", data["noop_100"]["step"], "s", digits=3)
    yield Figure(f"migrate_noop_step_{many}", data["noop_many"]["step"], "s", digits=3)
    yield Figure(
        "migrate_noop_per_schema_100", data["noop_100"]["per_schema"] * 1000, "ms", digits=3
    )
    yield Figure(
        f"migrate_noop_per_schema_{many}", data["noop_many"]["per_schema"] * 1000, "ms", digits=3
    )
    yield Figure(
        f"migrate_noop_per_schema_{many}_vs_100",
        data["noop_many"]["per_schema"] / data["noop_100"]["per_schema"],
        "ratio",
        "<=",
        1.2,
    )
    yield Figure(
        "migrate_schemas_noop_per_schema", data["migrate_schemas_few"] * 1000, "ms", digits=0
    )
    catalog = data["catalog"]
    yield Figure("schema_relations", catalog["relations"], "relations", digits=0)
    for kind in ("tables", "indexes", "sequences", "toast"):
        yield Figure(f"schema_{kind}", catalog.get(kind, 0), kind, digits=0)
    yield Figure("schema_bytes", catalog["bytes"] / 1e6, "MB", digits=2)
    yield Figure("schema_duplicate_indexes", catalog["duplicate_indexes"], "indexes", "<=", 0, 0)
    yield Figure(f"migrate_one_table_{many}", data["one_table"]["wall"], "s", digits=1)
    yield Figure(f"migrate_one_table_step_{many}", data["one_table"]["step"], "s", digits=1)
    yield Figure("provisioning_median_10", data["provisioning_few"], "s", digits=3)
    yield Figure(f"provisioning_median_{many}", data["provisioning_many"], "s", digits=3)
    yield Figure(
        f"provisioning_median_{many}_vs_10",
        data["provisioning_many"] / data["provisioning_few"],
        "ratio",
        "<=",
        1.3,
    )


def memory_directory(env, tablespace: str) -> str | None:
    """An empty directory on tmpfs owned by the server's user, or None where there is none.

    PostgreSQL wants a tablespace's directory empty and its own; the embedded server runs as
    its own user when we are root, so the directory takes the data directory's owner.
    """
    import psycopg

    shm = "/dev/shm"
    if not (os.path.isdir(shm) and os.access(shm, os.W_OK)):
        return None
    with psycopg.connect(env.server_database_url, autocommit=True) as connection:
        data_directory = connection.execute("SHOW data_directory").fetchone()[0]
    path = os.path.join(shm, tablespace)
    shutil.rmtree(path, ignore_errors=True)
    os.mkdir(path, 0o700)
    owner = os.stat(data_directory)
    if os.geteuid() == 0:
        os.chown(path, owner.st_uid, owner.st_gid)
    return path
