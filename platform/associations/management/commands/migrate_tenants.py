"""Bring every association's schema to migration head, then the template and the spare pool.

``manage.py migrate_tenants [--jobs N] [--schema NAME ...] [--max-failures N] [--skip-template]``

The deploy's tenant step (see docs/upgrades.md): schemas already at head are found by one query
and left alone; the rest are migrated in ``--jobs`` processes with a line per schema; a failure
is reported and the command exits 1, and running it again resumes (it skips what is at head).
When every schema is at head, the provisioning template is rebuilt if it is behind and the spare
pool refilled (``prepare_provisioning``), in the same job.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from associations import schemas, upgrades


class Command(BaseCommand):
    help = "Migrate the associations' schemas that are behind, in parallel; resumable."

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs",
            type=int,
            default=int(os.environ.get("TSZH_MIGRATE_JOBS", "0")) or min(4, os.cpu_count() or 1),
            help="worker processes for the schemas behind (default: TSZH_MIGRATE_JOBS or "
            "the CPU count, at most 4)",
        )
        parser.add_argument(
            "--schema",
            action="append",
            dest="schema_names",
            help="only this schema (repeatable); default: every association's",
        )
        parser.add_argument(
            "--max-failures",
            type=int,
            default=10,
            help="after this many failed schemas no new one starts (default 10)",
        )
        parser.add_argument(
            "--no-replay",
            action="store_true",
            help="run Django's migrate in every schema behind, even when the plan's SQL could "
            "be collected once and replayed",
        )
        parser.add_argument(
            "--skip-template",
            action="store_true",
            help="leave the provisioning template and spare pool alone",
        )
        parser.add_argument(
            "--spares",
            type=int,
            default=None,
            help="spare schemas to keep ready (default: SIGNUP_SPARE_SCHEMAS)",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"migrate_tenants: {line}")
                self.stdout.flush()

        report = upgrades.run(
            options["schema_names"],
            jobs=max(1, options["jobs"]),
            max_failures=max(1, options["max_failures"]),
            replay=not options["no_replay"],
            progress=progress,
        )
        summary = (
            f"{report.total} schema(s): {report.at_head} already at head, "
            f"{len(report.migrated)} migrated, {len(report.failed)} failed, "
            f"{len(report.not_started)} not started, in {report.seconds:.2f} s"
        )
        if not report.ok:
            for outcome in report.failed:
                self.stderr.write(f"migrate_tenants: {outcome.schema_name}: {outcome.error}")
            raise CommandError(f"{summary}. Fix the cause and run migrate_tenants again.")
        if verbosity >= 1 or report.migrated:
            self.stdout.write(f"migrate_tenants: {summary}")
        if not options["skip_template"]:
            self._template(options, progress)

    def _template(self, options, progress) -> None:
        before = schemas.current_snapshot()
        snapshot = schemas.ready_snapshot()
        target = options["spares"]
        if target is None:
            target = getattr(settings, "SIGNUP_SPARE_SCHEMAS", 0)
        pool = schemas.maintain_pool(target)
        rebuilt = before is None or before.fingerprint != snapshot.fingerprint
        progress(
            f"template {schemas.TEMPLATE_SCHEMA} {'rebuilt' if rebuilt else 'at head'} "
            f"({snapshot.fingerprint[:12]}); spares ready: {pool['spares']} "
            f"(made {pool['made']}, dropped {pool['dropped']})"
        )
