"""Drop single-column foreign-key indexes that a composite index already leads with.

Each of these columns is the first column of another btree index on the same table (no
predicate, same operator class), which serves every lookup the single-column one did (the
foreign key's own checks included): the extra index only cost writes, disk and catalog
relations in every association's schema (docs/upgrades.md, "Catalog cost per schema").
The database side is plain SQL, so ``migrate_tenants`` replays it (one collected plan for every
schema); the state side is ``db_index=False`` on the field.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="comment",
                    name="request",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="dispatch.request",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="request",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="dispatch.request",
                    ),
                ),
                migrations.AlterField(
                    model_name="request",
                    name="author",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="request",
                    name="building",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="residents.building",
                        verbose_name="building",
                    ),
                ),
                migrations.AlterField(
                    model_name="request",
                    name="supplier",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests",
                        to="dispatch.supplier",
                        verbose_name="supplier",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "dispatch_comment_request_id_63b17b16"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "dispatch_comment_request_id_63b17b16" ON "dispatch_comment" ("request_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "dispatch_event_request_id_37cfb17b"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "dispatch_event_request_id_37cfb17b" ON "dispatch_event" ("request_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "dispatch_request_author_id_a8c5a2e7"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "dispatch_request_author_id_a8c5a2e7" ON "dispatch_request" ("author_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "dispatch_request_building_id_4d7bd72a"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "dispatch_request_building_id_4d7bd72a" ON "dispatch_request" ("building_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "dispatch_request_supplier_id_d8ad0136"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "dispatch_request_supplier_id_d8ad0136" ON "dispatch_request" ("supplier_id")',
                ),
            ],
        ),
    ]
