"""Pinned query counts of the operators' console (tests/query_counts.py): the list with one more
association and twenty, an association's page with one premises and twenty, the audit log with
one entry and twenty; and the association's export page on its portal with one export and twenty.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from associations.models import Association, AssociationKind, AssociationStatus
from console.models import AssociationExport
from core.access.roles import Role
from core.audit.models import AuditEntry
from core.audit.services import record
from tests.query_counts import counts_at, query_count

pytestmark = pytest.mark.django_db

SIZES = (1, 20)


def pinned(count: int) -> dict[int, int]:
    return dict.fromkeys(SIZES, count)


def test_the_list(console, alpha, beta):
    def grow_to(size):
        made = Association.objects.exclude(slug__in=["alpha", "beta", "public"]).count()
        Association.objects.bulk_create(  # rows without schemas: the list reads the public table
            Association(
                schema_name=f"extra_{n}",
                slug=f"extra-{n}",
                name=f"Extra {n}",
                kind=AssociationKind.TSZH,
                status=AssociationStatus.ACTIVE,
            )
            for n in range(made, size)
        )

    assert counts_at(SIZES, grow_to, lambda: query_count(console, "/console/")) == pinned(6)


def test_an_associations_page(console, alpha):
    from tenants.residents.models import Building, Premises

    def grow_to(size):
        connection.set_tenant(alpha)
        building = Building.objects.get_or_create(name="Корпус 1")[0]
        for n in range(Premises.objects.count(), size):
            Premises.objects.create(building=building, number=str(n + 1), area="42.50")
        connection.set_schema_to_public()

    found = counts_at(
        SIZES, grow_to, lambda: query_count(console, f"/console/associations/{alpha.pk}/")
    )
    # One query per figure the apps declare for the console (core.extensions.TenantCount):
    # documents, open requests, forum posts, meetings among them.
    assert found == pinned(24)


def test_the_audit_log(console, operator):
    def grow_to(size):
        connection.set_schema_to_public()
        with transaction.atomic():
            made = AuditEntry.objects.filter(action__startswith="console.test_").count()
            for n in range(made, size):
                record(f"console.test_{n}", actor=operator)

    assert counts_at(SIZES, grow_to, lambda: query_count(console, "/console/audit/")) == pinned(6)


def test_the_export_page_on_the_portal(alpha, make_user, client_of):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha, chairman)

    def grow_to(size):
        for _n in range(AssociationExport.objects.count(), size):
            AssociationExport.objects.create(association=alpha)

    assert counts_at(SIZES, grow_to, lambda: query_count(client, "/export/")) == pinned(3)
