"""Expectations of the invitation URLs: the board's pages, and the link that anyone may open."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    TENANT_ACTORS,
    TENANT_URLCONF,
    everyone,
)

BOARD = {Role.CHAIRMAN.value, Role.BOARD_MEMBER.value}


def board_only(answer):
    """The board (chairman, board members) gets ``answer``; other roles 403; strangers login."""
    result = {actor: (answer if actor in BOARD else FORBIDDEN) for actor in TENANT_ACTORS}
    result["anonymous"] = result["other_association"] = LOGIN
    return result


def _invitation(association):
    """A pending invitation made by someone else, and its link's token."""
    from tenants.invitations import tokens
    from tenants.invitations.models import Invitation, InvitationKind
    from tenants.residents.models import Building, Premises

    building = Building.objects.create(name=f"Matrix {uuid.uuid4().hex[:8]}")
    premises = Premises.objects.create(building=building, number="1", area=Decimal("50.00"))
    invitation = Invitation(
        email=f"matrix-{uuid.uuid4().hex[:8]}@example.test",
        kind=InvitationKind.RESIDENT,
        premises=premises,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    token = tokens.make_token(invitation.pk)
    invitation.token_hash = tokens.token_hash(token)
    invitation.save()
    return invitation, token


def invitation_kwargs(association) -> dict:
    invitation, _token = _invitation(association)
    return {"pk": invitation.pk}


def accept_kwargs(association) -> dict:
    _invitation_row, token = _invitation(association)
    return {"token": token}


EXPECTATIONS: dict[tuple[str, str], tuple[object, dict]] = {
    (TENANT_URLCONF, "invitations:list"): ({}, board_only(OK)),
    (TENANT_URLCONF, "invitations:create"): ({}, board_only(OK)),
    (TENANT_URLCONF, "invitations:owner-options"): ({}, board_only(OK)),
    # POST only: the board gets 405 for a GET; everyone else is stopped before that.
    (TENANT_URLCONF, "invitations:resend"): (invitation_kwargs, board_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "invitations:revoke"): (invitation_kwargs, board_only(NOT_ALLOWED)),
    # The link is open to whoever holds it: a new person sets a password, a signed-in member
    # of another email is told to sign out first (tests/tenants/invitations cover the rest).
    (TENANT_URLCONF, "invitations:accept"): (accept_kwargs, everyone(OK)),
}
