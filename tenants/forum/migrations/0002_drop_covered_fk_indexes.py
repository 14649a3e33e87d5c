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
    dependencies = [("forum", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="mention",
                    name="post",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="forum.post",
                    ),
                ),
                migrations.AlterField(
                    model_name="post",
                    name="topic",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="posts",
                        to="forum.topic",
                    ),
                ),
                migrations.AlterField(
                    model_name="subscription",
                    name="topic",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subscriptions",
                        to="forum.topic",
                    ),
                ),
                migrations.AlterField(
                    model_name="topic",
                    name="section",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="topics",
                        to="forum.section",
                        verbose_name="section",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forum_mention_post_id_a0bf3cde"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "forum_mention_post_id_a0bf3cde" ON "forum_mention" ("post_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forum_post_topic_id_68b61f28"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "forum_post_topic_id_68b61f28" ON "forum_post" ("topic_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forum_subscription_topic_id_c58c0cae"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "forum_subscription_topic_id_c58c0cae" ON "forum_subscription" ("topic_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "forum_topic_section_id_cbaff009"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "forum_topic_section_id_cbaff009" ON "forum_topic" ("section_id")',
                ),
            ],
        ),
    ]
