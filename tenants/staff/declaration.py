"""What the staff app tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import STAFF_KEEPERS
from core.extensions import AppDeclaration, DashboardSection, NotificationKind

#: The operators' console names a chairman's successor through this hook (``core.extensions.
#: operator_hook``): it runs in the association's schema and returns the hand-over's id.
PROPOSE_CHAIR_SUCCESSOR = "staff.propose_chair_successor"


def _operator_proposes_successor(*, email: str) -> str:
    from tenants.staff.services import propose_handover_by_operator

    return str(propose_handover_by_operator(email=email).pk)


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "staff",
            _("People"),
            _("Logins and their roles: appoint the board, the accountant and the dispatcher."),
            STAFF_KEEPERS,
            url_name="staff:people",
            order=55,
        ),
    ),
    audit_labels={
        "staff.roles_granted": _("Roles given"),
        "staff.roles_revoked": _("Roles taken away"),
        "staff.handover_proposed": _("Chair offered to a successor"),
        "staff.handover_accepted": _("Chair handed over"),
        "staff.handover_declined": _("Chair declined by the successor"),
        "staff.handover_withdrawn": _("Hand-over of the chair withdrawn"),
    },
    notification_kinds=(
        NotificationKind(
            "staff.chair_handover",
            _("Hand-over of the chair"),
            _("You are named the chairman's successor."),
            can_opt_out=False,
        ),
    ),
    operator_hooks={PROPOSE_CHAIR_SUCCESSOR: _operator_proposes_successor},
)
