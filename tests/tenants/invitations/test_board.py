"""The board's side: the invite form refuses bad input with a message beside the field and
creates nothing; one live invitation per email; revoke and resend (rate-limited); the list."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection, reset_queries, transaction
from django.test import override_settings
from django.utils import timezone

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.invitations.models import Invitation, InvitationStatus
from tenants.residents.models import Owner, Residency
from tests.tenants.invitations.helpers import invite_form, last_link, make_owner

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def invite(board, premises, **kwargs):
    return board.post("/invitations/new/", invite_form(premises, **kwargs))


def field_errors(response, field) -> list[str]:
    return response.context["form"].errors.get(field, [])


def nothing_created():
    assert not Invitation.objects.exists()
    assert not mail.outbox


# -- the form ---------------------------------------------------------------------------------


def test_the_form_offers_the_premises_and_only_owners_without_a_login(
    alpha, register, board, make_user
):
    page = board.get(f"/invitations/new/?premises={register.flat.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Дом 1" in html
    assert f'value="{register.flat.pk}" selected' in html
    assert "Анна Сергеевна Кузнецова" in html
    assert "Пётр Ильич Орлов" not in html  # an owner of another premises

    Owner.objects.filter(pk=register.owner.pk).update(user=make_user(alpha))
    html = board.get(f"/invitations/new/?premises={register.flat.pk}").content.decode()
    assert "Анна Сергеевна Кузнецова" not in html


def test_the_owner_picker_follows_the_chosen_premises(alpha, register, board):
    co_owner = make_owner(
        register.other_flat, number="100015", full_name="Ольга Орлова", share=(1, 2)
    )
    response = board.get(f"/invitations/owner-options/?premises={register.other_flat.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="owner-field"' in html
    assert f'value="{register.other_owner.pk}"' in html
    assert f'value="{co_owner.pk}"' in html
    assert f'value="{register.owner.pk}"' not in html
    for premises in ("", "not-a-uuid", str(uuid.uuid4())):
        empty = board.get(f"/invitations/owner-options/?premises={premises}")
        assert empty.status_code == 200
        assert "<option" in empty.content.decode()  # only the placeholder
        assert "Анна" not in empty.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "anna@example.test", "premises": ""}, "premises"),
        ({"email": "anna@example.test", "premises": str(uuid.uuid4())}, "premises"),
        ({"email": "anna@example.test", "owner": ""}, "owner"),
        ({"email": "anna@example.test", "owner": str(uuid.uuid4())}, "owner"),
        ({"email": "anna@example.test", "kind": "landlord"}, "kind"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_creates_nothing(
    alpha, register, board, data, field
):
    form = invite_form(register.flat, email="x", owner=register.owner)
    form.update(data)
    response = board.post("/invitations/new/", form)
    assert response.status_code == 400
    assert field_errors(response, field)
    nothing_created()


def test_an_owner_of_other_premises_is_refused(alpha, register, board):
    response = invite(board, register.flat, email="anna@example.test", owner=register.other_owner)
    assert response.status_code == 400
    assert field_errors(response, "owner")
    nothing_created()


def test_an_owner_who_already_has_a_login_is_refused_by_the_service(
    alpha, register, chairman, make_user
):
    from django.core.exceptions import ValidationError

    from tenants.invitations import services

    Owner.objects.filter(pk=register.owner.pk).update(user=make_user(alpha))
    with pytest.raises(ValidationError) as refused:
        services.invite(
            email="anna@example.test",
            premises=register.flat,
            kind="owner",
            owner=register.owner,
            actor=chairman,
            site_url="http://alpha.localhost/",
        )
    assert "owner" in refused.value.message_dict
    nothing_created()


def test_a_resident_who_already_lives_there_is_refused(alpha, register, board, make_user):
    lodger = make_user(alpha, roles=[Role.RESIDENT], email="lodger@example.test")
    Residency.objects.create(premises=register.flat, user=lodger, started_on=datetime.date.today())
    response = invite(board, register.flat, email="lodger@example.test", kind="resident")
    assert response.status_code == 400
    assert field_errors(response, "email")
    nothing_created()


def test_a_resident_invitation_needs_no_owner_record(alpha, register, board):
    response = invite(
        board, register.flat, email="lodger@example.test", kind="resident", owner=register.owner
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.kind == "resident" and invitation.owner_id is None


def test_a_mail_server_failure_saves_nothing_and_says_so(alpha, register, board):
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
        response = invite(board, register.flat, email="anna@example.test", owner=register.owner)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="invitations.").exists()


# -- one live invitation per email ------------------------------------------------------------


def test_an_email_invited_twice_gets_a_clear_message_and_nothing_is_created(alpha, register, board):
    assert (
        invite(board, register.flat, email="anna@example.test", owner=register.owner).status_code
        == 302
    )
    response = invite(
        board, register.other_flat, email="  ANNA@example.TEST", owner=register.other_owner
    )
    assert response.status_code == 400
    assert field_errors(response, "email")
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_owner_record_cannot_have_two_live_invitations(alpha, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    response = invite(board, register.flat, email="anna.k@example.test", owner=register.owner)
    assert response.status_code == 400
    assert field_errors(response, "owner")
    assert Invitation.objects.count() == 1


def test_an_email_may_be_invited_again_after_expiry(alpha, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    old = Invitation.objects.get()
    response = invite(board, register.flat, email="anna@example.test", owner=register.owner)
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == InvitationStatus.EXPIRED
    assert Invitation.objects.filter(status=InvitationStatus.PENDING).count() == 1
    # The expired invitation can no longer be revived by a resend.
    assert board.post(f"/invitations/{old.pk}/resend/").status_code == 302
    old.refresh_from_db()
    assert old.status == InvitationStatus.EXPIRED
    assert len(mail.outbox) == 2


def test_an_email_may_be_invited_again_after_revocation(alpha, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    board.post(f"/invitations/{Invitation.objects.get().pk}/revoke/")
    response = invite(board, register.flat, email="anna@example.test", owner=register.owner)
    assert response.status_code == 302
    assert Invitation.objects.count() == 2


def test_the_database_refuses_a_second_pending_invitation_for_an_email(alpha, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    first = Invitation.objects.get()
    twin = Invitation(
        email="anna@example.test",
        kind="resident",
        premises=register.other_flat,
        expires_at=first.expires_at,
        token_hash="0" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


# -- revoke and resend ------------------------------------------------------------------------


def test_revoke_with_htmx_answers_the_updated_row(alpha, register, board, chairman):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    invitation = Invitation.objects.get()
    response = board.post(f"/invitations/{invitation.pk}/revoke/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="invitation-{invitation.pk}"' in html
    assert 'data-status="revoked"' in html
    assert "/resend/" not in html  # no more actions on a revoked invitation
    entry = AuditEntry.objects.get(action="invitations.revoked")
    assert entry.actor_id == chairman.pk and entry.target_id == str(invitation.pk)


def test_an_accepted_invitation_cannot_be_revoked_or_resent(alpha, register, board, client_of):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    client_of(alpha).post(
        last_link(),
        {"full_name": "Анна", "password1": "Lilac-harbour-2041", "password2": "Lilac-harbour-2041"},
    )
    connection.set_tenant(alpha)
    invitation = Invitation.objects.get()
    for action in ("revoke", "resend"):
        response = board.post(f"/invitations/{invitation.pk}/{action}/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert response.context["error"]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert len(mail.outbox) == 1


def test_resends_are_limited_per_hour(alpha, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    invitation = Invitation.objects.get()
    for _ in range(5):
        assert board.post(f"/invitations/{invitation.pk}/resend/").status_code == 302
    invitation.refresh_from_db()
    hash_before = invitation.token_hash
    response = board.post(f"/invitations/{invitation.pk}/resend/", HTTP_HX_REQUEST="true")
    assert "5" in response.context["error"]
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_before
    assert invitation.send_count == 6
    assert len(mail.outbox) == 6


def test_another_associations_invitation_is_not_found(alpha, beta, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    invitation = Invitation.objects.get()
    assert board.post(f"/invitations/{uuid.uuid4()}/revoke/").status_code == 404
    from tests.tenants.invitations.helpers import build_register

    beta_register = build_register(beta)
    stranger = Invitation(
        email="beta@example.test",
        kind="resident",
        premises=beta_register.flat,
        expires_at=invitation.expires_at,
        token_hash="1" * 64,
    )
    stranger.save()
    assert board.post(f"/invitations/{stranger.pk}/revoke/").status_code == 404
    connection.set_tenant(beta)
    assert Invitation.objects.get(pk=stranger.pk).status == InvitationStatus.PENDING


@pytest.mark.parametrize("role", [Role.OWNER, Role.ACCOUNTANT, Role.DISPATCHER, Role.RESIDENT])
def test_only_the_board_may_invite_revoke_or_resend(
    alpha, register, board, client_of, make_user, role
):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    invitation = Invitation.objects.get()
    client = client_of(alpha, make_user(alpha, roles=[role]))
    form = invite_form(register.other_flat, email="petr@example.test", owner=register.other_owner)
    assert client.post("/invitations/new/", form).status_code == 403
    assert client.post(f"/invitations/{invitation.pk}/revoke/").status_code == 403
    assert client.post(f"/invitations/{invitation.pk}/resend/").status_code == 403
    connection.set_tenant(alpha)
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_a_board_member_may_invite(alpha, register, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.BOARD_MEMBER]))
    assert (
        invite(member, register.flat, email="anna@example.test", owner=register.owner).status_code
        == 302
    )


# -- the list ---------------------------------------------------------------------------------


def test_the_list_filters_by_status(alpha, register, board):
    invite(board, register.flat, email="anna@example.test", owner=register.owner)
    invite(board, register.other_flat, email="petr@example.test", owner=register.other_owner)
    invite(board, register.flat, email="lodger@example.test", kind="resident")
    anna, petr, lodger = (
        Invitation.objects.get(pk=pk)
        for pk in Invitation.objects.order_by("created_at").values_list("pk", flat=True)
    )
    board.post(f"/invitations/{petr.pk}/revoke/")
    Invitation.objects.filter(pk=lodger.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    def shown(status=""):
        page = board.get(f"/invitations/?status={status}")
        assert page.status_code == 200
        return {invitation.pk for invitation in page.context["page"].object_list}

    assert shown() == {anna.pk, petr.pk, lodger.pk}
    assert shown("pending") == {anna.pk}
    assert shown("revoked") == {petr.pk}
    assert shown("expired") == {lodger.pk}
    assert shown("accepted") == set()
    assert shown("nonsense") == {anna.pk, petr.pk, lodger.pk}


def test_the_list_costs_the_same_queries_for_one_invitation_or_many(
    alpha, register, board, django_assert_max_num_queries
):
    def invite_owner(index):
        owner = make_owner(
            register.flat, number=f"2000{index}", full_name=f"Owner {index}", share=(1, 100)
        )
        invite(board, register.flat, email=f"owner{index}@example.test", owner=owner)

    def list_queries() -> tuple[int, str]:
        # Counted warm: the first page after a cache clear also reads the logo's file id, which
        # the header then keeps in the shared cache (tests/query_counts.py).
        board.get("/invitations/")
        reset_queries()  # the log restarts with each request; count from a clean slate
        with django_assert_max_num_queries(50) as captured:
            page = board.get("/invitations/")
        assert page.status_code == 200
        return len(captured.captured_queries), page.content.decode()

    invite_owner(0)
    one, _html = list_queries()
    for index in range(1, 6):
        invite_owner(index)
    six, html = list_queries()
    assert six == one > 3  # (a real count, not an empty capture)
    assert html.count('class="card invitation"') == 6
    assert all(f"Owner {index}" in html for index in range(6))
