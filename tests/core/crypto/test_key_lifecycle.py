"""Keys over their life: destruction that survives an outage, tombstones, caches, 503 pages."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client

from core.access.roles import Role
from core.crypto import keyring, registry, rotation
from core.crypto.errors import KeyNotFound, ProviderUnavailable
from core.crypto.models import KeyDestruction, WrappedDataKey
from tenants.residents.models import Holding
from tenants.residents.services import change_holder, erase_holder, open_account
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def former_holding(number: str) -> Holding:
    account, holding = open_account(
        number=number,
        holder={"full_name": "Прежний Владелец"},
        started_on=datetime.date(2020, 1, 1),
    )
    change_holder(account, holder={"full_name": "Новый"}, on=datetime.date(2025, 1, 1))
    holding.refresh_from_db()
    return holding


def test_a_destruction_waits_out_a_provider_outage_then_completes(in_alpha, monkeypatch):
    holding = former_holding("L-1")
    erase_holder(holding)
    provider = registry.get_provider()

    def down(name):
        raise ProviderUnavailable("vault down")

    monkeypatch.setattr(provider, "destroy_key", down)
    with pytest.raises(ProviderUnavailable):
        keyring.destroy_requested_keys()
    request = KeyDestruction.objects.get(key_name=holding.encryption_key_name())
    assert request.destroyed_at is None  # still pending: the job retries
    monkeypatch.undo()
    assert keyring.destroy_requested_keys() == 1
    assert not registry.get_provider().key_exists(holding.encryption_key_name())


def test_an_erased_owner_never_gets_a_new_key(in_alpha):
    holding = former_holding("L-2")
    erase_holder(holding)
    keyring.destroy_requested_keys()
    holding.full_name = "Someone writes again"
    with pytest.raises(KeyNotFound), transaction.atomic():
        holding.save()
    assert not WrappedDataKey.objects.filter(key_name=holding.encryption_key_name()).exists()


def test_a_deferred_encrypted_field_is_loaded_not_read_as_none(in_alpha, make_user):
    user = make_user(in_alpha, email="deferred@example.test")
    assert get_user_model().objects.only("id").get(pk=user.pk).email == "deferred@example.test"


def test_an_empty_email_matches_nobody(in_alpha, make_user):
    make_user(in_alpha, email="someone@example.test")
    assert not get_user_model().objects.with_email("").exists()


def test_saving_only_the_email_keeps_its_blind_index_in_step(in_alpha, make_user):
    user = make_user(in_alpha, email="old@example.test")
    user.email = "new@example.test"
    user.save(update_fields=["email"])
    users = get_user_model().objects
    assert users.with_email("new@example.test").get() == user
    assert not users.with_email("old@example.test").exists()


def test_rows_loaded_by_select_related_get_their_keys_in_the_same_wave(in_alpha):
    for n in range(6):
        open_account(
            number=f"S-{n}", holder={"full_name": f"Имя {n}"}, started_on=datetime.date(2024, 1, 1)
        )
    from tenants.residents.models import Owner  # noqa: F401  (select_related from the holding)

    cache = registry.get_key_cache()
    cache.clear()
    keyring.forget_cached_rows()
    cache.reset_stats()
    names = [h.full_name for h in Holding.objects.select_related("account").all()]
    assert len(names) == 6
    assert cache.stats.waves == 1


def test_the_key_row_cache_never_answers_for_another_association(in_alpha, in_beta):
    connection.set_tenant(in_alpha)
    _account, holding = open_account(
        number="X-1", holder={"full_name": "Альфа"}, started_on=datetime.date(2024, 1, 1)
    )
    token = Holding.objects.get(pk=holding.pk).__dict__["full_name"].token
    ref = token.split(".")[1]
    keyring.prefetch_refs([ref])  # cached for alpha
    connection.set_tenant(in_beta)
    with pytest.raises(KeyNotFound):
        keyring.key_for_ref(ref)


def test_rotation_of_the_public_schema_skips_tenant_tables(db, make_user):
    connection.set_schema_to_public()
    from tests.factories import UserFactory

    UserFactory(roles=[], is_staff=True)  # a data key in public
    run = rotation.reencrypt_rows()
    assert run.finished_at is not None


def test_key_store_down_while_loading_the_signed_in_user_is_a_503_page(
    alpha, client_of, make_user, monkeypatch
):
    owner = make_user(alpha, roles=[Role.OWNER], email="cold@example.test")
    client = client_of(alpha, owner)
    client.raise_request_exception = False
    registry.get_key_cache().clear()
    keyring.forget_cached_rows()
    provider = registry.get_provider()

    def down(*args, **kwargs):
        raise ProviderUnavailable("vault down")

    monkeypatch.setattr(provider, "unwrap", down)
    monkeypatch.setattr(provider, "unwrap_many", down)
    response = client.get("/")
    assert response.status_code == 503
    assert "Хранилище ключей" in response.content.decode()
    api = client.get("/api/v1/me/")
    assert api.status_code == 503 and api.json()["detail"]
    assert TEST_PASSWORD  # the owner signed in with the factory password


def test_key_store_down_on_an_anonymous_login_is_a_503_page(alpha, monkeypatch):
    registry.get_key_cache().clear()
    keyring.forget_cached_rows()
    provider = registry.get_provider()

    def down(*args, **kwargs):
        raise ProviderUnavailable("vault down")

    monkeypatch.setattr(provider, "unwrap", down)
    monkeypatch.setattr(provider, "generate_data_key", down)
    client = Client(HTTP_HOST="alpha.localhost", raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "a@x.test", "password": "x" * 12})
    assert response.status_code == 503
