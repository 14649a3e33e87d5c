"""A link works once, on its own association, until it expires, is revoked or replaced; a link
that cannot be used gets a page that says why, and nothing changes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tenants.invitations import tokens
from tenants.invitations.models import Invitation, InvitationKind, InvitationStatus
from tenants.residents.models import Owner
from tests.tenants.invitations.helpers import build_register, invite_form, last_link

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lilac-harbour-2041"


def join(client, path):
    return client.post(
        path, {"full_name": "Анна", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def assert_nothing_joined(association, email="anna@example.test"):
    connection.set_tenant(association)
    assert not get_user_model().objects.with_email(email).exists()


@pytest.fixture
def invited(alpha, register, board):
    """An owner invitation of anna@example.test; returns its link's path."""
    response = board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    assert response.status_code == 302
    return last_link()


def problem_of(response) -> str:
    return response.context["problem"]


def test_a_token_of_alpha_does_not_open_beta_even_with_a_matching_id(
    alpha, beta, invited, client_of
):
    connection.set_tenant(alpha)
    original = Invitation.objects.get()
    # beta holds an invitation with the same id and even the same token hash.
    beta_register = build_register(beta)
    twin = Invitation(
        id=original.pk,
        email="anna@example.test",
        kind=InvitationKind.RESIDENT,
        premises=beta_register.flat,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        token_hash=original.token_hash,
    )
    twin.save()

    response = client_of(beta).get(invited)
    assert response.status_code == 404
    assert problem_of(response) == "invalid"
    response = join(client_of(beta), invited)
    assert response.status_code == 404
    assert_nothing_joined(beta)
    assert Invitation.objects.get(pk=original.pk).status == InvitationStatus.PENDING


def test_a_token_signed_for_beta_with_alpha_ids_is_refused_by_alpha(
    alpha, beta, invited, client_of
):
    connection.set_tenant(alpha)
    original = Invitation.objects.get()
    connection.set_tenant(beta)
    forged = tokens.make_token(original.pk)  # signed with the shared SECRET_KEY, for beta
    connection.set_tenant(alpha)
    Invitation.objects.filter(pk=original.pk).update(token_hash=tokens.token_hash(forged))
    response = client_of(alpha).get(f"/invitations/accept/{forged}/")
    assert response.status_code == 404
    assert problem_of(response) == "invalid"


def test_a_tampered_token_is_invalid(alpha, invited, client_of):
    tampered = invited[:-3] + ("A" if invited[-3] != "A" else "B") + invited[-2:]
    response = client_of(alpha).get(tampered)
    assert response.status_code == 404
    assert problem_of(response) == "invalid"
    assert join(client_of(alpha), tampered).status_code == 404
    assert_nothing_joined(alpha)


def test_an_expired_link_says_so_and_changes_nothing(alpha, invited, client_of):
    connection.set_tenant(alpha)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client_of(alpha).get(invited)
    assert response.status_code == 410
    assert problem_of(response) == "expired"
    assert join(client_of(alpha), invited).status_code == 410
    assert_nothing_joined(alpha)
    assert Invitation.objects.get().effective_status == InvitationStatus.EXPIRED


def test_the_validity_period_is_configurable(alpha, register, board):
    with override_settings(TSZH_INVITATION_TTL_DAYS=2):
        board.post(
            "/invitations/new/",
            invite_form(register.flat, email="anna@example.test", owner=register.owner),
        )
    connection.set_tenant(alpha)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=2)


def test_links_are_valid_for_seven_days_by_default(alpha, invited):
    connection.set_tenant(alpha)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)


def test_a_revoked_link_says_so_and_changes_nothing(alpha, invited, board, client_of):
    connection.set_tenant(alpha)
    invitation = Invitation.objects.get()
    response = board.post(f"/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.revoked_at is not None

    response = client_of(alpha).get(invited)
    assert response.status_code == 410
    assert problem_of(response) == "revoked"
    assert join(client_of(alpha), invited).status_code == 410
    assert_nothing_joined(alpha)


def test_a_resend_replaces_the_link_and_the_old_one_stops_working(alpha, invited, board, client_of):
    from django.core import mail

    connection.set_tenant(alpha)
    invitation = Invitation.objects.get()
    old_hash = invitation.token_hash
    response = board.post(f"/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_link = last_link()
    assert new_link != invited
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert invitation.send_count == 2

    old = client_of(alpha).get(invited)
    assert old.status_code == 410
    assert problem_of(old) == "replaced"
    assert join(client_of(alpha), invited).status_code == 410
    assert_nothing_joined(alpha)

    assert join(client_of(alpha), new_link).status_code == 302
    connection.set_tenant(alpha)
    assert get_user_model().objects.with_email("anna@example.test").exists()


def test_a_resend_after_expiry_gives_a_fresh_link(alpha, invited, board, client_of):
    connection.set_tenant(alpha)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    invitation = Invitation.objects.get()
    assert board.post(f"/invitations/{invitation.pk}/resend/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.effective_status == InvitationStatus.PENDING
    assert join(client_of(alpha), last_link()).status_code == 302


def test_a_link_works_only_once(alpha, register, invited, client_of):
    first = client_of(alpha)
    assert join(first, invited).status_code == 302

    again = client_of(alpha)
    response = again.get(invited)
    assert response.status_code == 410
    assert problem_of(response) == "used"
    response = again.post(
        invited, {"full_name": "Злоумышленник", "password1": "Other-pass-77", "password2": "x"}
    )
    assert response.status_code == 410
    connection.set_tenant(alpha)
    user = get_user_model().objects.with_email("anna@example.test").get()
    assert user.check_password(NEW_PASSWORD)
    assert user.full_name == "Анна"
    # Even the person herself, signed in, cannot replay it.
    assert first.post(invited).status_code == 410
    assert Owner.objects.get(pk=register.owner.pk).user_id == user.pk


def test_a_garbage_token_gets_the_invalid_page(alpha, client_of):
    response = client_of(alpha).get("/invitations/accept/not-a-token/")
    assert response.status_code == 404
    assert "invitations/unusable.html" in [t.name for t in response.templates]


def test_the_accept_page_is_never_cached(alpha, invited, client_of):
    response = client_of(alpha).get(invited)
    assert "no-store" in response["Cache-Control"]


def test_an_owner_record_given_a_login_meanwhile_makes_the_link_stale(
    alpha, register, invited, client_of, make_user
):
    somebody = make_user(alpha, email="somebody@example.test")
    Owner.objects.filter(pk=register.owner.pk).update(user=somebody)
    response = join(client_of(alpha), invited)
    assert response.status_code == 410
    assert problem_of(response) == "stale"
    assert_nothing_joined(alpha)
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_the_service_refuses_a_link_used_meanwhile(alpha, invited, client_of):
    """The page checks the link first; the service checks again under a row lock (a race)."""
    from tenants.invitations import services

    assert join(client_of(alpha), invited).status_code == 302
    connection.set_tenant(alpha)
    with pytest.raises(services.InvitationUnusable) as refused:
        services.accept(token_of(invited), password=NEW_PASSWORD, full_name="Другая Анна")
    assert refused.value.problem == "used"
    assert get_user_model().objects.with_email("anna@example.test").get().full_name == "Анна"


def test_the_service_refuses_a_signed_in_user_of_another_email(alpha, invited, make_user):
    from django.core.exceptions import ValidationError

    from tenants.invitations import services

    stranger = make_user(alpha, roles=["resident"], email="stranger@example.test")
    with pytest.raises(ValidationError):
        services.accept(token_of(invited), user=stranger)
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    stranger.refresh_from_db()
    assert stranger.roles == ["resident"]


def test_a_weak_password_gets_a_message_beside_the_field_and_creates_nothing(
    alpha, invited, client_of
):
    client = client_of(alpha)
    for password1, password2, field in [
        ("12345678", "12345678", "password1"),  # numeric and common
        ("short", "short", "password1"),
        ("Lilac-harbour-2041", "Lilac-harbour-2042", "password2"),
        ("anna@example.test", "anna@example.test", "password1"),  # like the email
    ]:
        response = client.post(
            invited, {"full_name": "Анна", "password1": password1, "password2": password2}
        )
        assert response.status_code == 200
        assert response.context["form"].errors[field]
    assert (
        client.post(
            invited, {"full_name": " ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        .context["form"]
        .errors["full_name"]
    )
    assert_nothing_joined(alpha)
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_wrong_passwords_on_the_link_count_towards_the_login_limit(
    alpha, register, board, client_of, make_user
):
    make_user(alpha, email="anna@example.test")
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    link = last_link()
    client = client_of(alpha)
    for _ in range(5):
        assert client.post(link, {"password": "wrong"}).status_code == 200
    from tests.factories import TEST_PASSWORD

    assert client.post(link, {"password": TEST_PASSWORD}).status_code == 429
    login = client.post(
        "/accounts/login/", {"username": "anna@example.test", "password": TEST_PASSWORD}
    )
    assert login.status_code == 429  # the same budget as the login page
    connection.set_tenant(alpha)
    assert Invitation.objects.get().status == InvitationStatus.PENDING
