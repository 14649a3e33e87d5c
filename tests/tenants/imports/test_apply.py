"""The confirmed import: all rows or none, the same file twice changes nothing, changes audited.

These tests run the task's body in the test's transaction; ``test_worker.py`` runs it through a
real Celery worker.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from fractions import Fraction
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from core.audit.models import AuditEntry
from core.crypto import keyring
from core.crypto.envelope import parse_token
from core.crypto.errors import ProviderUnavailable
from core.crypto.fields import blind_index_for
from core.crypto.models import WrappedDataKey
from tenants.imports import services
from tenants.imports.keys import BlindIndexer
from tenants.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
)
from tenants.residents.services import open_account
from tests.tenants.imports.conftest import owner_row, xlsx

pytestmark = pytest.mark.django_db


def registry_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Building, Premises, PersonalAccount, Holding, Owner, Ownership)
    }


def test_the_import_writes_premises_accounts_holders_owners_and_shares(imported):
    rows = [
        owner_row(1, share="1/2", email="maria@example.test"),
        owner_row(1, share="1/2", owner="Петров Пётр Ильич", email="petr@example.test"),
        owner_row(2, owner="ООО «Ромашка»", inn="7707083893", email="", phone="", share="1"),
        {"building": "Дом 2", "number": "1", "area": "40", "account": "200001"},
    ]
    job = imported(xlsx(rows))

    assert job.status == JobStatus.DONE, job.notice
    assert job.result["premises_created"] == 3
    assert registry_counts() == {
        "Building": 2,
        "Premises": 3,
        "PersonalAccount": 3,
        "Holding": 3,
        "Owner": 3,
        "Ownership": 3,
    }
    flat = Premises.objects.get(building__name="Дом 1", number="1")
    assert flat.area == Decimal("54.30") and flat.floor == 2 and flat.registered_residents == 2
    assert flat.cadastral_number == "77:01:0004012:1001"
    account = PersonalAccount.objects.get(number="100001")
    assert account.premises == flat
    holding = Holding.objects.get(account=account)
    assert holding.full_name == "Иванова Мария Петровна 1"
    assert holding.started_on == datetime.date(2020, 3, 15)
    owners = {owner.full_name: owner for owner in Owner.objects.filter(holding=holding)}
    maria = owners["Иванова Мария Петровна 1"]
    assert maria.primary_email == "maria@example.test" and maria.emails == ["maria@example.test"]
    assert maria.primary_phone == "+7 912 345-67-89"
    assert maria.email_index == blind_index_for(Owner, "primary_email", "maria@example.test")
    assert maria.phone_index == blind_index_for(Owner, "primary_phone", "+7 912 345-67-89")
    assert maria.is_member and maria.member_since == datetime.date(2021, 6, 1)
    share = Ownership.objects.get(owner=maria)
    assert share.share == Fraction(1, 2)
    assert (share.document_kind, share.document_number) == ("egrn", "77-77/011/1")
    assert share.egrn_record == "77:01:0004012:1001-77/011/2020-1"
    firm = Owner.objects.get(kind=OwnerKind.ORGANISATION)
    assert (firm.organisation_name, firm.inn, firm.full_name) == (
        "ООО «Ромашка»",
        "7707083893",
        None,
    )
    empty = Holding.objects.get(account__number="200001")
    assert empty.full_name is None
    assert not ImportRow.objects.filter(job=job).exists(), "imported rows are deleted"


def test_each_holding_gets_its_own_key(imported):
    imported(xlsx([owner_row(1), owner_row(2)]))

    holdings = list(Holding.objects.all())
    names = {holding.encryption_key_name() for holding in holdings}
    assert len(names) == 2
    rows = WrappedDataKey.objects.filter(key_name__in=names)
    assert sorted(rows.values_list("key_name", flat=True)) == sorted(names)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, full_name, holding_id FROM residents_owner")
        stored = cursor.fetchall()
    for _owner_id, token, holding_id in stored:
        assert token.startswith("e1.") and "Иванова" not in token
        key_row = WrappedDataKey.objects.get(id=uuid.UUID(hex=parse_token(token).key_ref))
        assert key_row.key_name == keyring.holding_key(holding_id), "under its holding's key"


def test_the_same_file_twice_changes_nothing(imported, preview):
    content = xlsx([owner_row(n) for n in range(1, 6)])
    imported(content)
    counts = registry_counts()
    audit = set(AuditEntry.objects.values_list("id", flat=True))

    again = preview(content)
    assert (again.unchanged_rows, again.new_rows, again.changed_rows) == (5, 0, 0)
    services.confirm_import(again.pk)
    services.apply_import(again.pk)

    again.refresh_from_db()
    assert again.status == JobStatus.DONE
    assert registry_counts() == counts
    created = [v for k, v in again.result.items() if k.endswith(("_created", "_changed"))]
    assert created == [0] * len(created)
    assert set(AuditEntry.objects.exclude(id__in=audit).values_list("action", flat=True)) == {
        "imports.preview_created",
        "imports.import_confirmed",
        "imports.import_applied",
    }


def test_changed_values_are_updated_and_audited_without_the_values(imported, preview):
    imported(xlsx([owner_row(1), owner_row(2)]))

    job = preview(
        xlsx(
            [
                owner_row(1, area="60,10", phone="+7 900 111-22-33", member="нет", member_since=""),
                owner_row(2, owner="Иванова-Сидорова Мария Петровна 2"),
            ]
        )
    )
    assert (job.changed_rows, job.unchanged_rows) == (2, 0)
    rows = {row.line: row.changes for row in ImportRow.objects.filter(job=job)}
    assert rows == {2: ["area", "member", "phone"], 3: ["owner"]}
    services.confirm_import(job.pk)
    services.apply_import(job.pk)

    one = Owner.objects.get(
        email_index=blind_index_for(Owner, "primary_email", "owner1@example.test")
    )
    assert one.primary_phone == "+7 900 111-22-33"
    assert one.phones == ["+7 900 111-22-33", "+7 912 345-67-89"]
    assert not one.is_member and one.member_since is None
    assert Premises.objects.get(number="1").area == Decimal("60.10")
    two = Owner.objects.get(
        email_index=blind_index_for(Owner, "primary_email", "owner2@example.test")
    )
    assert two.full_name == "Иванова-Сидорова Мария Петровна 2"
    entries = AuditEntry.objects.filter(details__job=str(job.pk))
    changed = {(entry.action, tuple(entry.details.get("fields", ()))) for entry in entries}
    assert ("imports.premises_changed", ("area",)) in changed
    assert ("imports.owner_changed", ("phone",)) in changed
    assert ("imports.owner_changed", ("owner",)) in changed
    assert ("imports.membership_changed", ()) in changed
    assert "Иванова" not in str(list(entries.values_list("details", flat=True)))


def test_an_owner_is_found_by_name_when_the_file_has_no_email(imported, preview):
    imported(xlsx([owner_row(1, email="")]))

    job = preview(xlsx([owner_row(1, email="", phone="+7 900 000-00-01")]))

    assert (job.changed_rows, job.new_rows) == (1, 0)


def test_new_owners_join_an_existing_holding_under_its_key(imported, in_alpha):
    building = Building.objects.create(name="Дом 1")
    flat = Premises.objects.create(building=building, number="1", area="54.30")
    _account, holding = open_account(
        number="100001",
        holder={"full_name": "Держатель Счёта"},
        started_on=datetime.date(2019, 1, 1),
        premises=flat,
    )

    job = imported(xlsx([owner_row(1, cadastral="")]))

    assert job.status == JobStatus.DONE, job.notice
    owner = Owner.objects.get()
    assert owner.holding_id == holding.pk
    assert owner.full_name == "Иванова Мария Петровна 1"
    assert Holding.objects.count() == 1


def test_a_registry_changed_since_the_preview_sends_the_import_back_to_the_preview(
    preview, board, in_alpha
):
    job = preview(xlsx([owner_row(1), owner_row(2)]))
    services.confirm_import(job.pk, actor=board)
    other = Premises.objects.create(
        building=Building.objects.create(name="Дом 9"), number="1", area="10.00"
    )
    PersonalAccount.objects.create(number="100002", premises=other)
    before = registry_counts()

    assert services.apply_import(job.pk) == JobStatus.PREVIEW

    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW and job.notice == "registry_changed"
    assert (job.error_rows, job.new_rows) == (1, 1)
    assert ImportRow.objects.get(job=job, line=3).status == RowStatus.ERROR
    assert registry_counts() == before, "nothing half-imported"


def test_the_key_store_down_fails_the_import_and_writes_nothing(preview, board):
    job = preview(xlsx([owner_row(1)]))
    services.confirm_import(job.pk, actor=board)
    before = registry_counts()

    with mock.patch(
        "tenants.imports.services.running.registry_snapshot",
        side_effect=ProviderUnavailable("down"),
    ):
        assert services.apply_import(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.notice) == (JobStatus.FAILED, "keys_unavailable")
    assert registry_counts() == before
    assert job.can_confirm, "it can be tried again"


def test_a_failure_half_way_rolls_everything_back(preview, board):
    job = preview(xlsx([owner_row(n) for n in range(1, 4)]))
    services.confirm_import(job.pk, actor=board)
    before = registry_counts()

    with mock.patch(
        "tenants.imports.services.writing._insert_owners", side_effect=RuntimeError("disk full")
    ):
        assert services.apply_import(job.pk) == JobStatus.FAILED

    assert registry_counts() == before
    assert ImportJob.objects.get(pk=job.pk).notice == "internal"


def test_a_finished_import_is_not_run_twice(imported):
    job = imported(xlsx([owner_row(1)]))
    counts = registry_counts()

    assert services.apply_import(job.pk) == JobStatus.DONE
    assert registry_counts() == counts


def test_batch_blind_indexes_equal_the_registrys_own(in_alpha):
    indexer = BlindIndexer()
    for source, value in (("primary_email", " Anna@Example.test "), ("primary_phone", "8 912 3")):
        assert indexer(Owner, source, value) == blind_index_for(Owner, source, value)


def test_keys_made_while_the_board_reads_the_preview_are_used_by_the_import(preview, board):
    from core.crypto import keyring
    from core.crypto.registry import get_provider

    job = preview(xlsx([owner_row(1), owner_row(2)]))
    chosen = set(
        ImportRow.objects.filter(job=job).values_list("new_holding_id", flat=True).distinct()
    )
    names = {keyring.holding_key(holding_id) for holding_id in chosen}

    assert services.prepare_keys(job.pk) == 2
    assert all(get_provider().key_exists(name) for name in names)
    assert not WrappedDataKey.objects.filter(key_name__in=names).exists()
    assert registry_counts()["Holding"] == 0, "nothing written before the confirmation"

    services.confirm_import(job.pk, actor=board)
    services.apply_import(job.pk)
    assert set(Holding.objects.values_list("id", flat=True)) == chosen


def test_an_import_confirmed_long_after_its_preview_makes_new_keys(preview, board):
    job = preview(xlsx([owner_row(1)]))
    chosen = ImportRow.objects.get(job=job).new_holding_id
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - services.PREPARED_KEYS_FRESH - datetime.timedelta(minutes=1)
    )

    assert services.prepare_keys(job.pk) == 0
    services.confirm_import(job.pk, actor=board)
    assert services.apply_import(job.pk) == JobStatus.DONE
    assert Holding.objects.get().pk != chosen


def test_a_lost_import_can_be_started_again_but_not_a_recent_one(preview, board):
    from django.core.exceptions import ValidationError

    job = preview(xlsx([owner_row(1)]))
    services.confirm_import(job.pk, actor=board)
    with pytest.raises(ValidationError):
        services.confirm_import(job.pk, actor=board)

    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, confirmed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    services.confirm_import(job.pk, actor=board)
    assert services.apply_import(job.pk) == JobStatus.DONE
    assert registry_counts()["Premises"] == 1


# -- a suspended association changes nothing ------------------------------------------------------


def suspend(association) -> None:
    """What the operators' console does; the worker's tenant object does not know it yet."""
    from associations.models import Association, AssociationStatus

    Association.objects.filter(pk=association.pk).update(
        status=AssociationStatus.SUSPENDED, suspended_at=timezone.now()
    )


def reactivate(association) -> None:
    from associations.models import Association, AssociationStatus

    Association.objects.filter(pk=association.pk).update(
        status=AssociationStatus.ACTIVE, suspended_at=None
    )


def test_an_import_queued_before_a_suspension_writes_nothing(preview, board, alpha):
    job = preview(xlsx([owner_row(1), owner_row(2)]))
    services.confirm_import(job.pk, actor=board)
    suspend(alpha)
    before = registry_counts()

    assert connection.tenant.status != "suspended", "the task's tenant object is out of date"
    assert services.apply_import(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.notice) == (JobStatus.FAILED, "suspended")
    assert registry_counts() == before
    assert ImportRow.objects.filter(job=job).count() == 2, "kept, to import once reactivated"
    assert "portal is suspended" in str(services.NOTICES[job.notice])

    reactivate(alpha)
    services.confirm_import(job.pk, actor=board)
    assert services.apply_import(job.pk) == JobStatus.DONE
    assert registry_counts()["Premises"] == 2


def test_a_suspension_while_the_import_waits_for_its_lock_writes_nothing(preview, board):
    job = preview(xlsx([owner_row(1)]))
    services.confirm_import(job.pk, actor=board)
    before = registry_counts()

    with mock.patch(
        "tenants.imports.services.running.association_suspended", side_effect=[False, True]
    ) as suspended:
        assert services.apply_import(job.pk) == JobStatus.FAILED

    assert suspended.call_count == 2
    assert ImportJob.objects.get(pk=job.pk).notice == "suspended"
    assert registry_counts() == before


def test_no_keys_are_made_ahead_for_a_suspended_association(preview, alpha):
    job = preview(xlsx([owner_row(1)]))
    suspend(alpha)

    with mock.patch("tenants.imports.services.preview.HoldingKeys") as keys:
        assert services.prepare_keys(job.pk) == 0

    keys.assert_not_called()


# -- keys made ahead for one preview at a time ----------------------------------------------------


def test_keys_are_made_ahead_for_one_fresh_preview_at_a_time(
    preview, board, django_capture_on_commit_callbacks
):
    with (
        mock.patch("tenants.imports.tasks.prepare_keys.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = preview(xlsx([owner_row(1)]))
        second = preview(xlsx([owner_row(2)]))
    delay.assert_called_once_with(str(first.pk))

    with mock.patch("tenants.imports.services.preview.HoldingKeys") as keys:
        assert services.prepare_keys(second.pk) == 0, "a copy queued anyway makes nothing"
    keys.assert_not_called()

    for job in (first, second):
        services.discard_import(job.pk, actor=board)
    with (
        mock.patch("tenants.imports.tasks.prepare_keys.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        third = preview(xlsx([owner_row(3)]))
    delay.assert_called_once_with(str(third.pk))


def test_a_preview_older_than_the_keys_freshness_does_not_hold_them_back(
    preview, django_capture_on_commit_callbacks
):
    old = preview(xlsx([owner_row(1)]))
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - services.PREPARED_KEYS_FRESH - datetime.timedelta(minutes=1)
    )
    with (
        mock.patch("tenants.imports.tasks.prepare_keys.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = preview(xlsx([owner_row(2)]))

    delay.assert_called_once_with(str(job.pk))


# -- a manual edit that clashes with the import ---------------------------------------------------


def test_a_clash_with_a_manual_edit_during_the_import_sends_it_back_to_the_preview(
    preview, board, in_alpha
):
    building = Building.objects.create(name="Дом 1")
    job = preview(xlsx([owner_row(1), owner_row(2)]))
    assert job.new_rows == 2
    services.confirm_import(job.pk, actor=board)
    # A board member adds flat 1 by hand while the import runs: new rows cannot be locked, so
    # the import's snapshot does not have it and its insert meets the unique constraint.
    manual = Premises.objects.create(building=building, number="1", area="54.30")
    snapshot = services.running.registry_snapshot

    def taken_before_the_edit(values, *, today, lock=False):
        snap = snapshot(values, today=today, lock=lock)
        if lock:
            snap.premises = {key: p for key, p in snap.premises.items() if p.pk != manual.pk}
        return snap

    with mock.patch(
        "tenants.imports.services.running.registry_snapshot", side_effect=taken_before_the_edit
    ):
        assert services.apply_import(job.pk) == JobStatus.PREVIEW

    job.refresh_from_db()
    assert (job.status, job.notice) == (JobStatus.PREVIEW, "registry_changed")
    assert registry_counts()["Premises"] == 1, "nothing half-imported"
    assert AuditEntry.objects.filter(action="imports.preview_rechecked").count() == 1
    assert not AuditEntry.objects.filter(action="imports.import_failed").exists()

    services.confirm_import(job.pk, actor=board)
    assert services.apply_import(job.pk) == JobStatus.DONE
    assert Premises.objects.count() == 2
    assert PersonalAccount.objects.get(number="100001").premises_id == manual.pk
