"""Reads for the dashboard: which sections a user's roles open."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.access.roles import Role, roles_of


@dataclass(frozen=True)
class DashboardSection:
    key: str
    title: str
    description: str
    roles: frozenset[str]
    #: The section's page, once it exists (the card links to it).
    url_name: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else ""


SECTIONS = (
    DashboardSection(
        "home",
        _("My home"),
        _("Your premises, personal accounts, balance and receipts."),
        frozenset({Role.OWNER, Role.RESIDENT}),
        url_name="my-home",
    ),
    DashboardSection(
        "meters",
        _("Meter readings"),
        _("Enter this month's readings of your meters."),
        frozenset({Role.OWNER, Role.RESIDENT}),
    ),
    DashboardSection(
        "requests",
        _("Requests"),
        _("Repair requests, complaints and questions to the chairman."),
        frozenset({Role.OWNER, Role.RESIDENT, Role.CHAIRMAN, Role.BOARD_MEMBER}),
    ),
    DashboardSection(
        "registry",
        _("Registry"),
        _("Buildings, premises, owners and personal accounts."),
        frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER}),
        url_name="registry-index",
    ),
    DashboardSection(
        "invitations",
        _("Invitations"),
        _("Invite owners and residents to the portal by email."),
        frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER}),
        url_name="invitation-list",
    ),
    DashboardSection(
        "import",
        _("Import from a spreadsheet"),
        _("Load buildings, premises, owners and accounts from Excel or CSV."),
        frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER}),
        url_name="imports-index",
    ),
    DashboardSection(
        "accounts",
        _("Personal accounts"),
        _("Every personal account and its holder."),
        frozenset({Role.ACCOUNTANT}),
        url_name="registry-accounts",
    ),
    DashboardSection(
        "budget",
        _("Budget"),
        _("The yearly estimate, its discussion and the vote."),
        frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER, Role.ACCOUNTANT}),
    ),
    DashboardSection(
        "ledger",
        _("Accruals and payments"),
        _("Tariffs, monthly accruals, payments and penalties."),
        frozenset({Role.ACCOUNTANT, Role.CHAIRMAN}),
    ),
    DashboardSection(
        "dispatch",
        _("Dispatch desk"),
        _("Incoming requests, routing to suppliers and deadlines."),
        frozenset({Role.DISPATCHER, Role.CHAIRMAN}),
    ),
    DashboardSection(
        "export",
        _("Data export"),
        _("Download the association's data when the operators have prepared it."),
        frozenset({Role.CHAIRMAN}),
        url_name="association-export",
    ),
)


def dashboard_sections(user) -> list[DashboardSection]:
    """The dashboard's sections for this user, in a fixed order."""
    held = roles_of(user)
    return [section for section in SECTIONS if section.roles & held]
