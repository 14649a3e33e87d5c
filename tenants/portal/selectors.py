"""Reads for the dashboard: which sections a user's roles open.

The sections come from the apps' declarations (``core.extensions``), each app its own.
"""

from __future__ import annotations

from core.access.roles import roles_of
from core.extensions import DashboardSection
from core.extensions import dashboard_sections as declared_sections


def dashboard_sections(user) -> list[DashboardSection]:
    """The dashboard's sections for this user, in a fixed order."""
    held = roles_of(user)
    return [section for section in declared_sections() if section.roles & held]
