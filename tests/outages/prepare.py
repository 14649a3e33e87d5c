"""Migrate and seed an outage stack's own database (run by ``stack.Stack`` in a subprocess
with the server's environment: its key provider is the stack's key store).

Prints one JSON line of facts the tests need (schema, ids).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from associations.services import create_association, ensure_public_tenant  # noqa: E402
from core.access.roles import Role  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.outages.stack import CHAIR_EMAIL, OWNER_EMAIL, SLUG  # noqa: E402


def main() -> None:
    from django.db.migrations.recorder import MigrationRecorder

    if not MigrationRecorder(connection).has_table():  # not a copy of a migrated database
        call_command("migrate_schemas", shared=True, verbosity=0, interactive=False)
    ensure_public_tenant()
    association = create_association(name="ТСЖ «Авария»", slug=SLUG)
    connection.set_tenant(association)
    from tests.tenants.dispatch.support import file_request, member

    owner, premises = member(email=OWNER_EMAIL, full_name="Ольга Петровна Смирнова")
    UserFactory(email=CHAIR_EMAIL, roles=[Role.CHAIRMAN], full_name="Иван Ильич Кузнецов")
    filed = file_request(owner, premises)
    connection.set_schema_to_public()
    print(  # noqa: T201 - the parent reads this line
        json.dumps(
            {
                "schema": association.schema_name,
                "request": str(filed.pk),
                "premises": str(premises.pk),
            }
        )
    )


if __name__ == "__main__":
    main()
