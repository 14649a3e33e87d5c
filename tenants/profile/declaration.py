"""What the association's profile tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD
from core.extensions import AppDeclaration, DashboardSection, Erasure


def seed_demo() -> str:
    from tenants.profile.demo import seed_demo as seed

    return seed()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "profile",
            _("Association profile"),
            _("Legal details, contacts, bank details for payments, readings window, logo."),
            frozenset(BOARD),
            url_name="profile:index",
            order=90,
        ),
    ),
    audit_labels={
        "profile.legal_details_changed": _("Legal details changed"),
        "profile.contacts_changed": _("Contacts changed"),
        "profile.recipient_added": _("Payment recipient added"),
        "profile.recipient_changed": _("Payment recipient changed"),
        "profile.recipient_deleted": _("Payment recipient deleted"),
        "profile.settings_changed": _("Operational settings changed"),
        "profile.logo_changed": _("Logo changed"),
        "profile.logo_removed": _("Logo removed"),
    },
    erasure=Erasure(
        destroys="nothing: the profile holds no personal account holder's data",
        keeps="the association's contacts, board list and bank details (under the "
        "association's key), which concern the association, not a holding",
    ),
    demo=seed_demo,
)
