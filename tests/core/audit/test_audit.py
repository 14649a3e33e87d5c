"""The audit log is written in the same transaction as the change, and is append-only."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.audit.models import AuditEntry
from core.audit.services import record

pytestmark = pytest.mark.django_db


def test_an_entry_is_written_with_the_change(in_alpha, make_user):
    user = make_user(in_alpha)
    with transaction.atomic():
        record("user.roles_changed", actor=user, target=user, details={"added": ["owner"]})
    entry = AuditEntry.objects.get()
    assert entry.actor_id == user.pk
    assert entry.target_type == "access.user"
    assert entry.target_id == str(user.pk)


def test_a_rolled_back_change_leaves_no_entry(in_alpha, make_user):
    user = make_user(in_alpha)
    with pytest.raises(RuntimeError), transaction.atomic():
        record("user.deactivated", actor=user, target=user)
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()


def test_entries_cannot_be_changed_or_deleted(in_alpha):
    with transaction.atomic():
        entry = record("association.settings_changed")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_entries_stay_in_their_association(in_alpha, beta):
    from django.db import connection

    with transaction.atomic():
        record("user.invited")
    connection.set_tenant(beta)
    assert not AuditEntry.objects.exists()
