"""Reads for the dashboard: which sections a user's roles open.

The sections come from the apps' declarations (``core.extensions``), each app its own; the
dashboard shows the same ones as the menu on every page (``core.ui.navigation``): those the
user's roles open and whose page exists.
"""

from __future__ import annotations

from core.access.roles import roles_of
from core.extensions import DashboardSection, sections_for


def dashboard_sections(user) -> list[DashboardSection]:
    """The dashboard's sections for this user, in a fixed order."""
    return [section for section, _url in sections_for(roles_of(user))]
