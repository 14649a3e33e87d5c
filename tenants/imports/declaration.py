"""What the import tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import REGISTRY_EDITORS
from core.extensions import AppDeclaration, DashboardSection, Erasure, PeriodicJob

declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "import",
            _("Import from a spreadsheet"),
            _("Load buildings, premises, owners and accounts from Excel or CSV."),
            REGISTRY_EDITORS,
            url_name="imports:index",
            order=60,
        ),
    ),
    erasure=Erasure(
        destroys="nothing at once: preview rows (under the association's key, not a holder's) "
        "are deleted when the import runs or after 7 days (purge-stale-import-jobs)",
        keeps="the import jobs' counts and dates",
    ),
    periodic_jobs=(
        # Previews and failed imports left for a week: their rows (personal data) deleted; old
        # file names forgotten. In suspended associations too.
        PeriodicJob(
            "purge-stale-import-jobs",
            "tenants.imports.tasks.purge_stale_jobs",
            3600.0,
            include_suspended=True,
        ),
    ),
)
