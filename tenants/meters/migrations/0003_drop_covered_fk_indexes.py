"""Drop single-column foreign-key indexes that a composite index already leads with.

Each of these columns is the first column of another btree index on the same table (no
predicate, same operator class), which serves every lookup the single-column one did (the
foreign key's own checks included): the extra index only cost writes, disk and catalog
relations in every association's schema (docs/upgrades.md, "Catalog cost per schema").
The database side is plain SQL, so ``migrate_tenants`` replays it (one collected plan for every
schema); the state side is ``db_index=False`` on the field.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meters", "0002_billing_reminders_import")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="meter",
                    name="premises",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meters",
                        to="residents.premises",
                        verbose_name="premises",
                    ),
                ),
                migrations.AlterField(
                    model_name="reading",
                    name="meter",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="readings",
                        to="meters.meter",
                    ),
                ),
                migrations.AlterField(
                    model_name="register",
                    name="meter",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="registers",
                        to="meters.meter",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "meters_meter_premises_id_196cda84"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "meters_meter_premises_id_196cda84" ON "meters_meter" ("premises_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "meters_reading_meter_id_0cf9d6a8"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "meters_reading_meter_id_0cf9d6a8" ON "meters_reading" ("meter_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "meters_register_meter_id_c7c193b7"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "meters_register_meter_id_c7c193b7" ON "meters_register" ("meter_id")',
                ),
            ],
        ),
    ]
