"""Deleting an association: only when suspended, after typing its subdomain; the schema is
dropped, the keys destroyed, the domain removed, and an audit entry stays in public."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from associations.models import Association, AssociationStatus, Domain
from associations.services import create_association
from console.models import AssociationExport
from core.audit.models import AuditEntry
from core.crypto import keyring
from core.crypto.registry import get_key_cache, get_provider
from tests.platform.console.conftest import fill_registry
from tests.platform.console.helpers import make_ready_export

pytestmark = pytest.mark.django_db

SLUG = "throwaway-del"


@pytest.fixture
def throwaway(db):
    """A real association (schema migrated, key created) inside the test's transaction."""
    association = create_association(name="ТСЖ «Временное»", slug=SLUG)
    fill_registry(association)  # holdings: account keys besides the association's key
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # Rows inserted in this same transaction leave deferred FK checks pending, which would
        # block DROP SCHEMA; in real use the association was created in an earlier transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return association


def keys_of(schema: str) -> list[str]:
    provider = get_provider()
    return provider.list_keys(f"assoc-{schema}") + provider.list_keys(f"acct-{schema}-")


def suspend(console, association):
    response = console.post(
        f"/console/associations/{association.pk}/suspend/", {"reason": "closing down"}
    )
    assert response.status_code == 302


def delete(console, association, confirmation):
    return console.post(
        f"/console/associations/{association.pk}/delete/", {"confirmation": confirmation}
    )


def test_a_suspended_association_is_deleted_with_its_schema_keys_and_domain(
    console, operator, throwaway
):
    schema = throwaway.schema_name
    assert schema_exists(schema)
    assert len(keys_of(schema)) >= 2  # the association's key and a holding's key
    make_ready_export(throwaway)
    connection.set_schema_to_public()
    suspend(console, throwaway)

    response = delete(console, throwaway, SLUG)

    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert not schema_exists(schema)
    # The key job destroys the keys the deletion asked for (in production, on the keys queue).
    connection.set_schema_to_public()
    assert keyring.destroy_requested_keys() == 2
    assert keys_of(schema) == []
    assert not Association.objects.filter(slug=SLUG).exists()
    assert not Domain.objects.filter(domain__startswith=f"{SLUG}.").exists()
    assert not AssociationExport.objects.filter(association_id=throwaway.pk).exists()
    entry = AuditEntry.objects.get(action="console.association_deleted")
    assert entry.actor_id == operator.pk
    assert entry.target_id == str(throwaway.pk)
    assert entry.details["slug"] == SLUG and entry.details["schema"] == schema
    assert entry.details["keys"] >= 2
    assert throwaway.name not in str(entry.details)


def test_the_key_cache_forgets_the_deleted_associations_keys(console, throwaway):
    cache = get_key_cache()
    assert any(item.name.endswith(throwaway.schema_name) for item in cache._entries)
    suspend(console, throwaway)
    delete(console, throwaway, SLUG)
    assert not any(throwaway.schema_name in item.name for item in cache._entries)


def test_an_active_association_is_not_deleted(console, throwaway):
    page = console.get(f"/console/associations/{throwaway.pk}/delete/")
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split('class="narrow"')[1]
    response = delete(console, throwaway, SLUG)
    assert response.status_code == 400
    assert schema_exists(throwaway.schema_name)
    assert keys_of(throwaway.schema_name)
    assert Association.objects.filter(pk=throwaway.pk, status=AssociationStatus.ACTIVE).exists()
    assert not AuditEntry.objects.filter(action="console.association_deleted").exists()


@pytest.mark.parametrize("typed", ["", "throwaway", "THROWAWAY-DEL", "alpha"])
def test_a_wrong_confirmation_is_refused_beside_the_field(console, throwaway, typed):
    suspend(console, throwaway)
    response = delete(console, throwaway, typed)
    assert response.status_code == 400
    assert "confirmation" in response.context["form"].errors
    assert schema_exists(throwaway.schema_name)
    assert keys_of(throwaway.schema_name)
    assert not AuditEntry.objects.filter(action="console.association_deleted").exists()


def test_the_detail_page_offers_deletion_only_when_suspended(console, throwaway):
    link = f"/console/associations/{throwaway.pk}/delete/"
    assert link not in console.get(f"/console/associations/{throwaway.pk}/").content.decode()
    suspend(console, throwaway)
    assert link in console.get(f"/console/associations/{throwaway.pk}/").content.decode()


def test_the_platforms_own_site_cannot_be_deleted(console):
    public = Association.objects.get(schema_name="public")
    assert delete(console, public, "public").status_code == 404
    assert schema_exists("public")
