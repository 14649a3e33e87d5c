"""Bring the template schema to migration head and fill the pool of spare schemas.

Run it after ``migrate_schemas`` in a deploy (the first signup or the periodic job would do it
too, a little later): ``manage.py prepare_provisioning [--spares N] [--force]``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from associations import schemas


class Command(BaseCommand):
    help = "Rebuild the template schema when it is behind the migrations; fill the spare pool."

    def add_arguments(self, parser):
        parser.add_argument(
            "--spares",
            type=int,
            default=None,
            help="spare schemas to keep ready (default: SIGNUP_SPARE_SCHEMAS)",
        )
        parser.add_argument(
            "--force", action="store_true", help="rebuild the template even when it is at head"
        )

    def handle(self, *args, **options):
        if options["force"]:
            schemas.rebuild_template(force=True)
        target = options["spares"]
        if target is None:
            target = getattr(settings, "SIGNUP_SPARE_SCHEMAS", 0)
        result = schemas.maintain_pool(target)
        snapshot = schemas.current_snapshot()
        self.stdout.write(
            f"template {schemas.TEMPLATE_SCHEMA} at head ({snapshot.fingerprint[:12]}); "
            f"spares ready: {result['spares']} (made {result['made']}, "
            f"dropped {result['dropped']})"
        )
