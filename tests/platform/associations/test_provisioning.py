"""Provisioning is all or nothing, logged for the operators, and fast by cloning.

Each test runs in a transaction rolled back at the end (PostgreSQL's DDL is transactional, so
schemas made here vanish too); the template schema was built when the test database was.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django_tenants.utils import schema_context

from associations import schemas, services
from associations.models import (
    Association,
    AssociationStatus,
    ProvisioningAttempt,
    ProvisioningPath,
    ProvisioningStatus,
    ProvisioningStep,
)
from associations.services import (
    AssociationSpec,
    ChairmanSpec,
    InnRegistered,
    ProvisioningFailed,
    SubdomainTaken,
    create_association,
    provision_association,
)
from core.access.roles import Role
from core.audit.models import AuditEntry
from tests.factories import TEST_PASSWORD
from tests.platform.associations.support import (
    SBERBANK_INN,
    SBERBANK_OGRN,
    InjectedFailure,
    last_attempt,
    leftovers,
    unique_slug,
)

pytestmark = pytest.mark.django_db

CHAIRMAN_EMAIL = "chair@example.test"


def chairman() -> ChairmanSpec:
    return ChairmanSpec(
        email=CHAIRMAN_EMAIL,
        full_name="Ирина Павловна Соколова",
        password_hash=make_password(TEST_PASSWORD),
    )


def spec(slug: str, **fields) -> AssociationSpec:
    return AssociationSpec(name="ТСЖ «Тест»", slug=slug, **fields)


def test_a_provisioned_association_is_active_with_schema_domain_key_and_chairman():
    slug = unique_slug()
    result = provision_association(spec(slug, time_zone="Asia/Omsk"), chairman=chairman())

    association = Association.objects.get(slug=slug)
    assert association.status == AssociationStatus.ACTIVE
    assert association.time_zone == "Asia/Omsk"
    assert association.get_primary_domain().domain == f"{slug}.localhost"
    assert leftovers(slug) == {
        "association": True,
        "domain": True,
        "schema": True,
        "users": 1,
        "key": True,
    }
    with schema_context(association.schema_name):
        user = get_user_model().objects.with_email(CHAIRMAN_EMAIL).get()
        assert set(user.roles) == {Role.CHAIRMAN, Role.BOARD_MEMBER}
        assert user.check_password(TEST_PASSWORD)
        assert user.full_name == "Ирина Павловна Соколова"
        assert AuditEntry.objects.filter(action="access.user_created").count() == 1
    assert result.path == ProvisioningPath.REPLAY  # no spares in the test settings
    assert AuditEntry.objects.filter(
        action="association.provisioned", target_id=str(association.pk)
    ).exists()


def test_the_attempt_is_logged_with_its_path_and_timings_and_no_personal_data():
    slug = unique_slug()
    provision_association(spec(slug), chairman=chairman())

    attempt = last_attempt(slug)
    assert attempt.status == ProvisioningStatus.SUCCEEDED
    assert attempt.association.slug == slug
    assert attempt.path == ProvisioningPath.REPLAY
    assert attempt.failed_step == "" and attempt.error_class == ""
    assert set(attempt.step_ms) >= {"template", "association", "schema", "domain", "key"}
    assert attempt.duration_ms > 0
    stored = str(ProvisioningAttempt.objects.filter(pk=attempt.pk).values().get())
    assert CHAIRMAN_EMAIL not in stored and "Соколова" not in stored


def test_a_new_schema_holds_the_migration_records_and_no_other_association_rows(alpha):
    slug = unique_slug()
    association = create_association(name="ТСЖ «Чистый»", slug=slug)

    assert schemas.migrations_in(association.schema_name) >= schemas.graph_migrations()
    with schema_context(association.schema_name):
        assert get_user_model().objects.count() == 0
    schemas.refuse_association_rows(association.schema_name)  # raises if any


def test_a_spare_schema_is_renamed_when_the_pool_has_one():
    result = schemas.maintain_pool(2)
    assert result["spares"] == 2
    slug = unique_slug()

    provisioned = provision_association(spec(slug), chairman=chairman())

    assert provisioned.path == ProvisioningPath.SPARE
    assert schemas.spare_count() == 1
    with schema_context(Association.schema_name_for(slug)):
        assert get_user_model().objects.count() == 1


def test_the_migrate_path_makes_the_same_tables_as_the_clone():
    cloned, migrated = unique_slug("c"), unique_slug("m")
    create_association(name="ТСЖ «Клон»", slug=cloned)
    create_association(name="ТСЖ «Миграции»", slug=migrated, method="migrate")

    def tables(slug):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s ORDER BY 1, 2",
                [Association.schema_name_for(slug)],
            )
            return cursor.fetchall()

    assert tables(cloned) == tables(migrated)
    assert last_attempt(migrated).path == ProvisioningPath.MIGRATE
    assert schemas.migrations_in(Association.schema_name_for(migrated)) == schemas.migrations_in(
        Association.schema_name_for(cloned)
    )


# --- All or nothing ------------------------------------------------------------------------------

STEP_FUNCTIONS = {
    ProvisioningStep.TEMPLATE: "associations.schemas.lock_template_shared",
    ProvisioningStep.ASSOCIATION: "associations.services._insert_association",
    ProvisioningStep.SCHEMA: "associations.services._create_schema",
    ProvisioningStep.DOMAIN: "associations.services._add_domains",
    ProvisioningStep.KEY: "associations.services._create_association_key",
    ProvisioningStep.CHAIRMAN: "associations.services._create_chairman",
    ProvisioningStep.ACTIVATE: "associations.services._activate",
}


def fail_after(monkeypatch, target: str) -> None:
    """Let the step do its work, then fail: what it made must be undone."""
    module_path, name = target.rsplit(".", 1)
    module = __import__(module_path, fromlist=[name])
    original = getattr(module, name)

    def failing(*args, **kwargs):
        original(*args, **kwargs)
        raise InjectedFailure

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize("pool", [0, 1], ids=["replay", "spare"])
@pytest.mark.parametrize("step", [*STEP_FUNCTIONS, ProvisioningStep.HANDOVER])
def test_a_failure_at_any_step_leaves_nothing_behind_and_is_logged(monkeypatch, step, pool):
    schemas.maintain_pool(pool)
    spares_before = schemas.spare_count()
    slug = unique_slug()
    handover_calls = []

    def handover(association, user):
        handover_calls.append(user.pk)
        if step == ProvisioningStep.HANDOVER:
            raise InjectedFailure
        return "token"

    if step != ProvisioningStep.HANDOVER:
        fail_after(monkeypatch, STEP_FUNCTIONS[step])

    with pytest.raises(ProvisioningFailed) as raised:
        provision_association(spec(slug), chairman=chairman(), handover=handover)

    assert raised.value.step == step
    assert isinstance(raised.value.__cause__, InjectedFailure)
    assert leftovers(slug) == {}
    assert schemas.spare_count() == spares_before  # a renamed spare comes back with the rollback
    assert connection.schema_name == "public"
    attempt = last_attempt(slug)
    assert attempt.status == ProvisioningStatus.FAILED
    assert attempt.failed_step == step
    assert attempt.error_class == "InjectedFailure"
    assert attempt.association is None
    assert not AuditEntry.objects.filter(
        action="association.provisioned", details__attempt=str(attempt.pk)
    ).exists()


def test_the_migrate_path_fails_cleanly_too(monkeypatch):
    slug = unique_slug()
    fail_after(monkeypatch, STEP_FUNCTIONS[ProvisioningStep.CHAIRMAN])

    with pytest.raises(ProvisioningFailed):
        provision_association(spec(slug), chairman=chairman(), method="migrate")

    assert leftovers(slug) == {}
    assert last_attempt(slug).failed_step == ProvisioningStep.CHAIRMAN


def test_a_failure_never_touches_the_key_of_the_association_that_owns_the_subdomain(alpha):
    from core.crypto.naming import association_key_name
    from core.crypto.registry import get_provider

    with pytest.raises(SubdomainTaken):
        provision_association(spec("alpha"), chairman=chairman())

    assert get_provider().key_exists(association_key_name("alpha"))
    assert last_attempt("alpha").failed_step == ProvisioningStep.ASSOCIATION
    assert last_attempt("alpha").error_class == "SubdomainTaken"


def test_an_inn_already_registered_is_refused():
    create_association(
        name="ТСЖ «Первый»", slug=unique_slug(), inn=SBERBANK_INN, ogrn=SBERBANK_OGRN
    )
    slug = unique_slug()

    with pytest.raises(InnRegistered):
        provision_association(spec(slug, inn=SBERBANK_INN, ogrn=SBERBANK_OGRN))

    assert leftovers(slug) == {}


def test_a_template_behind_the_code_is_not_used_inside_a_transaction(monkeypatch):
    """Here (inside the test's transaction) the rebuild cannot commit: migrate this once."""
    monkeypatch.setattr(schemas, "graph_migrations", lambda: frozenset({"never.0001_applied"}))
    slug = unique_slug()

    result = provision_association(spec(slug))

    assert result.path == ProvisioningPath.MIGRATE
    assert Association.objects.get(slug=slug).status == AssociationStatus.ACTIVE


def test_services_refuse_to_provision_from_an_association_schema(alpha):
    connection.set_tenant(alpha)
    with pytest.raises(RuntimeError):
        services.provision_association(spec(unique_slug()))


def test_a_key_that_exists_already_is_used_and_never_destroyed_by_a_failure(monkeypatch):
    """Another database may share the key store (a benchmark's copy of ``demo``): its key must
    survive whatever happens to a provisioning here."""
    from core.crypto.naming import association_key_name
    from core.crypto.registry import get_provider

    slug = unique_slug()
    name = association_key_name(Association.schema_name_for(slug))
    get_provider().create_key(name)
    fail_after(monkeypatch, STEP_FUNCTIONS[ProvisioningStep.CHAIRMAN])

    with pytest.raises(ProvisioningFailed):
        provision_association(spec(slug), chairman=chairman())

    assert leftovers(slug) == {"key": True}
    get_provider().destroy_key(name)
