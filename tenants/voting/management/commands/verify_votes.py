"""``manage.py verify_votes [--schema S] [--meeting UUID]``: recompute every meeting's hash chain
from the stored decisions and say where it breaks (exit status 1 when any chain is broken).

Prints ids, numbers and hashes only: never a name or a choice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from core.tenancy import association_schemas


class Command(BaseCommand):
    help = "Verify the hash chains of the meetings' decisions."

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="one association's schema (default: every one)")
        parser.add_argument("--meeting", help="one meeting's id")

    def handle(self, *args, **options):
        if options["schema"]:
            schemas = [options["schema"]]
        else:
            public = get_public_schema_name()
            schemas = [s for s in association_schemas(ready_only=False) if s != public]
        broken = 0
        for schema in schemas:
            with schema_context(schema):
                broken += self._verify_schema(schema, options["meeting"])
        if broken:
            raise CommandError(f"{broken} chain(s) broken")

    def _verify_schema(self, schema: str, meeting_id) -> int:
        from tenants.voting import selectors
        from tenants.voting.models import Meeting

        meetings = Meeting.objects.exclude(status__in=["draft", "notice"]).order_by("number")
        if meeting_id:
            meetings = meetings.filter(pk=meeting_id)
        broken = 0
        for meeting in meetings:
            result = selectors.verify(meeting)
            where = f"{schema} meeting {meeting.number} ({meeting.pk})"
            if result.ok:
                self.stdout.write(f"{where}: ok, {result.entries} entries, last {result.last_hash}")
                continue
            broken += 1
            for found in result.breaks:
                at = f"entry {found.seq}" if found.seq is not None else "the end"
                self.stdout.write(f"{where}: BROKEN at {at}: {found.message}")
        return broken
