"""Backup and restore of one association on the embedded server: its schema by pg_dump, its keys
from the key provider, and an erasure made after the export that a restore must not undo.

These tests commit (pg_dump and psql run in other processes) and clean up after themselves.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from associations import schemas
from associations.models import Association
from associations.services import create_association
from core.crypto import keyring
from core.crypto.errors import CryptoError
from core.crypto.models import KeyDestruction
from core.crypto.naming import account_key_name
from core.crypto.registry import get_key_cache, get_provider
from tests.platform.associations.support import remove_committed, unique_slug

HOLDER = "Резервная Анна Сергеевна"


@pytest.fixture
def association(committed):
    from tenants.residents.services import open_account

    slug = unique_slug("bk")
    created = create_association(name="ТСЖ «Резерв»", slug=slug)
    connection.set_tenant(created)
    with transaction.atomic():
        _account, holding = open_account(
            number="BK-1", holder={"full_name": HOLDER}, started_on=datetime.date(2024, 1, 1)
        )
        _account2, other = open_account(
            number="BK-2",
            holder={"full_name": "Другой Держатель"},
            started_on=datetime.date(2024, 1, 1),
        )
    connection.set_schema_to_public()
    yield created, holding.pk, other.pk
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
            [created.schema_name + "_pre_restore_%"],
        )
        for (aside,) in cursor.fetchall():
            cursor.execute(f"DROP SCHEMA {schemas.quote(aside)} CASCADE")
    remove_committed([slug])


def holder_name(association, holding_pk) -> str:
    from tenants.residents.models import Holding

    get_key_cache().clear()
    keyring.forget_cached_rows()
    connection.set_tenant(Association.objects.get(pk=association.pk))
    try:
        return Holding.objects.get(pk=holding_pk).full_name
    finally:
        connection.set_schema_to_public()


def rename_holder(association, holding_pk, name: str) -> None:
    from tenants.residents.models import Holding

    connection.set_tenant(association)
    try:
        with transaction.atomic():
            holding = Holding.objects.get(pk=holding_pk)
            holding.full_name = name
            holding.save()
    finally:
        connection.set_schema_to_public()


def test_export_then_restore_brings_the_association_back(association, tmp_path):
    created, holding_pk, _other = association
    out = tmp_path / "export"
    call_command("export_association", created.schema_name, output=str(out))

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema_name"] == created.schema_name
    key = account_key_name(created.schema_name, holding_pk)
    assert key in manifest["keys"] and f"assoc-{created.schema_name}" in manifest["keys"]
    # The archive holds ciphertext and sealed key files, never the holder's name.
    for name in ("schema.sql", "keys.json", "association.json", "manifest.json"):
        assert HOLDER not in (out / name).read_text(), name
        assert (out / name).stat().st_mode & 0o077 == 0, f"{name} is readable by others"

    rename_holder(created, holding_pk, "Испорченное Имя")
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore_association", str(out))
    call_command("restore_association", str(out), replace=True)

    assert holder_name(created, holding_pk) == HOLDER
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
            [created.schema_name + "_pre_restore_%"],
        )
        assert len(cursor.fetchall()) == 1, "the live schema is kept aside"


def test_a_restore_recreates_lost_keys_and_public_rows(association, tmp_path):
    created, holding_pk, _other = association
    out = tmp_path / "export"
    call_command("export_association", created.schema_name, output=str(out))
    key = account_key_name(created.schema_name, holding_pk)
    # The key store lost the holder's key (a disk, not an erasure: no tombstone).
    get_provider().destroy_key(key)
    get_key_cache().clear()
    with pytest.raises(CryptoError):
        holder_name(created, holding_pk)

    call_command("restore_association", str(out), replace=True)
    assert get_provider().key_exists(key)
    assert holder_name(created, holding_pk) == HOLDER


def test_a_restore_never_undoes_an_erasure_made_after_the_export(association, tmp_path):
    created, holding_pk, other_pk = association
    out = tmp_path / "export"
    call_command("export_association", created.schema_name, output=str(out))
    erased = account_key_name(created.schema_name, holding_pk)
    # After the export the holder is erased: tombstone recorded, key destroyed.
    connection.set_tenant(created)
    with transaction.atomic():
        KeyDestruction.objects.create(key_name=erased)
    connection.set_schema_to_public()
    get_provider().destroy_key(erased)

    call_command("restore_association", str(out), replace=True)

    assert not get_provider().key_exists(erased), "the erased holder's key came back"
    with pytest.raises(CryptoError):
        holder_name(created, holding_pk)
    assert holder_name(created, other_pk) == "Другой Держатель"
    connection.set_tenant(created)
    try:
        assert KeyDestruction.objects.filter(key_name=erased).exists(), "tombstone lost"
    finally:
        connection.set_schema_to_public()


def test_an_export_newer_than_the_code_is_refused(association, tmp_path):
    created, _holding_pk, _other = association
    out = tmp_path / "export"
    call_command("export_association", created.schema_name, output=str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["migrations"].append("residents.9999_from_the_future")
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="newer than this code"):
        call_command("restore_association", str(out), replace=True)


def test_an_unknown_schema_is_refused(committed, tmp_path):
    with pytest.raises(CommandError, match="no association"):
        call_command("export_association", "no_such_schema", output=str(tmp_path / "x"))


def test_with_vault_the_export_names_the_keys_and_the_restore_checks_them(
    association, tmp_path, monkeypatch
):
    """Transit keys never leave Vault: the export lists them, the restore finds them there and
    refuses (before touching the schema) when one is missing without having been destroyed."""
    from associations import backup
    from core.crypto.naming import association_key_name
    from core.crypto.providers.vault import VaultTransitProvider
    from tests.core.crypto.vault_standin import VaultStandIn

    created, holding_pk, other_pk = association
    names = [
        association_key_name(created.schema_name),
        account_key_name(created.schema_name, holding_pk),
        account_key_name(created.schema_name, other_pk),
    ]
    with VaultStandIn() as server:
        vault = VaultTransitProvider(server.url, token=server.root_token)
        for name in names:
            vault.create_key(name)
        vault.rotate_key(names[1])
        vault.create_key("assoc-someone_else")
        monkeypatch.setattr(backup, "get_provisioning_provider", lambda: vault)

        out = tmp_path / "export"
        call_command("export_association", created.schema_name, output=str(out))
        keys = json.loads((out / "keys.json").read_text())
        assert keys["provider"] == "vault"
        assert sorted(keys["keys"]) == sorted(names)
        assert keys["keys"][names[1]] == {"latest_version": 2}
        assert all("sealed" not in entry for entry in keys["keys"].values())

        rename_holder(created, holding_pk, "Изменённое Имя")
        vault.destroy_key(names[2])  # lost, with no tombstone: not an erasure
        with pytest.raises(CommandError, match="not in the key provider"):
            call_command("restore_association", str(out), replace=True)
        vault.close()
    # Refused before the schema was touched.
    monkeypatch.undo()
    assert holder_name(created, holding_pk) == "Изменённое Имя"
