"""Reads for invitations: the board's list, the pickers, and what a link's token opens."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto.fields import prefetch_keys
from tenants.invitations import tokens
from tenants.invitations.models import Invitation, InvitationStatus
from tenants.residents.models import Owner, Ownership, Premises


def status_filter(status: str, now: datetime.datetime | None = None) -> Q:
    """The invitations the board sees with ``status`` (expiry is decided at read time)."""
    now = now or timezone.now()
    pending = Q(status=InvitationStatus.PENDING)
    if status == InvitationStatus.PENDING:
        return pending & Q(expires_at__gt=now)
    if status == InvitationStatus.EXPIRED:
        return Q(status=InvitationStatus.EXPIRED) | (pending & Q(expires_at__lte=now))
    return Q(status=status)


def invitation_list(status: str | None = None) -> QuerySet[Invitation]:
    """The association's invitations, newest first, optionally by shown status."""
    queryset = Invitation.objects.select_related("premises__building", "owner")
    if status in InvitationStatus.values:
        queryset = queryset.filter(status_filter(status))
    return queryset.order_by("-created_at")


def open_owner_names(invitations) -> None:
    """Fetch the keys of the owner records on a page in one wave (their names are shown)."""
    owners = [invitation.owner for invitation in invitations if invitation.owner_id]
    if owners:
        prefetch_keys(owners)


def premises_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Premises grouped by building for the picker: ``[(building, [(id, label), …]), …]``."""
    groups: dict[str, list[tuple[str, str]]] = {}
    premises = Premises.objects.select_related("building").order_by("building__name", "number")
    for item in premises:
        label = f"{item.get_kind_display()} {item.number}"
        groups.setdefault(item.building.name, []).append((str(item.pk), label))
    return list(groups.items())


def current_ownerships(premises: Premises, on: datetime.date | None = None) -> QuerySet[Ownership]:
    """Ownerships of ``premises`` in force on a day (today by default)."""
    on = on or timezone.localdate()
    return premises.ownerships.filter(started_on__lte=on).exclude(ended_on__lte=on)


def owner_holds(owner: Owner, premises: Premises) -> bool:
    """True if the owner record holds a share of ``premises`` today."""
    return current_ownerships(premises).filter(owner=owner).exists()


def owners_to_invite(premises: Premises | None) -> list[Owner]:
    """Owner records of ``premises`` today that have no portal login yet (keys in one wave)."""
    if premises is None:
        return []
    owner_ids = current_ownerships(premises).values("owner_id")
    return list(Owner.objects.filter(pk__in=owner_ids, user__isnull=True).order_by("id"))


def user_with_email(email: str):
    """The association's user with this email (blind index), or None."""
    return get_user_model()._default_manager.with_email(email).first()


class Problem:
    """Why a link cannot be used; each has its own page text."""

    INVALID = "invalid"
    REPLACED = "replaced"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"
    STALE = "stale"

    MESSAGES = {
        INVALID: _(
            "This link is not valid. Check that you copied the whole link from the letter, "
            "or ask the board for a new invitation."
        ),
        REPLACED: _(
            "The board has sent you a newer invitation, and this link no longer works. "
            "Open the link from the latest letter."
        ),
        EXPIRED: _("This invitation has expired. Ask the board to send it again."),
        REVOKED: _("This invitation was withdrawn by the board."),
        USED: _("This invitation has already been accepted. Sign in with your email and password."),
        STALE: _(
            "This invitation no longer matches the register (the owner record changed). "
            "Ask the board for a new invitation."
        ),
    }


def problem_of(invitation: Invitation) -> str | None:
    """Why this (current-token) invitation cannot be accepted now, or None."""
    if invitation.status == InvitationStatus.ACCEPTED:
        return Problem.USED
    if invitation.status == InvitationStatus.REVOKED:
        return Problem.REVOKED
    if invitation.status == InvitationStatus.EXPIRED or invitation.is_expired:
        return Problem.EXPIRED
    return None


@dataclass(frozen=True)
class TokenCheck:
    invitation: Invitation | None
    problem: str | None


def check_token(token: str, *, for_update: bool = False) -> TokenCheck:
    """What a link's token opens in the current association.

    A token signed for another association, tampered with, or not the invitation's current
    token is refused; ``for_update`` locks the row (acceptance is single use).
    """
    claims = tokens.read_token(token)
    if claims is None:
        return TokenCheck(None, Problem.INVALID)
    queryset = Invitation.objects.select_related("premises__building")
    if for_update:
        queryset = Invitation.objects.select_for_update(of=("self",)).select_related(
            "premises__building"
        )
    invitation = queryset.filter(pk=claims.invitation_id).first()
    if invitation is None:
        return TokenCheck(None, Problem.INVALID)
    if not hmac.compare_digest(invitation.token_hash, claims.token_hash):
        # An older link of a resent invitation: never usable, whatever became of the invitation.
        return TokenCheck(None, problem_of(invitation) or Problem.REPLACED)
    return TokenCheck(invitation, problem_of(invitation))
