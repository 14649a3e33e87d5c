"""Export ONE association: its schema (pg_dump), its keys and its public rows.

``manage.py export_association <schema> --output DIR`` (see ``associations.backup`` and
docs/operations.md, "Backup and restore"). Run it where the provisioning credential is (the
key-jobs worker); copy DIR to backup storage in Russia at once (152-ФЗ ст. 18 ч. 5).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from associations.backup import BackupError, export_association


class Command(BaseCommand):
    help = "Export one association (schema, keys, public rows) into a new directory."

    def add_arguments(self, parser):
        parser.add_argument("schema", help="the association's schema name")
        parser.add_argument("--output", required=True, help="a directory that does not exist")

    def handle(self, *args, **options):
        try:
            manifest = export_association(options["schema"], Path(options["output"]))
        except (BackupError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"exported {manifest['schema_name']} ({len(manifest['migrations'])} migrations, "
            f"{len(manifest['keys'])} keys from the {manifest['key_provider']} provider) "
            f"to {options['output']}"
        )
        if manifest["key_provider"] != "local":
            self.stdout.write(
                "key material stays in Vault: keep its snapshots (docs/operations.md)"
            )
