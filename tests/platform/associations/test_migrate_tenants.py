"""``migrate_tenants``: schemas at head untouched, schemas behind migrated (by a replay of the
plan's collected SQL, or Django's migrate), a failure reported and resumed by running again,
progress printed, and ``has_table`` answered for the connection's own schema.

The schemas here are made from the template's capture (as provisioning does) under names of
their own, migrated back for real by Django where a test needs one behind, committed, and
dropped at the end.
"""

from __future__ import annotations

import io
import secrets

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from associations import schemas, upgrades

#: A leaf migration (nothing depends on it) that only creates tables, and where Django's
#: migrate goes to unapply it. When the app gets a later migration, pick another such leaf.
APP, LEAF, BEFORE = "staff", "0001_initial", "zero"


@pytest.fixture
def make_schemas(committed):
    made: list[str] = []

    def make(count: int) -> list[str]:
        snapshot = schemas.ready_snapshot()
        names = [f"mt_{secrets.token_hex(5)}" for _ in range(count)]
        for name in names:
            schemas.replay(snapshot, name)
            made.append(name)
        return names

    yield make
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schemas.quote(name)} CASCADE")


def migrate_back(schema_name: str) -> None:
    """Unapply the leaf migration for real (Django's migrate backwards)."""
    call_command(
        "migrate_schemas",
        APP,
        BEFORE,
        tenant=True,
        schema_name=schema_name,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()


def drop_leaf(schema_name: str) -> None:
    """The cheap way back (for the tests that need many schemas behind): the leaf migration
    only creates tables, so dropping them and its record is what unapplying it does (the
    catalog test checks that with Django's own way back)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    migration = MigrationLoader(None).get_migration(APP, LEAF)
    tables = [
        apps.get_model(APP, operation.name)._meta.db_table for operation in migration.operations
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DROP TABLE {schemas.quote(schema_name)}."{table}" CASCADE')
        cursor.execute(
            f"DELETE FROM {schemas.quote(schema_name)}.django_migrations "  # noqa: S608
            "WHERE app = %s AND name = %s",
            [APP, LEAF],
        )


def catalog(schema_name: str) -> dict[str, list]:
    """What a schema is made of, with its own name taken out: relations, columns, constraints,
    indexes."""
    queries = {
        "relations": "SELECT c.relname, c.relkind FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
        "columns": "SELECT table_name, column_name, data_type, is_nullable, "
        "coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = %s",
        "constraints": "SELECT c.conrelid::regclass::text, c.conname, "
        "pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s",
        "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    }
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("SET search_path = public")  # regclass names come schema-qualified
        for key, sql in queries.items():
            cursor.execute(sql, [schema_name])
            found[key] = sorted(
                tuple(str(value).replace(f"{schema_name}.", "S.") for value in row)
                for row in cursor.fetchall()
            )
    connection.set_schema_to_public()
    return found


@pytest.mark.usefixtures("committed")
def test_at_head_schemas_are_found_at_head_and_a_missing_table_counts_as_everything(
    make_schemas,
):
    head, bare = make_schemas(1)[0], f"mt_{secrets.token_hex(5)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schemas.quote(bare)}")
    try:
        assert upgrades.behind_schemas([head, bare]) == {bare: upgrades.NO_TABLE}
        # One migration record gone: that schema is one behind, by name.
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {schemas.quote(head)}.django_migrations "  # noqa: S608
                "WHERE app = %s AND name = %s",
                [APP, LEAF],
            )
        assert upgrades.missing_migrations([head]) == {head: frozenset({f"{APP}.{LEAF}"})}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {schemas.quote(bare)} CASCADE")


@pytest.mark.usefixtures("committed")
def test_has_table_looks_in_the_connections_schema_only(make_schemas):
    head, bare = make_schemas(1)[0], f"mt_{secrets.token_hex(5)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schemas.quote(bare)}")
    try:
        assert MigrationRecorder.has_table is upgrades.fast_has_table
        connection.set_schema(bare)  # public, on the search path, has a django_migrations
        assert MigrationRecorder(connection).has_table() is False
        connection.set_schema(head)
        assert MigrationRecorder(connection).has_table() is True
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {schemas.quote(bare)} CASCADE")


@pytest.mark.usefixtures("committed")
def test_behind_schemas_are_migrated_by_replay_to_the_same_catalog_and_at_head_ones_skipped(
    make_schemas,
):
    first, second, untouched = make_schemas(3)
    reference = catalog(untouched)
    migrate_back(first)
    drop_leaf(second)
    assert catalog(second) == catalog(first)
    assert set(upgrades.behind_schemas([first, second, untouched])) == {first, second}
    assert catalog(first) != reference  # the leaf's tables are really gone
    stdout = io.StringIO()

    call_command(
        "migrate_tenants",
        schema_names=[first, second, untouched],
        jobs=1,
        skip_template=True,
        stdout=stdout,
    )

    output = stdout.getvalue()
    assert "3 schema(s): 1 at head, 2 to migrate" in output
    assert "replayed as collected SQL" in output
    assert f"[1/2] {first}: ok, 1 applied" in output
    assert f"[2/2] {second}: ok, 1 applied" in output
    assert untouched not in output
    assert upgrades.behind_schemas([first, second, untouched]) == {}
    # The replay built exactly what Django's migrate had built (the template's own way).
    assert catalog(first) == reference
    assert catalog(second) == reference
    # post_migrate ran for the replayed app: its content types exist again.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {schemas.quote(first)}.django_content_type "  # noqa: S608
            "WHERE app_label = %s",
            [APP],
        )
        in_first = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT count(*) FROM {schemas.quote(untouched)}.django_content_type "  # noqa: S608
            "WHERE app_label = %s",
            [APP],
        )
        assert in_first == cursor.fetchone()[0] > 0


@pytest.mark.usefixtures("committed")
def test_without_replay_django_migrates_each_schema(make_schemas):
    (behind,) = make_schemas(1)
    drop_leaf(behind)

    report = upgrades.run([behind], replay=False)

    assert report.migrated == [behind] and report.ok
    assert upgrades.behind_schemas([behind]) == {}


@pytest.mark.usefixtures("committed")
def test_a_failure_is_reported_the_others_go_on_and_a_second_run_resumes(make_schemas, monkeypatch):
    names = make_schemas(3)
    for name in names:
        drop_leaf(name)
    broken = names[1]
    real_apply = upgrades._apply

    def failing(schema_name, replay):
        if schema_name == broken:
            raise RuntimeError("injected failure")
        real_apply(schema_name, replay)

    monkeypatch.setattr(upgrades, "_apply", failing)
    lines: list[str] = []

    report = upgrades.run(names, jobs=1, progress=lines.append)

    assert not report.ok
    assert [outcome.schema_name for outcome in report.failed] == [broken]
    assert "RuntimeError: injected failure" in report.failed[0].error
    assert report.migrated == [names[0], names[2]]
    assert any(f"{broken}: FAILED (RuntimeError: injected failure)" in line for line in lines)
    assert set(upgrades.behind_schemas(names)) == {broken}
    with pytest.raises(Exception, match="run migrate_tenants again"):
        call_command("migrate_tenants", schema_names=names, jobs=1, skip_template=True, verbosity=0)

    monkeypatch.setattr(upgrades, "_apply", real_apply)
    resumed = upgrades.run(names, jobs=1)

    assert resumed.ok
    assert (resumed.at_head, resumed.migrated) == (2, [broken])
    assert upgrades.behind_schemas(names) == {}


@pytest.mark.usefixtures("committed")
def test_after_max_failures_no_new_schema_starts(make_schemas, monkeypatch):
    names = make_schemas(3)
    for name in names:
        drop_leaf(name)

    def failing(schema_name, replay):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(upgrades, "_apply", failing)

    report = upgrades.run(names, jobs=1, max_failures=2)

    assert [outcome.schema_name for outcome in report.failed] == names[:2]
    assert report.not_started == names[2:]


@pytest.mark.usefixtures("committed")
def test_parallel_workers_migrate_every_schema_behind(make_schemas):
    names = make_schemas(4)
    for name in names:
        drop_leaf(name)

    report = upgrades.run(names, jobs=2)

    assert report.ok and sorted(report.migrated) == sorted(names)
    assert upgrades.behind_schemas(names) == {}
