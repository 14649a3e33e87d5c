"""The staff's services: roles given and taken away, audited with ids only; the chair passes
only by an accepted hand-over; sessions end with the last second-factor role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from core.access.roles import Role
from core.audit.models import AuditEntry
from core.extensions import operator_hook
from tenants.invitations import services as invitations
from tenants.invitations import tokens
from tenants.invitations.models import Invitation, InvitationKind
from tenants.notifications.models import InboxItem
from tenants.staff import services
from tenants.staff.declaration import PROPOSE_CHAIR_SUCCESSOR
from tenants.staff.models import ChairHandover, HandoverStatus

SITE = "http://alpha.localhost/"


@pytest.fixture(autouse=True)
def _in_alpha(in_alpha):
    return in_alpha


def roles_of(user) -> set[str]:
    return set(get_user_model().objects.get(pk=user.pk).roles)


def chairmen() -> set:
    return set(
        get_user_model()
        .objects.filter(roles__contains=[Role.CHAIRMAN])
        .values_list("pk", flat=True)
    )


def sessions_of(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


# -- roles ------------------------------------------------------------------------------------


def test_granting_adds_the_roles_and_audits_who_whom_which(alpha, chairman, make_user):
    person = make_user(alpha, roles=[Role.OWNER], email="acc@example.test")
    change = services.grant_roles(person, roles=[Role.ACCOUNTANT], actor=chairman)
    assert change.granted == (Role.ACCOUNTANT,)
    assert roles_of(person) == {Role.OWNER, Role.ACCOUNTANT}
    entry = AuditEntry.objects.get(action="staff.roles_granted")
    assert entry.actor_id == chairman.pk
    assert entry.target_id == str(person.pk)
    assert entry.details == {"roles": [Role.ACCOUNTANT]}
    assert "acc@example" not in str(entry.details)


def test_the_chair_is_never_granted_or_taken_away_directly(alpha, chairman, make_user):
    person = make_user(alpha, roles=[Role.BOARD_MEMBER])
    with pytest.raises(ValidationError):
        services.grant_roles(person, roles=[Role.CHAIRMAN], actor=chairman)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.revoke_roles(chairman, roles=[Role.CHAIRMAN], actor=chairman)
    assert "successor" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        services.set_staff_roles(chairman, roles=[Role.CHAIRMAN], actor=chairman)
    assert roles_of(chairman) == {Role.CHAIRMAN, Role.BOARD_MEMBER}
    assert roles_of(person) == {Role.BOARD_MEMBER}
    assert not AuditEntry.objects.filter(action__startswith="staff.").exists()


def test_a_login_of_another_association_is_refused_and_nothing_changes(
    alpha, beta, chairman, make_user
):
    stranger = make_user(beta, roles=[Role.OWNER])
    connection.set_tenant(alpha)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.grant_roles(stranger, roles=[Role.ACCOUNTANT], actor=chairman)
    assert "no login in this association" in " ".join(refused.value.messages)
    connection.set_tenant(beta)
    assert roles_of(stranger) == {Role.OWNER}
    connection.set_tenant(alpha)
    assert not AuditEntry.objects.filter(action__startswith="staff.").exists()


def test_only_the_chairman_manages_the_staff(alpha, make_user):
    board_member = make_user(alpha, roles=[Role.BOARD_MEMBER])
    person = make_user(alpha, roles=[Role.OWNER])
    with pytest.raises(ValidationError):
        services.grant_roles(person, roles=[Role.ACCOUNTANT], actor=board_member)
    assert roles_of(person) == {Role.OWNER}


def test_taking_the_last_board_role_signs_the_person_out(alpha, chairman, make_user, client_of):
    person = make_user(alpha, roles=[Role.OWNER, Role.ACCOUNTANT, Role.DISPATCHER])
    bystander = make_user(alpha, roles=[Role.DISPATCHER])
    client_of(alpha, person)
    client_of(alpha, person)
    client_of(alpha, bystander)
    assert sessions_of(person) == 2

    # One board role left: still signed in.
    change = services.revoke_roles(person, roles=[Role.DISPATCHER], actor=chairman)
    assert change.sessions_ended == 0 and sessions_of(person) == 2
    # The last one: every session of theirs ends, the bystander's stays; the owner role stays.
    change = services.revoke_roles(person, roles=[Role.ACCOUNTANT], actor=chairman)
    assert change.sessions_ended == 2
    assert sessions_of(person) == 0 and sessions_of(bystander) == 1
    assert roles_of(person) == {Role.OWNER}
    entry = AuditEntry.objects.filter(action="staff.roles_revoked").order_by("-at").first()
    assert entry.details == {"roles": [Role.ACCOUNTANT], "sessions_ended": 2}


def test_the_persons_page_sets_exactly_the_staff_roles_and_keeps_the_rest(
    alpha, chairman, make_user
):
    person = make_user(alpha, roles=[Role.RESIDENT, Role.DISPATCHER])
    change = services.set_staff_roles(
        person, roles=[Role.ACCOUNTANT, Role.BOARD_MEMBER], actor=chairman
    )
    assert set(change.granted) == {Role.ACCOUNTANT, Role.BOARD_MEMBER}
    assert change.revoked == (Role.DISPATCHER,)
    assert roles_of(person) == {Role.RESIDENT, Role.ACCOUNTANT, Role.BOARD_MEMBER}
    assert AuditEntry.objects.filter(action__startswith="staff.roles_").count() == 2
    # The chairman's own chair is kept when their staff roles change.
    services.set_staff_roles(chairman, roles=[], actor=chairman)
    assert roles_of(chairman) == {Role.CHAIRMAN}


# -- appointment by email ---------------------------------------------------------------------


def test_appointing_a_new_person_sends_a_staff_invitation_that_grants_the_roles(
    alpha, chairman, mailoutbox
):
    done = services.appoint(
        email="New.Accountant@example.test", roles=[Role.ACCOUNTANT], actor=chairman, site_url=SITE
    )
    invitation = done.invitation
    assert invitation.kind == InvitationKind.STAFF and invitation.premises is None
    assert invitation.staff_roles == [Role.ACCOUNTANT]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new.accountant@example.test"]
    token = mailoutbox[0].body.split("/invitations/accept/")[1].split("/")[0]

    user = invitations.accept(token, password="Lilac-harbour-2041", full_name="Ольга Бух")
    assert set(user.roles) == {Role.ACCOUNTANT}
    accepted = AuditEntry.objects.get(action="invitations.accepted")
    assert accepted.details["roles"] == [Role.ACCOUNTANT]


def test_appointing_an_existing_login_grants_at_once(alpha, chairman, make_user, mailoutbox):
    person = make_user(alpha, roles=[Role.OWNER], email="owner@example.test")
    done = services.appoint(
        email="OWNER@example.test", roles=[Role.DISPATCHER], actor=chairman, site_url=SITE
    )
    assert done.invitation is None and done.change.granted == (Role.DISPATCHER,)
    assert roles_of(person) == {Role.OWNER, Role.DISPATCHER}
    assert not mailoutbox


def test_a_tampered_or_foreign_staff_invitation_token_is_refused(alpha, beta, chairman):
    done = services.appoint(
        email="x@example.test", roles=[Role.ACCOUNTANT], actor=chairman, site_url=SITE
    )
    token = tokens.make_token(done.invitation.pk)
    Invitation.objects.filter(pk=done.invitation.pk).update(token_hash=tokens.token_hash(token))
    for bad in (token[:-2] + "xy", token + "a"):
        with pytest.raises(invitations.InvitationUnusable):
            invitations.accept(bad, password="Lilac-harbour-2041", full_name="X")
    connection.set_tenant(beta)
    with pytest.raises(invitations.InvitationUnusable):
        invitations.accept(token, password="Lilac-harbour-2041", full_name="X")
    assert not get_user_model().objects.with_email("x@example.test").exists()
    connection.set_tenant(alpha)
    assert not get_user_model().objects.with_email("x@example.test").exists()


# -- the chair --------------------------------------------------------------------------------


def test_a_hand_over_changes_nothing_until_the_successor_accepts(alpha, chairman, make_user):
    successor = make_user(alpha, roles=[Role.BOARD_MEMBER])
    handover = services.propose_handover(successor=successor, actor=chairman)
    assert chairmen() == {chairman.pk}
    # The successor is told (a notice that cannot be switched off, with the page's path).
    item = InboxItem.objects.select_related("message").get(user=successor)
    assert item.message.path == f"/staff/chair/{handover.pk}/"

    services.accept_handover(handover, actor=successor)
    assert chairmen() == {successor.pk}
    assert roles_of(chairman) == {Role.BOARD_MEMBER}  # the other roles stay
    entry = AuditEntry.objects.get(action="staff.handover_accepted")
    assert entry.details["former"] == [str(chairman.pk)]
    assert entry.details["successor"] == str(successor.pk)


def test_only_the_named_successor_accepts_and_only_once(alpha, chairman, make_user):
    successor = make_user(alpha, roles=[Role.BOARD_MEMBER])
    other = make_user(alpha, roles=[Role.BOARD_MEMBER])
    handover = services.propose_handover(successor=successor, actor=chairman)
    with pytest.raises(ValidationError):
        services.accept_handover(handover, actor=other)
    services.decline_handover(handover, actor=successor)
    with pytest.raises(ValidationError):
        services.accept_handover(handover, actor=successor)
    assert chairmen() == {chairman.pk}
    assert ChairHandover.objects.get(pk=handover.pk).status == HandoverStatus.DECLINED


def test_a_new_proposal_replaces_the_pending_one(alpha, chairman, make_user):
    first = make_user(alpha, roles=[Role.BOARD_MEMBER])
    second = make_user(alpha, roles=[Role.ACCOUNTANT])
    old = services.propose_handover(successor=first, actor=chairman)
    services.propose_handover(successor=second, actor=chairman)
    assert ChairHandover.objects.get(pk=old.pk).status == HandoverStatus.REPLACED
    with pytest.raises(ValidationError):
        services.accept_handover(old, actor=first)
    assert ChairHandover.objects.filter(status=HandoverStatus.PENDING).count() == 1


def test_nobody_but_the_chairman_proposes_and_the_chairman_is_no_successor(
    alpha, chairman, make_user
):
    board_member = make_user(alpha, roles=[Role.BOARD_MEMBER])
    with pytest.raises(ValidationError):
        services.propose_handover(successor=board_member, actor=board_member)
    with pytest.raises(ValidationError):
        services.propose_handover(successor=chairman, actor=chairman)
    assert not ChairHandover.objects.exists()


def test_a_former_chairman_with_no_board_role_left_is_signed_out(alpha, make_user, client_of):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN, Role.OWNER])
    successor = make_user(alpha, roles=[Role.BOARD_MEMBER])
    client_of(alpha, chairman)
    handover = services.propose_handover(successor=successor, actor=chairman)
    services.accept_handover(handover, actor=successor)
    assert roles_of(chairman) == {Role.OWNER}
    assert sessions_of(chairman) == 0


def test_the_operators_hook_names_a_successor_by_email_through_the_blind_index(alpha, make_user):
    gone = make_user(alpha, roles=[Role.CHAIRMAN], is_active=False)
    successor = make_user(alpha, roles=[Role.OWNER], email="next.chair@example.test")
    propose = operator_hook(PROPOSE_CHAIR_SUCCESSOR)
    with pytest.raises(ValidationError):
        propose(email="nobody@example.test")
    handover_id = propose(email=" Next.Chair@Example.test ")
    handover = ChairHandover.objects.get(pk=handover_id)
    assert handover.by_operator and handover.proposed_by is None
    entry = AuditEntry.objects.get(action="staff.handover_proposed")
    assert entry.actor_id is None and entry.details["by_operator"] is True
    assert "next.chair" not in str(entry.details)

    services.accept_handover(handover, actor=successor)
    assert chairmen() == {successor.pk}
    assert Role.CHAIRMAN not in roles_of(gone)


def test_a_granted_board_role_sends_the_person_to_enrolment_on_their_next_request(
    alpha, chairman, make_user, client_of
):
    person = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, person, second_factor_verified=False)
    assert client.get("/").status_code == 200
    services.grant_roles(person, roles=[Role.ACCOUNTANT], actor=chairman)
    answer = client.get("/")
    assert answer.status_code == 302 and "/accounts/second-factor/" in answer["Location"]
