"""The chain and its ballots are append-only in the database, not only in the services.

A trigger refuses any ``UPDATE`` or ``DELETE`` of ``voting_chainentry`` and ``voting_ballot``
rows, whoever issues it, unless a maintenance session says so explicitly with
``SELECT set_config('tszh.voting_maintenance', 'on', true)`` (tests cleaning committed rows and
showing that an edit is detected; an operator under the runbook). Nothing in the application
sets it. Whatever slips past the trigger is caught by the chain's verification
(``manage.py verify_votes``).
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION voting_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tszh.voting_maintenance', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION '% is append-only: % refused; a changed vote is a new entry',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER voting_chainentry_append_only
    BEFORE UPDATE OR DELETE ON voting_chainentry
    FOR EACH ROW EXECUTE FUNCTION voting_append_only();
CREATE TRIGGER voting_ballot_append_only
    BEFORE UPDATE OR DELETE ON voting_ballot
    FOR EACH ROW EXECUTE FUNCTION voting_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS voting_ballot_append_only ON voting_ballot;
DROP TRIGGER IF EXISTS voting_chainentry_append_only ON voting_chainentry;
DROP FUNCTION IF EXISTS voting_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
