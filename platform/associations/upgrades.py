"""Migrating every association's schema in time linear in their number (``migrate_tenants``).

django-tenants' ``migrate_schemas --tenant`` runs Django's whole ``migrate`` command in each
schema, even one with nothing to apply, and Django's ``MigrationRecorder.has_table()`` lists
tables with a query that reads every row of ``pg_class`` (through django-tenants'
introspection), several times per schema: with 1,500 schemas each one paid for the whole
catalog, and the step grew with the square of their number (docs/upgrades.md has the figures).
Here:

1. ``fast_has_table`` (installed by ``AssociationsConfig.ready`` for every migrate command,
   ``migrate_schemas`` included) asks ``to_regclass('<schema>.django_migrations')``: one index
   lookup, whatever the size of the catalog.
2. ``behind_schemas`` compares the migration graph with every schema's ``django_migrations``
   in one statement per batch of schemas (a ``UNION ALL`` of anti-joins): a schema that records
   every migration of the graph is at head and is not touched at all.
3. The schemas behind are migrated by django-tenants' per-schema runner, in ``jobs`` worker
   processes, each schema reported as it finishes. A failure stops nothing but that schema
   (each migration runs in its own transaction); after ``max_failures`` no new schema starts.

Resuming needs no bookkeeping of its own: every schema's ``django_migrations`` *is* its state,
so running the command again skips what is at head and migrates the rest.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, connections, migrations, transaction
from django.db.migrations.recorder import MigrationRecorder

from associations import schemas

#: Schemas compared with the graph per statement (a UNION ALL of this many sub-queries).
BATCH = 400
#: No django_migrations table at all: every migration is missing.
NO_TABLE = -1


# --- has_table without reading the whole catalog -------------------------------------------------

_stock_has_table = MigrationRecorder.has_table


def fast_has_table(self: MigrationRecorder) -> bool:
    """``django_migrations`` exists in the connection's schema: ``to_regclass`` of the qualified
    name (an index lookup), instead of listing every table visible on the search path."""
    if self._has_table:
        return True
    schema_name = getattr(self.connection, "schema_name", None)
    if self.connection.vendor != "postgresql" or not schema_name:
        return _stock_has_table(self)
    with self.connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL",
            [schema_name, self.Migration._meta.db_table],
        )
        self._has_table = bool(cursor.fetchone()[0])
    return self._has_table


def install_fast_has_table() -> None:
    MigrationRecorder.has_table = fast_has_table


# --- Which schemas are behind ---------------------------------------------------------------------


def association_schemas() -> list[str]:
    """Every association's schema (the public one excepted), in a stable order."""
    from associations.models import Association

    return list(
        Association.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def _graph() -> tuple[list[str], list[str]]:
    nodes = sorted(name.split(".", 1) for name in schemas.graph_migrations())
    return [app for app, _ in nodes], [name for _, name in nodes]


def behind_schemas(schema_names: Iterable[str], *, batch: int = BATCH) -> dict[str, int]:
    """The schemas among ``schema_names`` that miss migrations of this code's graph, with how
    many they miss (``NO_TABLE`` when they have no ``django_migrations``). At-head schemas are
    left out. A schema that records migrations the code does not know (a newer release's) is at
    head for this code: migrations are expand/contract-safe.

    One catalog query, then one statement per ``batch`` schemas, whatever the graph's size.
    """
    return {
        name: NO_TABLE if missing is None else len(missing)
        for name, missing in missing_migrations(schema_names, batch=batch).items()
    }


def missing_migrations(
    schema_names: Iterable[str], *, batch: int = BATCH
) -> dict[str, frozenset[str] | None]:
    """``behind_schemas`` with the names (``app.name``) each schema misses (None: no table)."""
    names = list(dict.fromkeys(schema_names))
    apps_, migration_names = _graph()
    result: dict[str, frozenset[str] | None] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = 'django_migrations' AND c.relkind IN ('r', 'p') "
            "AND n.nspname = ANY(%s)",
            [names],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        present = [name for name in names if name in with_table]
        found: dict[str, set[str]] = {}
        for start in range(0, len(present), batch):
            chunk = present[start : start + batch]
            # Each name was checked by schemas.quote (our own identifiers only).
            parts = " UNION ALL ".join(
                f"SELECT %s, g.app, g.name FROM graph g WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
                f"{schemas.quote(name)}.django_migrations m "
                "WHERE m.app = g.app AND m.name = g.name)"
                for name in chunk
            )
            sql = (
                "WITH graph(app, name) AS MATERIALIZED "  # noqa: S608
                f"(SELECT * FROM unnest(%s::text[], %s::text[])) {parts}"
            )
            cursor.execute(sql, [apps_, migration_names, *chunk])
            for name, app, migration in cursor.fetchall():
                found.setdefault(name, set()).add(f"{app}.{migration}")
    for name in names:
        if name not in with_table:
            result[name] = None
        elif name in found:
            result[name] = frozenset(found[name])
    return result


# --- Migrating one schema ---------------------------------------------------------------------


@functools.cache
def _migrate_options() -> dict:
    """The options Django's migrate command would parse from no arguments, made quiet."""
    from django.core.management.commands.migrate import Command as MigrateCommand

    parser = MigrateCommand().create_parser("manage.py", "migrate")
    options = vars(parser.parse_args([]))
    options.update(
        verbosity=0,
        interactive=False,
        database="default",
        skip_checks=True,
        no_color=True,
        force_color=False,
    )
    return options


def apply_migrations(schema_name: str) -> None:
    """Run Django's migrate in ``schema_name`` (django-tenants' per-schema runner: the schema's
    own ``django_migrations`` first, then the router skips the shared apps' operations)."""
    from django_tenants.migration_executors.base import run_migrations

    run_migrations([], dict(_migrate_options()), "tenants", schema_name, allow_atomic=False)


# --- Replaying one plan's SQL in many schemas -----------------------------------------------------

#: Operations whose SQL depends only on the migration state, never on what the live schema's
#: catalog says (no introspection while Django writes it), so the SQL collected in one schema
#: is the SQL for every schema that misses the same migrations. Anything else (RunPython above
#: all, and AlterField / RemoveField, which look constraint names up) takes Django's own path
#: schema by schema.
REPLAYABLE = (
    migrations.CreateModel,
    migrations.AddField,
    migrations.AddIndex,
    migrations.RemoveIndex,
    migrations.AddConstraint,
    migrations.RemoveConstraint,
    migrations.RunSQL,
    migrations.AlterModelOptions,
    migrations.AlterModelManagers,
)


def _replayable(operation) -> bool:
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        # The state side is Django's own bookkeeping; only the database side runs SQL.
        return all(_replayable(inner) for inner in operation.database_operations)
    return isinstance(operation, REPLAYABLE)


@dataclass(frozen=True)
class Replay:
    """A plan's SQL, collected once: (app, name, statements, atomic) per migration, in order."""

    steps: tuple[tuple[str, str, tuple[str, ...], bool], ...]
    apps: tuple[str, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(f"{app}.{name}" for app, name, _, _ in self.steps)


def prepare_replay(sample_schema: str, missing: frozenset[str]) -> Replay | None:
    """The SQL that brings ``sample_schema`` (and any schema missing exactly ``missing``) to
    head, collected without running it; None when the plan has an operation outside
    ``REPLAYABLE`` or is not exactly ``missing``."""
    from django.db.migrations.executor import MigrationExecutor

    connection.set_schema(sample_schema)
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if any(backwards for _, backwards in plan):
            return None
        if {f"{m.app_label}.{m.name}" for m, _ in plan} != missing:
            return None
        if any(
            migration.replaces or not _replayable(operation)
            for migration, _ in plan
            for operation in migration.operations
        ):
            return None
        state = executor._create_project_state(with_applied_migrations=True)
        steps = []
        for migration, _ in plan:
            with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
                state = migration.apply(state, editor, collect_sql=True)
            steps.append(
                (
                    migration.app_label,
                    migration.name,
                    tuple(editor.collected_sql),
                    migration.atomic,
                )
            )
        return Replay(tuple(steps), tuple(sorted({m.app_label for m, _ in plan})))
    finally:
        connection.set_schema_to_public()


def apply_replay(schema_name: str, replay: Replay) -> None:
    """Run a collected plan in ``schema_name``: each migration's statements and its record in
    one transaction (as Django's executor does), then post_migrate for the apps it touched
    (content types and permissions of new models)."""
    from django.apps import apps as global_apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_migrate

    connection.set_schema(schema_name)
    ContentType.objects.clear_cache()  # its cache is per database, not per schema
    for app, name, statements, atomic in replay.steps:
        outer = transaction.atomic() if atomic else contextlib.nullcontext()
        with outer, connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM django_migrations WHERE app = %s AND name = %s", [app, name]
            )
            if cursor.fetchone():
                continue  # applied meanwhile (another run)
            for statement in statements:
                cursor.execute(statement)
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())",
                [app, name],
            )
    for label in replay.apps:
        app_config = global_apps.get_app_config(label)
        post_migrate.send(
            sender=app_config,
            app_config=app_config,
            verbosity=0,
            interactive=False,
            using=connection.alias,
            apps=global_apps,
            plan=None,
        )
    ContentType.objects.clear_cache()


#: Replays by group number, set before the workers fork (they inherit it, nothing is pickled).
_replays: dict[int, Replay] = {}


@dataclass(frozen=True)
class Outcome:
    schema_name: str
    ok: bool
    seconds: float
    applied: int = 0
    error: str = ""
    replayed: bool = False


def _apply(schema_name: str, replay: Replay | None) -> None:
    if replay is not None:
        apply_replay(schema_name, replay)
    else:
        apply_migrations(schema_name)


def migrate_schema(schema_name: str, group: int | None = None) -> Outcome:
    """Migrate one schema (by its group's replay when it has one); a failure is reported,
    never raised (the others go on)."""
    started = time.perf_counter()
    replay = _replays.get(group) if group is not None else None
    before = behind_schemas([schema_name]).get(schema_name, 0)
    try:
        _apply(schema_name, replay)
    except Exception as error:  # noqa: BLE001 - reported per schema; the run goes on
        _reset_connection()
        text = str(error).strip()
        first_line = text.splitlines()[0][:300] if text else ""
        return Outcome(
            schema_name,
            ok=False,
            seconds=time.perf_counter() - started,
            error=f"{type(error).__name__}: {first_line}",
            replayed=replay is not None,
        )
    finally:
        connection.set_schema_to_public()
    after = behind_schemas([schema_name]).get(schema_name, 0)
    applied = (len(schemas.graph_migrations()) if before == NO_TABLE else before) - max(after, 0)
    return Outcome(
        schema_name,
        ok=not after,
        seconds=time.perf_counter() - started,
        applied=applied,
        error=f"still {after} migration(s) behind after migrate" if after else "",
        replayed=replay is not None,
    )


def _reset_connection() -> None:
    """After a failure mid-migration: leave no broken transaction behind for the next schema."""
    try:
        if connection.in_atomic_block:
            return
        connection.rollback()
    except Exception:  # noqa: BLE001
        connection.close()


def _close_connections() -> None:
    for alias in connections:
        connections[alias].close()


def _worker_start() -> None:
    # A forked worker must not reuse the parent's socket: open its own on first use.
    for alias in connections:
        conn = connections[alias]
        conn.connection = None
        conn.closed_in_transaction = False


# --- The run ----------------------------------------------------------------------------------


@dataclass
class Report:
    total: int = 0
    at_head: int = 0
    behind: int = 0
    migrated: list[str] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    check_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_started


def run(
    schema_names: list[str] | None = None,
    *,
    jobs: int = 1,
    max_failures: int = 10,
    replay: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> Report:
    """Migrate the schemas behind (all associations' by default) and report.

    Schemas missing the same migrations form a group; when the group's plan is ``REPLAYABLE``
    (and ``replay`` is on) its SQL is collected once and run in each schema, otherwise each
    schema runs Django's migrate. ``jobs`` > 1 migrates in that many forked worker processes.
    After ``max_failures`` failed schemas no new one starts (a broken migration fails
    everywhere; the rest wait for a fix and a new run).
    """
    schemas.graph_migrations()  # loaded from disk once, before the clock starts
    started = time.perf_counter()
    connection.set_schema_to_public()
    names = association_schemas() if schema_names is None else list(schema_names)
    missing = missing_migrations(names)
    report = Report(total=len(names), behind=len(missing), at_head=len(names) - len(missing))
    report.check_seconds = time.perf_counter() - started
    progress(
        f"{report.total} schema(s): {report.at_head} at head, {report.behind} to migrate "
        f"(checked in {report.check_seconds:.2f} s)"
    )
    todo = [name for name in names if name in missing]
    groups: dict[frozenset[str], int] = {}
    assigned: dict[str, int | None] = {}
    _replays.clear()
    for name in todo:
        names_missing = missing[name]
        if not replay or names_missing is None:
            assigned[name] = None
            continue
        if names_missing not in groups:
            group = groups[names_missing] = len(groups)
            prepared = prepare_replay(name, names_missing)
            if prepared is not None:
                _replays[group] = prepared
            progress(
                f"plan {group}: {len(names_missing)} migration(s), "
                + ("replayed as collected SQL" if prepared else "Django's migrate per schema")
            )
        assigned[name] = groups[names_missing]
    if todo:
        work = [(name, assigned[name]) for name in todo]
        for done, outcome in enumerate(_outcomes(work, jobs, report, max_failures), 1):
            elapsed = time.perf_counter() - started
            left = (elapsed / done) * (len(todo) - done)
            if outcome.ok:
                report.migrated.append(outcome.schema_name)
                status = f"ok, {outcome.applied} applied"
            else:
                report.failed.append(outcome)
                status = f"FAILED ({outcome.error})"
            progress(
                f"[{done}/{len(todo)}] {outcome.schema_name}: {status} in {outcome.seconds:.2f} s"
                f" (about {left:.0f} s left)"
            )
    report.seconds = time.perf_counter() - started
    return report


def _outcomes(work: list[tuple[str, int | None]], jobs: int, report: Report, max_failures: int):
    if jobs <= 1 or len(work) == 1:
        for index, (name, group) in enumerate(work):
            if len(report.failed) >= max_failures:
                report.not_started.extend(name for name, _ in work[index:])
                return
            yield migrate_schema(name, group)
        return
    _close_connections()  # the workers are forked: no shared socket
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=jobs, initializer=_worker_start) as pool:
        pending = list(work)
        running: dict[str, multiprocessing.pool.AsyncResult] = {}
        while pending or running:
            # Two in flight per worker: a worker never waits for this loop to hand it the next.
            while pending and len(running) < 2 * jobs and len(report.failed) < max_failures:
                name, group = pending.pop(0)
                running[name] = pool.apply_async(migrate_schema, (name, group))
            if len(report.failed) >= max_failures and pending:
                report.not_started.extend(name for name, _ in pending)
                pending = []
            finished = [name for name, result in running.items() if result.ready()]
            if not finished:
                time.sleep(0.005)
                continue
            for name in finished:
                yield running.pop(name).get()
