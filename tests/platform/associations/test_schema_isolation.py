"""Each association's schema stands alone, so associations can be spread over several
PostgreSQL servers (Citus schema-based sharding places each schema on a worker; or several
clusters): no tenant table references a table of another schema, no model relation crosses from
a tenant app into a public-schema-only app, and no SQL of ours names another schema.

See docs/upgrades.md ("Past one PostgreSQL").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from associations import schemas

ROOT = Path(__file__).resolve().parents[3]


def _tenant_labels() -> set[str]:
    return {apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.TENANT_APPS}


def _shared_only_labels() -> set[str]:
    shared = {apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.SHARED_APPS}
    return shared - _tenant_labels()


def test_no_tenant_model_relates_to_a_public_only_model():
    tenant, shared_only = _tenant_labels(), _shared_only_labels()
    crossing = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in tenant:
            continue
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if target is None or not field.is_relation:
                continue
            if target._meta.app_label in shared_only:
                crossing.append(f"{model._meta.label}.{field.name} -> {target._meta.label}")
    assert crossing == []


def test_no_public_model_relates_to_a_tenant_only_model():
    tenant, shared_only = _tenant_labels(), _shared_only_labels()
    tenant_only = tenant - {
        apps.get_app_config(n.rsplit(".", 1)[-1]).label for n in settings.SHARED_APPS
    }
    crossing = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in shared_only
        for field in model._meta.get_fields()
        if field.is_relation
        and field.related_model is not None
        and field.related_model._meta.app_label in tenant_only
    ]
    assert crossing == []


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["alpha", "template"])
def test_every_foreign_key_of_a_tenant_schema_stays_in_that_schema(which, alpha):
    schema_name = alpha.schema_name if which == "alpha" else schemas.TEMPLATE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, own.relname, target_ns.nspname, target.relname
            FROM pg_constraint c
            JOIN pg_class own ON own.oid = c.conrelid
            JOIN pg_namespace own_ns ON own_ns.oid = own.relnamespace
            JOIN pg_class target ON target.oid = c.confrelid
            JOIN pg_namespace target_ns ON target_ns.oid = target.relnamespace
            WHERE c.contype = 'f' AND own_ns.nspname = %s
            """,
            [schema_name],
        )
        keys = cursor.fetchall()
    assert keys, "a tenant schema without foreign keys: the query looks in the wrong place"
    assert [key for key in keys if key[2] != schema_name] == []


@pytest.mark.django_db
def test_no_view_function_or_default_of_a_tenant_schema_names_another_schema(alpha):
    schema_name = alpha.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.proname, p.prosrc FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s
            UNION ALL
            SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('v', 'm')
            UNION ALL
            SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
            JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
            JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s
            """,
            [schema_name, schema_name, schema_name],
        )
        bodies = cursor.fetchall()
    other = re.compile(r"\b(public|tszh_\w+)\.", re.IGNORECASE)
    assert [name for name, body in bodies if body and other.search(body)] == []


#: SQL in our code (upper-case keywords, as everywhere here) that names a schema: FROM / JOIN /
#: REFERENCES / INTO / UPDATE public.x or another association's. Platform code (platform/)
#: works in the public schema and may.
_QUALIFIED = re.compile(
    r"\b(FROM|JOIN|REFERENCES|INTO|UPDATE|TABLE)\s+\"?(public|tszh_[a-z0-9_]+)\"?\s*\."
)


def test_no_sql_of_the_tenant_apps_or_core_names_another_schema():
    found = []
    for folder in ("tenants", "core", "billing"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            for match in _QUALIFIED.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert found == []
