"""Encrypted model fields in a real tenant schema: what the database holds and what it refuses."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError, ValidationError
from django.db import connection, transaction

from core.crypto import keyring, registry
from core.crypto.errors import DecryptionError, KeyNotFound, ProviderUnavailable
from core.crypto.models import WrappedDataKey
from core.crypto.providers.vault import VaultTransitProvider
from tenants.residents.models import Holding
from tenants.residents.services import change_holder, erase_holder, open_account

pytestmark = pytest.mark.django_db

HOLDER = {
    "full_name": "Смирнова Анна Владимировна",
    "phones": ["+7 912 345-67-89"],
    "emails": ["anna.smirnova@example.test"],
    "documents": [{"kind": "passport", "number": "4510 123456"}],
}


def raw_column(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_database_holds_only_ciphertext(in_alpha):
    _account, holding = open_account(
        number="001", holder=HOLDER, started_on=datetime.date(2024, 1, 1)
    )
    for column in ("full_name", "phones", "emails", "documents"):
        stored = raw_column("residents_holding", column, holding.pk)
        assert stored.startswith("e1.")
        # Probes carry a space or "@", which the ciphertext's alphabet (hex key id,
        # base64url) never holds: a bare "4510" once matched a random key id.
        for probe in ("Смирнова", "anna.smirnova@", "4510 123456"):
            assert probe not in stored
    fresh = Holding.objects.get(pk=holding.pk)
    assert fresh.full_name == HOLDER["full_name"]
    assert fresh.documents == HOLDER["documents"]


def test_user_email_and_name_are_encrypted_and_login_uses_the_blind_index(in_alpha, make_user):
    user = make_user(in_alpha, email="Olga@Example.test", full_name="Ольга Белова")
    assert "olga@" not in raw_column("access_user", "email", user.pk).lower()
    assert "Ольга" not in raw_column("access_user", "full_name", user.pk)
    assert get_user_model().objects.get_by_natural_key("OLGA@example.test") == user


def test_each_holding_has_its_own_key_and_a_new_holder_gets_a_new_one(in_alpha):
    account, first = open_account(number="002", holder=HOLDER, started_on=datetime.date(2020, 5, 1))
    second = change_holder(
        account, holder={"full_name": "Козлов Пётр Ильич"}, on=datetime.date(2025, 3, 1)
    )
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2025, 3, 1)
    assert first.encryption_key_name() != second.encryption_key_name()
    names = set(WrappedDataKey.objects.values_list("key_name", flat=True))
    assert {first.encryption_key_name(), second.encryption_key_name()} <= names


def test_a_ciphertext_copied_into_another_row_fails_to_decrypt(in_alpha):
    _a, one = open_account(number="003", holder=HOLDER, started_on=datetime.date(2024, 1, 1))
    _b, two = open_account(
        number="004", holder={"full_name": "Другой"}, started_on=datetime.date(2024, 1, 1)
    )
    stolen = raw_column("residents_holding", "full_name", one.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE residents_holding SET full_name = %s WHERE id = %s", [stolen, two.pk]
        )
    with pytest.raises((DecryptionError, KeyNotFound)):
        _ = Holding.objects.get(pk=two.pk).full_name


def test_a_ciphertext_copied_into_another_field_fails_to_decrypt(in_alpha):
    _a, one = open_account(number="005", holder=HOLDER, started_on=datetime.date(2024, 1, 1))
    stolen = raw_column("residents_holding", "full_name", one.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE residents_holding SET phones = %s WHERE id = %s", [stolen, one.pk])
    with pytest.raises(DecryptionError):
        _ = Holding.objects.get(pk=one.pk).phones


def test_bulk_update_of_an_encrypted_field_is_refused(in_alpha):
    open_account(number="006", holder=HOLDER, started_on=datetime.date(2024, 1, 1))
    with pytest.raises(TypeError, match="refused"):
        Holding.objects.all().update(full_name="Someone")
    with pytest.raises(FieldError):
        Holding.objects.filter(full_name="x").exists()  # no lookups on ciphertext


def test_erasing_a_holder_shreds_their_data_even_in_an_earlier_backup(
    in_alpha, django_capture_on_commit_callbacks
):
    account, former = open_account(
        number="007", holder=HOLDER, started_on=datetime.date(2019, 1, 1)
    )
    current = change_holder(
        account, holder={"full_name": "Новый Владелец"}, on=datetime.date(2025, 1, 1)
    )
    former.refresh_from_db()  # ended by the change of holder
    # A "backup" taken before the erasure: the stored token and the wrapped data key rows.
    backup_token = raw_column("residents_holding", "full_name", former.pk)
    backup_keys = list(WrappedDataKey.objects.filter(key_name=former.encryption_key_name()))
    with django_capture_on_commit_callbacks(execute=True):
        erase_holder(former)
    assert keyring.destroy_requested_keys() == 1  # the key job, after the commit
    former.refresh_from_db()
    assert former.erased_at is not None and former.full_name is None
    registry.get_key_cache().clear()  # a new process: nothing cached
    provider = registry.get_provider()
    for row in backup_keys:
        with pytest.raises(KeyNotFound):
            provider.unwrap(row.key_name, row.wrapped)
    assert backup_token.startswith("e1.")
    # The current holder's data is untouched.
    assert Holding.objects.get(pk=current.pk).full_name == "Новый Владелец"


def test_a_warm_list_makes_no_provider_calls_and_a_cold_one_makes_one_wave(in_alpha):
    for n in range(12):
        open_account(number=f"1{n:02d}", holder=HOLDER, started_on=datetime.date(2024, 1, 1))
    cache = registry.get_key_cache()
    cache.clear()
    cache.reset_stats()
    names = [h.full_name for h in Holding.objects.all()]
    assert names == [HOLDER["full_name"]] * 12
    cold = cache.stats
    assert cold.waves == 1 and cold.provider_calls == 12
    cache.reset_stats()
    assert [h.full_name for h in Holding.objects.all()] == names
    assert cache.stats.provider_calls == 0


def test_provider_unreachable_writes_nothing(in_alpha, monkeypatch):
    cache = registry.get_key_cache()
    cache.clear()
    down = VaultTransitProvider(url="http://127.0.0.1:9", token="x", timeout=1)
    monkeypatch.setattr(registry, "_provider", down)
    with pytest.raises(ProviderUnavailable), transaction.atomic():
        open_account(number="900", holder=HOLDER, started_on=datetime.date(2024, 1, 1))
    from tenants.residents.models import PersonalAccount

    assert not PersonalAccount.objects.filter(number="900").exists()


def test_provider_unreachable_answers_503_with_a_clear_page(alpha, client_of, monkeypatch):
    registry.get_key_cache().clear()
    down = VaultTransitProvider(url="http://127.0.0.1:9", token="x", timeout=1)
    monkeypatch.setattr(registry, "_provider", down)
    response = client_of(alpha).post(
        "/accounts/login/", {"username": "a@example.test", "password": "whatever-123"}
    )
    assert response.status_code == 503
    assert "Хранилище ключей" in response.content.decode()


def test_keys_of_a_rolled_back_transaction_are_swept(in_alpha):
    provider = registry.get_provider()
    orphan = keyring.holding_key(uuid.uuid4())
    try:
        with transaction.atomic():
            keyring.writing_key(orphan)
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass
    kept = keyring.holding_key(uuid.uuid4())
    keyring.writing_key(kept)  # its row exists in this (open) transaction
    assert provider.key_exists(orphan)
    swept = keyring.sweep_uncommitted_keys(grace_seconds=-1)
    assert orphan in swept
    assert not provider.key_exists(orphan)
    assert provider.key_exists(kept)


def test_a_rolled_back_erasure_keeps_the_key(in_alpha):
    account, holding = open_account(
        number="008", holder=HOLDER, started_on=datetime.date(2024, 1, 1)
    )
    change_holder(account, holder={"full_name": "Новый"}, on=datetime.date(2025, 1, 1))
    holding.refresh_from_db()
    with pytest.raises(RuntimeError), transaction.atomic():
        erase_holder(holding)
        raise RuntimeError("the request failed after the erasure")
    registry.get_key_cache().clear()
    assert Holding.objects.get(pk=holding.pk).full_name == HOLDER["full_name"]


def test_the_current_holder_cannot_be_erased(in_alpha):
    _account, holding = open_account(
        number="009", holder=HOLDER, started_on=datetime.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError):
        erase_holder(holding)
