"""What the file store tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.extensions import AppDeclaration, Erasure, ExportRules, HolderErasure, PeriodicJob


def erase_files(erasure: HolderErasure) -> dict[str, int]:
    from tenants.files import services

    return {"files_deleted": services.erase_holding(erasure.holding_id)}


declaration = AppDeclaration(
    audit_labels={
        "files.stored": _("File stored"),
        "files.deleted": _("File deleted"),
    },
    erasure=Erasure(
        destroys="every file that concerns the erased holding: its row now (name and content "
        "key, under the holding's key) and its sealed bytes in the private storage after the "
        "commit",
        keeps="files of the association (under the association's key)",
        hook=erase_files,
    ),
    # The bundle carries the files' rows without their content keys.
    export=ExportRules(skip_fields={"storedfile": frozenset({"content_key"})}),
    periodic_jobs=(
        PeriodicJob(
            "sweep-orphan-files",
            "tenants.files.tasks.sweep_orphans",
            24 * 3600.0,
            include_suspended=True,
        ),
    ),
)
