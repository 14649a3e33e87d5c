"""Backup and restore of ONE association: its schema, its keys and its public rows.

``manage.py export_association <schema> --output DIR`` writes a directory:

* ``schema.sql``       ``pg_dump --schema=<schema>`` (structure and rows, plain SQL). Personal
                       fields are ciphertext; their data keys are stored only wrapped.
* ``keys.json``        the association's owner keys (``assoc-<schema>``, ``acct-<schema>-*``):
                       with the local key store, the key files as stored, **sealed by the master
                       key** (not included); with Vault, names and latest versions only: Transit
                       keys never leave Vault (their backup is Vault's own snapshot).
* ``association.json`` the public ``Association`` and ``Domain`` rows (for a lost public schema).
* ``manifest.json``    format, schema, migrations applied in the schema, key provider, time.

``manage.py restore_association DIR [--replace]`` puts it back under the **same schema name**
(ciphertext is bound to it): keys first, then the schema in one transaction, the live schema
(with ``--replace``) kept aside as ``<schema>_pre_restore_<UTC time>``, then the public rows if
they are missing, then the migrations the export lacks.

A restore never undoes an erasure (crypto-shredding, security.md): a key that the live
association or the public schema records as destroyed (``KeyDestruction``) is not brought back,
and those tombstones are copied into the restored schema. An association whose keys were
destroyed with it cannot be restored. Both commands need the provisioning credential (listing
and creating keys): run them in the key-jobs worker.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context

from associations import schemas
from associations.models import Association, Domain
from core.crypto.naming import (
    account_key_prefix,
    association_key_name,
    belongs_to_association,
    validate_key_name,
)
from core.crypto.registry import get_key_cache, get_provisioning_provider

logger = logging.getLogger(__name__)

FORMAT = "tszh-association-export/1"
FILES = ("manifest.json", "schema.sql", "keys.json", "association.json")


class BackupError(RuntimeError):
    """The export or restore cannot go on; the message says why (no personal data in it)."""


@dataclass
class RestoreReport:
    schema_name: str
    kept_aside: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    skipped_destroyed: list[str] = field(default_factory=list)
    public_rows_created: bool = False
    migrated: bool = False


# --- helpers ------------------------------------------------------------------------------------


def _client_tool(name: str) -> str:
    """``psql`` beside the ``pg_dump`` provisioning uses (same major version)."""
    tool = Path(schemas.pg_dump_path()).with_name(name)
    if not tool.exists():
        raise BackupError(f"{name} was not found next to {schemas.pg_dump_path()}")
    return str(tool)


def _libpq() -> tuple[list[str], dict[str, str]]:
    import psycopg.conninfo

    params = schemas.libpq_params()
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    return ["--dbname", psycopg.conninfo.make_conninfo(**params)], env


def _schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def _applied_migrations(schema_name: str) -> list[str]:
    quoted = schemas.quote(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app || '.' || name FROM {quoted}.django_migrations ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _tombstones(schema_name: str) -> list[tuple[str, bool]]:
    """(key name or prefix, is a prefix) recorded as destroyed, in public and in the schema."""
    found: list[tuple[str, bool]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT key_name, prefix FROM "public".crypto_keydestruction '
            "WHERE key_name = %s OR key_name LIKE %s",
            [association_key_name(schema_name), account_key_prefix(schema_name) + "%"],
        )
        found += cursor.fetchall()
        if _schema_exists(schema_name):
            quoted = schemas.quote(schema_name)
            cursor.execute(f"SELECT key_name, prefix FROM {quoted}.crypto_keydestruction")  # noqa: S608
            found += cursor.fetchall()
    return found


def _destroyed(name: str, tombstones: list[tuple[str, bool]]) -> bool:
    return any(
        name == key_name or (prefix and name.startswith(key_name))
        for key_name, prefix in tombstones
    )


# --- export -------------------------------------------------------------------------------------


def export_association(schema_name: str, output: Path) -> dict:
    """Write the export of ``schema_name`` into the new directory ``output``; return the
    manifest."""
    schemas.quote(schema_name)
    association = Association.objects.filter(schema_name=schema_name).first()
    if association is None or not _schema_exists(schema_name):
        raise BackupError(f"no association with the schema {schema_name}")
    output.mkdir(mode=0o700, parents=True, exist_ok=False)

    provider = get_provisioning_provider()
    names = [
        name
        for name in provider.list_keys(association_key_name(schema_name))
        if belongs_to_association(name, schema_name)
    ] + provider.list_keys(account_key_prefix(schema_name))
    keys: dict[str, dict] = {}
    for name in sorted(set(names)):
        entry: dict = {"latest_version": provider.latest_version(name)}
        if hasattr(provider, "export_sealed"):
            entry["sealed"] = provider.export_sealed(name)
        keys[name] = entry

    args, env = _libpq()
    dump = output / "schema.sql"
    with dump.open("wb") as handle:
        os.chmod(dump, 0o600)
        result = subprocess.run(
            [
                schemas.pg_dump_path(),
                f"--schema={schema_name}",
                "--no-owner",
                "--no-privileges",
                "--no-publications",
                "--no-subscriptions",
                "--no-security-labels",
                "--no-tablespaces",
                *args,
            ],
            stdout=handle,
            stderr=subprocess.PIPE,
            env=env,
            timeout=3600,
            check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace')[-500:]}")

    public_rows = serializers.serialize(
        "json", [association, *Domain.objects.filter(tenant=association)]
    )
    manifest = {
        "format": FORMAT,
        "schema_name": schema_name,
        "slug": association.slug,
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "migrations": _applied_migrations(schema_name),
        "key_provider": provider.kind,
        "keys": {name: entry["latest_version"] for name, entry in keys.items()},
    }
    for name, content in (
        ("keys.json", {"provider": provider.kind, "keys": keys}),
        ("association.json", json.loads(public_rows)),
        ("manifest.json", manifest),
    ):
        path = output / name
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1))
        os.chmod(path, 0o600)
    return manifest


# --- restore ------------------------------------------------------------------------------------


def _read(directory: Path) -> tuple[dict, dict, list]:
    for name in FILES:
        if not (directory / name).is_file():
            raise BackupError(f"{directory} is not an association export: {name} is missing")
    manifest = json.loads((directory / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("unknown export format")
    keys = json.loads((directory / "keys.json").read_text())
    public_rows = json.loads((directory / "association.json").read_text())
    return manifest, keys, public_rows


def restore_association(directory: Path, *, replace: bool = False) -> RestoreReport:
    manifest, keys, public_rows = _read(directory)
    schema_name = manifest["schema_name"]
    schemas.quote(schema_name)
    report = RestoreReport(schema_name=schema_name)

    unknown = set(manifest["migrations"]) - schemas.graph_migrations()
    if unknown:
        raise BackupError(
            "the export is newer than this code (migrations it does not know): "
            + ", ".join(sorted(unknown)[:5])
        )
    exists = _schema_exists(schema_name)
    if exists and not replace:
        raise BackupError(f"the schema {schema_name} exists: pass --replace to set it aside")
    tombstones = _tombstones(schema_name)
    if _destroyed(association_key_name(schema_name), tombstones):
        raise BackupError(
            "this association's key was destroyed (the association was deleted): its data "
            "cannot be read any more, and a restore must not bring the key back"
        )

    # 1. Keys. The live keys stay; destroyed ones are never brought back.
    provider = get_provisioning_provider()
    for name, entry in sorted(keys["keys"].items()):
        if not belongs_to_association(name, schema_name):
            raise BackupError(f"the export holds a key of another association: {name}")
        if _destroyed(name, tombstones):
            report.skipped_destroyed.append(name)
            continue
        if "sealed" in entry:
            if not hasattr(provider, "import_sealed"):
                raise BackupError("the export holds local key files; this platform uses Vault")
            report.keys[name] = provider.import_sealed(name, entry["sealed"])
        elif provider.key_exists(name):
            report.keys[name] = "present"
        else:
            raise BackupError(
                f"key {name} is not in the key provider and was not destroyed: restore it "
                "from the key provider's own backup first (docs/operations.md)"
            )

    # 2. The schema, in one transaction: the live one renamed aside, the dump replayed, the
    # live tombstones carried over.
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    aside = f"{schema_name}_pre_restore_{stamp}"[:63]
    prologue = ""
    if exists:
        prologue = f"ALTER SCHEMA {schemas.quote(schema_name)} RENAME TO {schemas.quote(aside)};\n"
        report.kept_aside = aside
    epilogue = "".join(
        _tombstone_insert(schema_name, key_name, prefix)
        for key_name, prefix in tombstones
        if key_name.startswith(account_key_prefix(schema_name))
    )
    script = directory / "schema.sql"
    args, env = _libpq()
    connection.close()  # psql takes the locks; nothing of ours holds the schema meanwhile
    with script.open("rb") as dump:
        stdin = prologue.encode() + dump.read() + b"\n" + epilogue.encode()
    result = subprocess.run(
        [
            _client_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            *args,
        ],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=3600,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            "the schema could not be restored (nothing changed): "
            + result.stderr.decode(errors="replace")[-500:]
        )

    # 3. Public rows, when the public schema lost them.
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        if not Association.objects.filter(schema_name=schema_name).exists():
            for obj in serializers.deserialize("json", json.dumps(public_rows)):
                obj.save()
            report.public_rows_created = True

    # 4. The migrations the export lacks.
    if schemas.graph_migrations() - set(_applied_migrations(schema_name)):
        call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
        report.migrated = True
    connection.set_schema_to_public()
    get_key_cache().clear()
    return report


def _tombstone_insert(schema_name: str, key_name: str, prefix: bool) -> str:
    """The SQL that records a destroyed key in the restored schema (names validated)."""
    flag = "true" if prefix else "false"
    return (
        f"INSERT INTO {schemas.quote(schema_name)}.crypto_keydestruction "  # noqa: S608
        f"(key_name, prefix, requested_at, destroyed_at) VALUES ({_literal(key_name)}, {flag}, "
        "now(), now()) ON CONFLICT (key_name) DO NOTHING;\n"
    )


def _literal(value: str) -> str:
    """A key name as an SQL string literal (a valid key name holds no quote or backslash)."""
    return f"'{validate_key_name(value)}'"
