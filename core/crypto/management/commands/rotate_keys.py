"""``manage.py rotate_keys [--reencrypt] [--schema S] [--queue]``.

Rotates the provider keys of every association (or one) and re-wraps their data keys; with
``--reencrypt`` also re-encrypts every row under fresh data keys. Interrupted, it resumes where
it stopped when run again. ``--queue`` sends the work to Celery instead of doing it here.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from core import tenancy
from core.crypto import rotation, tasks


class Command(BaseCommand):
    help = "Rotate key-encryption keys (and optionally data keys) of the associations."

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="only this association's schema")
        parser.add_argument("--reencrypt", action="store_true", help="also re-encrypt rows")
        parser.add_argument("--queue", action="store_true", help="run in Celery workers")

    def handle(self, *args, schema=None, reencrypt=False, queue=False, **options):
        schemas = [schema] if schema else tenancy.association_schemas(ready_only=False)
        for name in schemas:
            with schema_context(name):
                if queue:
                    tasks.rotate_provider_keys.delay()
                    if reencrypt:
                        tasks.reencrypt_rows.delay()
                    self.stdout.write(f"{name}: queued")
                    continue
                run = rotation.rotate_provider_keys(progress=self._progress(name, "re-wrap"))
                self.stdout.write(f"{name}: {run.done} data keys re-wrapped")
                if reencrypt:
                    run = rotation.reencrypt_rows(progress=self._progress(name, "re-encrypt"))
                    self.stdout.write(f"{name}: {run.done} rows re-encrypted")

    def _progress(self, schema: str, what: str):
        def report(done: int, total: int) -> None:
            self.stdout.write(f"{schema}: {what} {done}/{total}")

        return report
