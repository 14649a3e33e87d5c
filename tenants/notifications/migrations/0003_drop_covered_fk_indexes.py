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
    dependencies = [("notifications", "0002_attachments")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="inboxitem",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="preference",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preferences",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_inboxitem_user_id_b803e252"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "notifications_inboxitem_user_id_b803e252" ON "notifications_inboxitem" ("user_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_preference_user_id_c839c2d6"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "notifications_preference_user_id_c839c2d6" ON "notifications_preference" ("user_id")',
                ),
            ],
        ),
    ]
