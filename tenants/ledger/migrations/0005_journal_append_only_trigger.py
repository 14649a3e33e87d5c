"""The journal is append-only in the database too, not only in ``Entry``'s Python methods.

A trigger refuses any ``UPDATE`` or ``DELETE`` of ``ledger_entry`` rows, whoever issues it (raw
SQL, a bulk path, a console). Two exceptions:

- the one change Django itself makes when a user is deleted: ``author_id`` set to NULL
  (``on_delete=SET_NULL``), with every other column unchanged;
- a maintenance session that says so explicitly with
  ``SELECT set_config('tszh.journal_maintenance', 'on', true)`` (transaction-local): tests
  cleaning committed rows, or an operator repairing a schema under the runbook in
  docs/operations. Nothing in the application sets it.

The function lives in the association's schema (created under its search_path), so the
template's ``pg_dump`` carries it to every new association with the trigger.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION ledger_entry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tszh.journal_maintenance', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.author_id IS NULL AND OLD.author_id IS NOT NULL
       AND (NEW.id, NEW.account_id, NEW.holding_id, NEW.kind, NEW.period, NEW.corrects_period,
            NEW.service_id, NEW.amount, NEW.booked_on, NEW.reason, NEW.run_id, NEW.source,
            NEW.source_id, NEW.calculation::text, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.account_id, OLD.holding_id, OLD.kind, OLD.period, OLD.corrects_period,
            OLD.service_id, OLD.amount, OLD.booked_on, OLD.reason, OLD.run_id, OLD.source,
            OLD.source_id, OLD.calculation::text, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ledger_entry is append-only: % refused; post a recalculation', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_rerun_of_a_posted_month"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
