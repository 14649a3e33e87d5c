"""What the portal tells the platform (see ``core.extensions``).

The portal declares no section of its own: the dashboard and the menu show the sections the
other apps declare. A section appears once its app (and page) exists; no placeholder cards
(docs/architecture.md, "Navigation").
"""

from __future__ import annotations

from core.extensions import AppDeclaration, PeriodicJob


def seed_demo() -> str:
    from tenants.portal.demo_registry import seed_registry

    if seed_registry():
        return "Demo registry: 2 buildings, 120 premises, owners and accounts."
    return ""


declaration = AppDeclaration(
    periodic_jobs=(
        PeriodicJob("collect-usage-hourly", "tenants.portal.tasks.collect_usage", 3600.0),
    ),
    demo=seed_demo,
)
