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
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="documentread",
                    name="document",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reads",
                        to="documents.document",
                    ),
                ),
                migrations.AlterField(
                    model_name="documentversion",
                    name="document",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="documents.document",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "documents_documentread_document_id_437e4d24"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "documents_documentread_document_id_437e4d24" ON "documents_documentread" ("document_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "documents_documentversion_document_id_42757b7a"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "documents_documentversion_document_id_42757b7a" ON "documents_documentversion" ("document_id")',
                ),
            ],
        ),
    ]
