"""Suspend and reactivate: a suspended portal lets members sign in and read, changes nothing, and
says why on every page. Each operator action is audited in the public schema."""

from __future__ import annotations

import pytest
from django.db import connection

from associations.models import Association, AssociationStatus
from core.access.roles import Role
from core.audit.models import AuditEntry
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

REASON = "Не оплачен тариф за октябрь"


def suspend(console, association, reason=REASON):
    return console.post(f"/console/associations/{association.pk}/suspend/", {"reason": reason})


def reload(association) -> Association:
    connection.set_schema_to_public()
    return Association.objects.get(pk=association.pk)


def test_an_operator_suspends_with_a_reason_and_it_is_audited(console, operator, alpha):
    response = suspend(console, alpha)
    assert response.status_code == 302
    alpha_now = reload(alpha)
    assert alpha_now.status == AssociationStatus.SUSPENDED
    assert alpha_now.suspended_reason == REASON
    assert alpha_now.suspended_at is not None
    entry = AuditEntry.objects.get(action="console.association_suspended")
    assert entry.actor_id == operator.pk
    assert entry.target_id == str(alpha.pk)
    assert REASON not in str(entry.details)  # free text stays off the audit log


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_suspension_without_reason_is_refused_beside_the_field(console, alpha, reason):
    response = suspend(console, alpha, reason)
    assert response.status_code == 400
    assert "reason" in response.context["suspend_form"].errors
    assert reload(alpha).status == AssociationStatus.ACTIVE
    assert not AuditEntry.objects.filter(action="console.association_suspended").exists()


def test_a_reason_too_long_is_refused(console, alpha):
    response = suspend(console, alpha, "x" * 501)
    assert response.status_code == 400
    assert reload(alpha).status == AssociationStatus.ACTIVE


def test_a_suspended_association_cannot_be_suspended_again(console, alpha):
    suspend(console, alpha)
    response = suspend(console, alpha, "другая причина")
    assert response.status_code == 400
    assert reload(alpha).suspended_reason == REASON
    assert AuditEntry.objects.filter(action="console.association_suspended").count() == 1


def test_members_read_a_suspended_portal_and_see_why_on_every_page(
    console, alpha, client_of, make_user
):
    suspend(console, alpha)
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    for path in ("/", "/accounts/login/", "/export/"):
        response = member.get(path)
        assert response.status_code in (200, 302, 403)
        if response.status_code != 302:
            assert REASON in response.content.decode(), path
    page = member.get("/")
    assert page.status_code == 200
    assert 'class="suspension-banner"' in page.content.decode()


def test_a_suspended_portal_refuses_every_change_and_tells_members_why(
    console, alpha, client_of, make_user
):
    suspend(console, alpha)
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    response = member.post("/letters/ask/", {"subject": "Вопрос", "text": "Когда уберут снег?"})
    assert response.status_code == 403
    assert REASON in response.content.decode()
    api = member.post("/api/v1/me/", {}, content_type="application/json")
    assert api.status_code == 403
    assert api.json()["reason"] == REASON
    assert api.json()["suspended_at"]
    for method in (member.put, member.patch, member.delete):
        assert method("/api/v1/me/").status_code == 403


def test_anonymous_visitors_are_told_it_is_suspended_but_never_the_reason(
    console, alpha, client_of
):
    suspend(console, alpha)
    visitor = client_of(alpha)
    login_page = visitor.get("/accounts/login/")
    assert login_page.status_code == 200
    html = login_page.content.decode()
    assert 'class="suspension-banner"' in html
    assert REASON not in html and "suspension-reason" not in html
    refused = visitor.post("/letters/ask/", {"subject": "Вопрос", "text": "Когда уберут снег?"})
    assert refused.status_code in (302, 403)  # anonymous: the sign-in page or the refusal
    refused = visitor.post("/api/v1/me/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert REASON not in refused.content.decode()
    api = visitor.post("/api/v1/me/", {}, content_type="application/json")
    assert api.status_code == 403
    assert REASON not in api.content.decode()
    assert api.json()["detail"]
    assert api.json()["reason"] is None and api.json()["suspended_at"] is None
    for method in (visitor.put, visitor.patch, visitor.delete):
        response = method("/api/v1/me/")
        assert response.status_code == 403
        assert REASON not in response.content.decode()


def test_a_board_member_without_the_second_factor_yet_is_not_told_the_reason(
    console, alpha, client_of, make_user
):
    suspend(console, alpha)
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    half_signed_in = client_of(alpha, chairman, second_factor_verified=False)
    page = half_signed_in.get("/accounts/second-factor/")
    assert page.status_code == 200
    assert 'class="suspension-banner"' in page.content.decode()
    assert REASON not in page.content.decode()


def add_premises(association, number="17"):
    from tenants.residents.models import Building, Premises

    connection.set_tenant(association)
    building = Building.objects.create(name="Корпус 1", address="ул. Лесная, 5")
    Premises.objects.create(building=building, number=number, area="42.50")
    connection.set_schema_to_public()
    return building


def test_the_board_searches_filters_and_pages_the_registry_of_a_suspended_portal(
    console, alpha, client_of, make_user
):
    building = add_premises(alpha, number="117")
    suspend(console, alpha)
    board = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))

    found = board.post("/registry/", {"q": "117", "building": str(building.pk), "page": "1"})
    assert found.status_code == 200
    assert [row.premises.number for row in found.context["rows"]] == ["117"]
    results = board.post("/registry/", {"q": "117"}, HTTP_HX_REQUEST="true")
    assert results.status_code == 200
    assert "117" in results.content.decode()
    none = board.post("/registry/", {"q": "999"}, HTTP_HX_REQUEST="true")
    assert none.status_code == 200 and not none.context["rows"]

    # Every other change is still refused.
    added = board.post("/registry/buildings/new/", {"name": "Корпус 2", "address": ""})
    assert added.status_code == 403
    assert REASON in added.content.decode()
    edited = board.post(f"/registry/buildings/{building.pk}/", {"name": "Новое имя"})
    assert edited.status_code == 403
    connection.set_tenant(alpha)
    from tenants.residents.models import Building

    assert list(Building.objects.values_list("name", flat=True)) == ["Корпус 1"]


def test_only_views_marked_read_only_safe_take_changes_on_a_suspended_portal(rf, alpha):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from core.access.suspension import SuspendedAssociationMiddleware, read_only_safe

    def plain(request):
        return HttpResponse("changed")

    @read_only_safe
    def search(request):
        return HttpResponse("found")

    alpha_now = reload(alpha)
    alpha_now.status = AssociationStatus.SUSPENDED
    alpha_now.suspended_reason = REASON
    middleware = SuspendedAssociationMiddleware(lambda request: HttpResponse())
    assert getattr(search, "suspension_safe", False) is True
    for method in ("post", "put", "patch", "delete"):
        request = getattr(rf, method)("/anything/")
        request.tenant, request.user = alpha_now, AnonymousUser()
        middleware(request)
        assert middleware.process_view(request, search, (), {}) is None
        assert middleware.process_view(request, plain, (), {}).status_code == 403
    request = rf.get("/anything/")
    request.tenant, request.user = alpha_now, AnonymousUser()
    middleware(request)
    assert middleware.process_view(request, plain, (), {}) is None


def test_members_can_still_sign_in_out_and_switch_language(console, alpha, client_of, make_user):
    suspend(console, alpha)
    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha)
    signed_in = client.post(
        "/accounts/login/", {"username": owner.email, "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_a_chairman_confirms_the_second_factor_on_a_suspended_portal(
    console, alpha, client_of, make_user
):
    import pyotp

    from core.access.models import SecondFactor

    suspend(console, alpha)
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha, chairman, second_factor_verified=False)
    client.get("/accounts/second-factor/")
    connection.set_tenant(alpha)
    code = pyotp.TOTP(SecondFactor.objects.get(user=chairman).secret).now()
    assert client.post("/accounts/second-factor/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_reactivation_lifts_the_banner_and_accepts_changes_again(
    console, operator, alpha, client_of, make_user
):
    suspend(console, alpha)
    response = console.post(f"/console/associations/{alpha.pk}/reactivate/")
    assert response.status_code == 302
    alpha_now = reload(alpha)
    assert alpha_now.status == AssociationStatus.ACTIVE
    assert alpha_now.suspended_reason == "" and alpha_now.suspended_at is None
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    page = member.get("/").content.decode()
    assert "suspension-banner" not in page and REASON not in page
    asked = member.post("/letters/ask/", {"subject": "Вопрос", "text": "Когда уберут снег?"})
    assert asked.status_code != 403
    connection.set_schema_to_public()  # operators' actions are audited in public
    entry = AuditEntry.objects.get(action="console.association_reactivated")
    assert entry.actor_id == operator.pk and entry.target_id == str(alpha.pk)


def test_reactivating_an_active_association_changes_nothing(console, alpha):
    response = console.post(f"/console/associations/{alpha.pk}/reactivate/", follow=True)
    assert response.status_code == 200
    assert reload(alpha).status == AssociationStatus.ACTIVE
    assert not AuditEntry.objects.filter(action="console.association_reactivated").exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages


def test_another_association_is_not_affected(console, alpha, beta, client_of, make_user):
    suspend(console, alpha)
    member = client_of(beta, make_user(beta, roles=[Role.OWNER]))
    response = member.post("/letters/ask/", {"subject": "Вопрос", "text": "Когда уберут снег?"})
    assert response.status_code != 403
    assert "suspension-banner" not in client_of(beta).get("/accounts/login/").content.decode()


def test_the_public_site_never_shows_a_banner(console, alpha):
    suspend(console, alpha)
    assert "suspension-banner" not in console.get("/console/").content.decode()


def test_a_member_of_a_suspended_portal_can_still_reset_and_change_the_password(
    console, alpha, client_of, make_user
):
    """A suspension for an unpaid plan must not lock a member out of their own account."""
    suspend(console, alpha)
    reset = client_of(alpha).post("/accounts/password-reset/", {"email": "someone@example.test"})
    assert reset.status_code == 302
    owner = make_user(alpha, roles=[Role.OWNER])
    member = client_of(alpha, owner)
    changed = member.post(
        "/accounts/security/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Снегопад-над-Садовой-2026",
            "new_password2": "Снегопад-над-Садовой-2026",
        },
    )
    assert changed.status_code == 302
    connection.set_tenant(alpha)
    owner.refresh_from_db()
    assert owner.check_password("Снегопад-над-Садовой-2026")
