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
    dependencies = [("voting", "0005_demands")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ballot",
                    name="entry",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ballots",
                        to="voting.chainentry",
                    ),
                ),
                migrations.AlterField(
                    model_name="ballot",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="voting.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="chainentry",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="chain",
                        to="voting.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="demandsignature",
                    name="demand",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="signatures",
                        to="voting.demand",
                    ),
                ),
                migrations.AlterField(
                    model_name="polloption",
                    name="poll",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="options",
                        to="voting.poll",
                    ),
                ),
                migrations.AlterField(
                    model_name="question",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="questions",
                        to="voting.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="voter",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="voters",
                        to="voting.meeting",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_ballot_entry_id_01a7260a"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_ballot_entry_id_01a7260a" ON "voting_ballot" ("entry_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_ballot_meeting_id_280e24ad"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_ballot_meeting_id_280e24ad" ON "voting_ballot" ("meeting_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_chainentry_meeting_id_1e10edf5"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_chainentry_meeting_id_1e10edf5" ON "voting_chainentry" ("meeting_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_demandsignature_demand_id_1699e85c"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_demandsignature_demand_id_1699e85c" ON "voting_demandsignature" ("demand_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_polloption_poll_id_1bb6037c"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_polloption_poll_id_1bb6037c" ON "voting_polloption" ("poll_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_question_meeting_id_f0a49dce"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_question_meeting_id_f0a49dce" ON "voting_question" ("meeting_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "voting_voter_meeting_id_1500d0e3"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "voting_voter_meeting_id_1500d0e3" ON "voting_voter" ("meeting_id")',
                ),
            ],
        ),
    ]
