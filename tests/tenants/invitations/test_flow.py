"""The whole invitation flow through the test client: the board invites, the letter carries the
link, the person sets a password (or signs in) and lands on their dashboard."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.invitations.models import Invitation, InvitationStatus
from tenants.residents.models import Owner, Ownership, Residency
from tests.factories import TEST_PASSWORD
from tests.tenants.invitations.helpers import (
    invite_form,
    last_link,
    link_in,
    make_owner,
    make_premises,
    path_of,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lilac-harbour-2041"


def join(client, path, *, name="Анна Кузнецова", password=NEW_PASSWORD):
    return client.post(path, {"full_name": name, "password1": password, "password2": password})


def test_board_invites_an_owner_who_joins_through_the_mailed_link(
    alpha, register, board, client_of
):
    response = board.post(
        "/invitations/new/",
        invite_form(register.flat, email="Anna@Example.test ", owner=register.owner),
    )
    assert response.status_code == 302
    assert response["Location"] == "/invitations/"

    assert len(mail.outbox) == 1
    letter = mail.outbox[0]
    assert letter.to == ["anna@example.test"]
    assert alpha.name in letter.subject
    assert alpha.name in letter.body
    assert letter.extra_headers["Content-Language"] == "ru"
    url = link_in(letter)
    assert url.startswith("http://alpha.localhost/invitations/accept/")

    visitor = client_of(alpha)
    page = visitor.get(path_of(url))
    assert page.status_code == 200
    assert page.templates[0].name == "invitations/accept_set_password.html"
    html = page.content.decode()
    assert "Кузнецова" not in html  # the register's name is not shown to whoever holds the link
    assert "anna@example.test" not in html

    response = join(visitor, path_of(url))
    assert response.status_code == 302
    assert response["Location"] == "/"

    dashboard = visitor.get("/")
    assert dashboard.status_code == 200
    user = dashboard.context["user"]
    assert user.email == "anna@example.test"
    assert user.full_name == "Анна Кузнецова"
    assert user.roles == [Role.OWNER]
    assert user.check_password(NEW_PASSWORD)
    assert "home" in [section.key for section in dashboard.context["sections"]]
    connection.set_tenant(alpha)
    assert Owner.objects.get(pk=register.owner.pk).user_id == user.pk
    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by_id == user.pk


def test_the_board_sees_the_invitation_in_the_list_without_emails_in_urls(alpha, register, board):
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    page = board.get("/invitations/")
    html = page.content.decode()
    assert "anna@example.test" in html
    assert "Анна Сергеевна Кузнецова" in html  # the owner record's name
    invitation = Invitation.objects.get()
    assert invitation.effective_status == InvitationStatus.PENDING
    assert f'id="invitation-{invitation.pk}"' in html
    for attribute in ("href", "action", "hx-post", "hx-get"):
        for value in html.split(f'{attribute}="')[1:]:
            assert "@" not in value.split('"')[0]


def test_a_resident_invitation_creates_a_residency_on_acceptance(alpha, register, board, client_of):
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="lodger@example.test", kind="resident"),
    )
    visitor = client_of(alpha)
    assert join(visitor, last_link()).status_code == 302
    connection.set_tenant(alpha)
    user = get_user_model().objects.with_email("lodger@example.test").get()
    assert user.roles == [Role.RESIDENT]
    residency = Residency.objects.get(user=user)
    assert residency.premises_id == register.flat.pk
    assert residency.ended_on is None
    assert Owner.objects.filter(user=user).count() == 0


def test_an_existing_user_signs_in_instead_and_keeps_their_roles(
    alpha, register, board, client_of, make_user
):
    existing = make_user(alpha, roles=[Role.RESIDENT], email="anna@example.test")
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    visitor = client_of(alpha)
    page = visitor.get(last_link())
    assert page.templates[0].name == "invitations/accept_sign_in.html"

    wrong = visitor.post(last_link(), {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["password"]
    connection.set_tenant(alpha)
    assert Invitation.objects.get().status == InvitationStatus.PENDING

    response = visitor.post(last_link(), {"password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert visitor.get("/").context["user"] == existing
    connection.set_tenant(alpha)
    existing.refresh_from_db()
    assert sorted(existing.roles) == [Role.OWNER, Role.RESIDENT]
    assert Owner.objects.get(pk=register.owner.pk).user_id == existing.pk
    assert get_user_model().objects.count() == 2  # the chairman and her: no new login
    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by_id == existing.pk


def test_a_signed_in_invitee_accepts_with_one_click(alpha, register, board, client_of, make_user):
    existing = make_user(alpha, roles=[Role.OWNER], email="anna@example.test")
    board.post(
        "/invitations/new/",
        invite_form(register.other_flat, email="anna@example.test", kind="resident"),
    )
    client = client_of(alpha, existing)
    assert client.get(last_link()).templates[0].name == "invitations/accept_confirm.html"
    response = client.post(last_link())
    assert response.status_code == 302
    connection.set_tenant(alpha)
    existing.refresh_from_db()
    assert sorted(existing.roles) == [Role.OWNER, Role.RESIDENT]
    assert Residency.objects.filter(user=existing, premises=register.other_flat).exists()


def test_someone_signed_in_with_another_account_is_told_to_sign_out(
    alpha, register, board, client_of, make_user
):
    stranger = make_user(alpha, roles=[Role.OWNER], email="someone-else@example.test")
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    client = client_of(alpha, stranger)
    page = client.get(last_link())
    assert page.status_code == 200
    assert page.templates[0].name == "invitations/accept_other_user.html"
    client.post(last_link())
    connection.set_tenant(alpha)
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert Owner.objects.get(pk=register.owner.pk).user_id is None
    stranger.refresh_from_db()
    assert stranger.roles == [Role.OWNER]


def test_every_step_is_audited_with_ids_only(alpha, register, board, client_of, chairman):
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    invitation = Invitation.objects.get()
    board.post(f"/invitations/{invitation.pk}/resend/")
    join(client_of(alpha), last_link())
    connection.set_tenant(alpha)
    entries = {e.action: e for e in AuditEntry.objects.filter(action__startswith="invitations.")}
    assert set(entries) == {"invitations.created", "invitations.resent", "invitations.accepted"}
    assert entries["invitations.created"].actor_id == chairman.pk
    assert entries["invitations.created"].target_id == str(invitation.pk)
    assert entries["invitations.created"].details["owner"] == str(register.owner.pk)
    user = get_user_model().objects.with_email("anna@example.test").get()
    assert entries["invitations.accepted"].actor_id == user.pk
    for entry in entries.values():
        text = str(entry.details)
        assert "@" not in text and "Анна" not in text and "Кузнецова" not in text


def test_the_email_is_stored_encrypted_and_found_by_its_blind_index(alpha, register, board):
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_index, token_hash FROM invitations_invitation")
        email, index, token_hash = cursor.fetchone()
    assert email.startswith("e1.") and "anna" not in email
    assert index and "anna" not in index
    token = last_link().rstrip("/").rsplit("/", 1)[1]
    assert token not in token_hash and len(token_hash) == 64  # only a hash of the token


def test_an_invitee_whose_login_is_disabled_is_asked_to_contact_the_board(
    alpha, register, board, client_of, make_user
):
    disabled = make_user(alpha, roles=[Role.OWNER], email="anna@example.test", is_active=False)
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )
    visitor = client_of(alpha)
    visitor.cookies["django_language"] = "en"

    page = visitor.get(last_link())
    tried = visitor.post(last_link(), {"password": TEST_PASSWORD})

    for response in (page, tried):
        assert response.status_code == 403
        assert response.templates[0].name == "invitations/accept_inactive.html"
        assert "Ask the board" in response.content.decode()
        assert "password is wrong" not in response.content.decode()
    connection.set_tenant(alpha)
    assert Invitation.objects.get().status == InvitationStatus.PENDING
    assert Owner.objects.get(pk=register.owner.pk).user_id is None
    disabled.refresh_from_db()
    assert not disabled.is_active


def test_accepting_as_owner_of_a_flat_also_links_the_parking_place_owned_under_that_email(
    alpha, register, board, client_of
):
    connection.set_tenant(alpha)
    flat_record = make_owner(
        make_premises(register.building, "15"),
        number="100015",
        full_name="Смирнова Анна",
        email="anna@example.test",
    )
    parking = make_premises(register.building, "М2")
    parking_record = make_owner(
        parking, number="100902", full_name="Смирнова Анна", email="Anna@Example.test"
    )
    someone_else = make_owner(
        make_premises(register.building, "16"),
        number="100016",
        full_name="Другая",
        email="other@example.test",
    )
    board.post(
        "/invitations/new/",
        invite_form(
            flat_record.ownerships.get().premises, email="anna@example.test", owner=flat_record
        ),
    )

    visitor = client_of(alpha)
    assert join(visitor, last_link()).status_code == 302

    connection.set_tenant(alpha)
    user = get_user_model().objects.with_email("anna@example.test").get()
    assert Owner.objects.get(pk=flat_record.pk).user_id == user.pk
    assert Owner.objects.get(pk=parking_record.pk).user_id == user.pk
    assert Owner.objects.get(pk=someone_else.pk).user_id is None
    homes = visitor.get("/home/").context["homes"]
    assert sorted(home.premises.number for home in homes) == ["15", "М2"]
    entry = AuditEntry.objects.get(action="invitations.accepted")
    assert entry.details["also_linked"] == 1


def test_a_resident_invitation_links_the_invitees_owner_records_and_grants_the_owner_role(
    alpha, register, board, client_of
):
    connection.set_tenant(alpha)
    parking_record = make_owner(
        make_premises(register.building, "М3"),
        number="100903",
        full_name="Жилец-Владелец",
        email="lodger@example.test",
    )
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="lodger@example.test", kind="resident"),
    )

    assert join(client_of(alpha), last_link()).status_code == 302

    connection.set_tenant(alpha)
    user = get_user_model().objects.with_email("lodger@example.test").get()
    assert sorted(user.roles) == [Role.OWNER, Role.RESIDENT]
    assert Owner.objects.get(pk=parking_record.pk).user_id == user.pk


def test_owner_records_that_no_longer_own_are_not_linked_on_acceptance(
    alpha, register, board, client_of
):
    connection.set_tenant(alpha)
    sold = make_owner(
        make_premises(register.building, "17"),
        number="100017",
        full_name="Бывшая",
        email="anna@example.test",
    )
    Ownership.objects.filter(owner=sold).update(ended_on=datetime.date(2023, 1, 1))
    board.post(
        "/invitations/new/",
        invite_form(register.flat, email="anna@example.test", owner=register.owner),
    )

    assert join(client_of(alpha), last_link()).status_code == 302

    connection.set_tenant(alpha)
    assert Owner.objects.get(pk=sold.pk).user_id is None
