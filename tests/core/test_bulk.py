"""``core.bulk.copy_insert`` writes what ``bulk_create`` writes, errors included."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.audit.models import AuditEntry
from core.bulk import copy_insert
from tenants.residents.models import Building, Holding, Owner, PersonalAccount, Premises

pytestmark = pytest.mark.django_db


def _columns(model, pk) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _registry(suffix: str):
    building = Building(name=f"Корпус {suffix}", address="ул. Лесная, 1")
    Building.objects.bulk_create([building])
    premises = Premises(building=building, number=suffix, area=Decimal("52.30"), floor=3)
    account = PersonalAccount(number=f"77{suffix}", premises=premises)
    holding = Holding(account=account, started_on=datetime.date(2020, 3, 15))
    owner = Owner(holding=holding, full_name="Иванова Мария Петровна", is_member=True)
    owner.member_since = datetime.date(2021, 6, 1)
    owner.primary_email = "maria@example.test"
    return premises, account, holding, owner


def test_the_rows_are_those_bulk_create_writes(in_alpha):
    with transaction.atomic():
        copied = _registry("1")
        for item in copied:
            copy_insert([item])
        created = _registry("2")
        for item in created:
            type(item).objects.bulk_create([item])

    for ours, theirs in zip(copied, created, strict=True):
        assert not ours._state.adding
        a, b = _columns(type(ours), ours.pk), _columns(type(theirs), theirs.pk)
        different = {"id", "building_id", "premises_id", "account_id", "holding_id", "number"}
        different |= {name for name in a if name.endswith(("_index", "created_at", "updated_at"))}
        encrypted = {name for name, value in a.items() if str(value).startswith("e1.")}
        for name in a.keys() - different - encrypted:
            assert a[name] == b[name], name
        assert encrypted == {name for name, value in b.items() if str(value).startswith("e1.")}
    owner = Owner.objects.get(pk=copied[3].pk)  # sealed under the holding's key, readable
    assert (owner.full_name, owner.primary_email) == (
        "Иванова Мария Петровна",
        "maria@example.test",
    )
    assert owner.email_index == Owner.objects.get(pk=created[3].pk).email_index


def test_a_constraint_refuses_as_django_reports_it(in_alpha):
    premises, *_ = _registry("3")
    with transaction.atomic():
        copy_insert([premises])
    twin = Premises(
        id=uuid.uuid4(), building_id=premises.building_id, number="3", kind=premises.kind
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert([twin])
    orphan = Premises(building_id=uuid.uuid4(), number="4")
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the import checks them
        copy_insert([orphan])
    assert Premises.objects.filter(pk__in=[twin.pk, orphan.pk]).count() == 0


def test_one_model_at_a_time_and_auto_keys_through_bulk_create(in_alpha):
    premises, account, *_ = _registry("5")
    with pytest.raises(TypeError), transaction.atomic():
        copy_insert([premises, account])
    with transaction.atomic():
        copy_insert([AuditEntry(action="tests.copied", details={"n": 1})])
    assert AuditEntry.objects.filter(action="tests.copied").exists()
    copy_insert([])
