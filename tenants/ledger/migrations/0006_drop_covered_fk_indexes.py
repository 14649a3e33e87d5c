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
    dependencies = [("ledger", "0005_journal_append_only_trigger")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="residents.personalaccount",
                    ),
                ),
                migrations.AlterField(
                    model_name="tariff",
                    name="service",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tariffs",
                        to="ledger.service",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "ledger_entry_account_id_e9f5e345"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "ledger_entry_account_id_e9f5e345" ON "ledger_entry" ("account_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "ledger_tariff_service_id_8d666f2e"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "ledger_tariff_service_id_8d666f2e" ON "ledger_tariff" ("service_id")',
                ),
            ],
        ),
    ]
