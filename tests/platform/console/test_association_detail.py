"""An association's page: counts from its schema, storage, plan, provisioning log; no names."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from associations.models import Association
from core.access.roles import Role
from tests.platform.console.conftest import HOLDER_EMAIL, HOLDER_NAME, fill_registry

pytestmark = pytest.mark.django_db


def test_the_page_counts_premises_accounts_and_members_from_the_association_schema(console, alpha):
    made = fill_registry(alpha, premises=3)
    response = console.get(f"/console/associations/{alpha.pk}/")
    assert response.status_code == 200
    usage = response.context["usage"]
    assert usage.available
    assert usage.premises == 3
    assert usage.accounts == 1
    # The chairman and two owners hold roles; a user without a role and a switched-off one don't.
    assert usage.members == 3
    by_role = dict(usage.members_by_role)
    assert by_role[Role.OWNER.label] == 3  # the chairman is an owner too
    assert by_role[Role.CHAIRMAN.label] == 1
    assert by_role[Role.ACCOUNTANT.label] == 0
    assert usage.storage_bytes > 0
    assert made["chairman"].email not in response.content.decode()


def test_counts_belong_to_the_association_asked_for(console, alpha, beta):
    fill_registry(alpha, premises=4)
    usage = console.get(f"/console/associations/{beta.pk}/").context["usage"]
    assert usage.premises == 0
    assert usage.members == 0


def test_the_console_never_shows_members_names_or_emails(console, alpha):
    made = fill_registry(alpha)
    connection.set_schema_to_public()
    pages = [
        console.get(f"/console/associations/{alpha.pk}/"),
        console.get("/console/", {"q": "alpha"}),
        console.get("/console/audit/"),
    ]
    forbidden = [HOLDER_NAME, HOLDER_EMAIL, made["chairman"].email, made["chairman"].full_name]
    forbidden += [owner.email for owner in made["owners"]]
    for response in pages:
        html = response.content.decode()
        for value in forbidden:
            assert value not in html


def test_plan_billing_and_last_activity_are_shown(console, alpha):
    console.cookies["django_language"] = "en"
    Association.objects.filter(pk=alpha.pk).update(plan="Стандарт", last_activity_at=None)
    html = console.get(f"/console/associations/{alpha.pk}/").content.decode()
    assert "Стандарт" in html
    # No billing exists yet: say so, rather than suggest the association has not paid.
    assert "Billing not connected yet" in html
    assert "No subscription" not in html

    when = datetime.datetime(2031, 5, 17, 9, 30, tzinfo=datetime.UTC)
    Association.objects.filter(pk=alpha.pk).update(last_activity_at=when)
    html = console.get(f"/console/associations/{alpha.pk}/").content.decode()
    assert "2031" in html


def test_the_provisioning_log_lists_the_association_attempts(console, alpha):
    from django.apps import apps

    try:
        attempt_model = apps.get_model("associations", "ProvisioningAttempt")
    except LookupError:
        pytest.skip("provisioning keeps no log yet")
    attempt_model.objects.create(
        slug="alpha", schema_name="alpha", association=alpha, status="succeeded", path="spare"
    )
    attempt_model.objects.create(
        slug="alpha", schema_name="alpha", status="failed", failed_step="key", error_class="X"
    )
    attempt_model.objects.create(slug="beta", schema_name="beta", status="succeeded")
    response = console.get(f"/console/associations/{alpha.pk}/")
    log = response.context["provisioning_log"]
    assert {a.status for a in log} == {"succeeded", "failed"}
    assert all(a.schema_name == "alpha" for a in log)
    # The failure without an association shows on the list page too.
    assert any(a.slug == "alpha" for a in console.get("/console/").context["failures"])


def test_the_public_site_and_unknown_ids_have_no_page(console):
    public = Association.objects.get(schema_name="public")
    assert console.get(f"/console/associations/{public.pk}/").status_code == 404
    assert console.get("/console/associations/999999/").status_code == 404
