"""What the invitations tell the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access.roles import INVITERS
from core.extensions import AppDeclaration, DashboardSection, Erasure, HolderErasure


def forget_invitations(erasure: HolderErasure) -> dict[str, int]:
    """Clear the email of the invitations sent to erased owners (and to the closed logins).

    Pending ones are revoked first: their link can no longer be accepted.
    """
    from django.db.models import Q

    from tenants.invitations.models import Invitation, InvitationStatus

    invitations = Invitation.objects.filter(
        Q(owner_id__in=list(erasure.owner_ids))
        | Q(email_index__in=list(erasure.closed_login_email_indexes))
    )
    invitations.filter(status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, revoked_at=timezone.now()
    )
    return {"invitations_cleared": invitations.update(email=None, email_index=None)}


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "invitations",
            _("Invitations"),
            _("Invite owners and residents to the portal by email."),
            INVITERS,
            url_name="invitations:list",
            order=50,
        ),
    ),
    audit_labels={
        "invitations.created": _("Invitation sent"),
        "invitations.accepted": _("Invitation accepted"),
        "invitations.resent": _("Invitation sent again"),
        "invitations.revoked": _("Invitation revoked"),
    },
    erasure=Erasure(
        destroys="the email and its blind index of every invitation sent to the erased owners "
        "or to their closed logins; pending ones are revoked first",
        keeps="the invitations' status, kind, premises and dates",
        hook=forget_invitations,
    ),
)
