"""What the portal tells the platform (see ``core.extensions``).

The dashboard cards below belong to apps still to come (meters, requests, budget, ledger,
dispatch): each moves into its app's own declaration when the app arrives.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import Role
from core.extensions import AppDeclaration, DashboardSection, PeriodicJob


def seed_demo() -> str:
    from tenants.portal.demo_registry import seed_registry

    if seed_registry():
        return "Demo registry: 2 buildings, 120 premises, owners and accounts."
    return ""


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "meters",
            _("Meter readings"),
            _("Enter this month's readings of your meters."),
            frozenset({Role.OWNER, Role.RESIDENT}),
            order=20,
        ),
        DashboardSection(
            "requests",
            _("Requests"),
            _("Repair requests, complaints and questions to the chairman."),
            frozenset({Role.OWNER, Role.RESIDENT, Role.CHAIRMAN, Role.BOARD_MEMBER}),
            order=30,
        ),
        DashboardSection(
            "budget",
            _("Budget"),
            _("The yearly estimate, its discussion and the vote."),
            frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER, Role.ACCOUNTANT}),
            order=80,
        ),
        DashboardSection(
            "ledger",
            _("Accruals and payments"),
            _("Tariffs, monthly accruals, payments and penalties."),
            frozenset({Role.ACCOUNTANT, Role.CHAIRMAN}),
            order=90,
        ),
        DashboardSection(
            "dispatch",
            _("Dispatch desk"),
            _("Incoming requests, routing to suppliers and deadlines."),
            frozenset({Role.DISPATCHER, Role.CHAIRMAN}),
            order=100,
        ),
    ),
    periodic_jobs=(
        PeriodicJob("collect-usage-hourly", "tenants.portal.tasks.collect_usage", 3600.0),
    ),
    demo=seed_demo,
)
