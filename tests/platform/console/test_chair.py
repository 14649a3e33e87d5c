"""An association whose chairman is gone: the operator types the successor's login email (as
the association gave it), the successor accepts on the portal. Audited in public and in the
association (shown to its board); the operator never sees a member."""

from __future__ import annotations

import pytest
from django.db import connection

from core.access.roles import Role
from core.audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def name(console, association, email):
    return console.post(f"/console/associations/{association.pk}/chair/", {"email": email})


def test_the_operator_names_a_successor_who_accepts_on_the_portal(console, operator, alpha):
    from tenants.staff import services
    from tenants.staff.models import ChairHandover

    connection.set_tenant(alpha)
    gone = UserFactory(roles=[Role.CHAIRMAN], is_active=False)
    successor = UserFactory(roles=[Role.BOARD_MEMBER], email="elected@example.test")
    connection.set_schema_to_public()

    page = console.get(f"/console/associations/{alpha.pk}/")
    assert b"elected@example.test" not in page.content  # nobody is listed

    answer = name(console, alpha, "Elected@Example.test")
    assert answer.status_code == 302
    connection.set_schema_to_public()
    public_entry = AuditEntry.objects.get(action="console.chair_successor_named")
    assert public_entry.actor_id == operator.pk and public_entry.target_id == str(alpha.pk)
    assert "elected" not in str(public_entry.details)

    connection.set_tenant(alpha)
    handover = ChairHandover.objects.get()
    assert handover.by_operator and handover.successor_id == successor.pk
    assert AuditEntry.objects.filter(action="staff.handover_proposed").exists()
    # Nothing changes until the successor accepts.
    assert Role.CHAIRMAN in type(gone).objects.get(pk=gone.pk).roles
    services.accept_handover(handover, actor=successor)
    assert Role.CHAIRMAN not in type(gone).objects.get(pk=gone.pk).roles
    assert Role.CHAIRMAN in type(successor).objects.get(pk=successor.pk).roles


def test_an_unknown_email_is_refused_beside_the_field_and_nothing_changes(console, alpha):
    from tenants.staff.models import ChairHandover

    answer = name(console, alpha, "stranger@example.test")
    assert answer.status_code == 400
    assert answer.context["chair_form"].errors["email"]
    connection.set_schema_to_public()
    assert not AuditEntry.objects.filter(action="console.chair_successor_named").exists()
    connection.set_tenant(alpha)
    assert not ChairHandover.objects.exists()
