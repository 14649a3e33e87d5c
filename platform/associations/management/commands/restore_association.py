"""Restore ONE association from ``export_association``'s directory, under the same schema name.

``manage.py restore_association DIR [--replace]``: keys first (never one recorded as destroyed),
then the schema in one transaction (the live one, with ``--replace``, kept aside as
``<schema>_pre_restore_<time>``), the public rows if missing, and the migrations the export
lacks. See ``associations.backup`` and docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from associations.backup import BackupError, restore_association


class Command(BaseCommand):
    help = "Restore one association from an export directory (same schema name)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the directory export_association wrote")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="the schema exists: rename it aside and restore in its place",
        )

    def handle(self, *args, **options):
        try:
            report = restore_association(Path(options["directory"]), replace=options["replace"])
        except (BackupError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {report.schema_name}")
        if report.kept_aside:
            self.stdout.write(
                f"the schema as it was is kept as {report.kept_aside}: drop it once checked"
            )
        for name, outcome in sorted(report.keys.items()):
            self.stdout.write(f"key {name}: {outcome}")
        if report.skipped_destroyed:
            self.stdout.write(
                f"{len(report.skipped_destroyed)} key(s) destroyed since the export were not "
                "brought back (erasures stay erased); re-apply those erasures' other effects: "
                "see docs/operations.md"
            )
        if report.public_rows_created:
            self.stdout.write("the association's public rows were missing and were restored")
        if report.migrated:
            self.stdout.write("the schema was migrated to this code's head")
