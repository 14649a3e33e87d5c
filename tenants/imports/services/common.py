"""What the import's services share: limits, notices, refusals, row counts, queueing."""

from __future__ import annotations

import datetime
import logging

from django.utils.translation import gettext_lazy as _

from core import relay
from tenants.imports.models import RowStatus
from tenants.imports.planning import PlanRow

#: The name the import has always logged under (the package once was one module).
logger = logging.getLogger("tenants.imports.services")

ROW_BATCH = 1000
#: Keys made while the board reads a preview are used by an import confirmed within this time;
#: the sweeper destroys keys pending for an hour, so later imports make their own.
PREPARED_KEYS_FRESH = datetime.timedelta(minutes=30)
HOLDING_BATCH = 500
#: Arbitrary first half of the advisory lock that lets one import at a time run per association.
LOCK_CLASS = 480_413
#: Previews (each reads a whole file in the request and may have up to 30,000 keys made ahead)
#: per association; ``IMPORT_PREVIEW_RATE`` in the settings overrides it.
PREVIEW_RATE = "10/h"
#: Previews never imported nor discarded, and failed imports, are discarded after this long;
#: the file names of finished imports are forgotten then too.
KEPT_FOR = datetime.timedelta(days=7)

NOTICES = {
    "registry_changed": _(
        "The registry changed after this preview was made, so the file was checked again and "
        "nothing was imported. See the rows below."
    ),
    "keys_unavailable": _(
        "The key store did not answer, so nothing was imported. Try again in a few minutes."
    ),
    "internal": _(
        "The import failed and nothing was imported. Try again; if it fails again, tell the "
        "portal's support."
    ),
    "suspended": _(
        "The association's portal is suspended, so nothing was imported. Once the portal is "
        "active again, start the import again."
    ),
    "expired": _(
        "This preview was kept for 7 days without being imported, so its rows were deleted. "
        "Upload the file again to import it."
    ),
    "refused": _(
        "The registry refused a record of this file, so nothing was imported. Correct the file "
        "and upload it again; if the rows look right, tell the portal's support."
    ),
}


class RegistryChanged(Exception):
    def __init__(self, rows: list[PlanRow]):
        super().__init__("the registry changed since the preview")
        self.rows = rows


class Suspended(Exception):
    """The association was suspended after the import was queued."""


class TooManyPreviews(Exception):
    """The association made more previews than ``PREVIEW_RATE`` allows."""

    def __init__(self, seconds: int):
        super().__init__("too many previews")
        self.minutes = max(1, -(-seconds // 60))

    @property
    def message(self) -> str:
        return str(
            _(
                "Too many files have been checked for this association in the last hour. "
                "Try again in %(minutes)s min."
            )
        ) % {"minutes": self.minutes}


def _counts(rows: list[PlanRow]) -> dict:
    counts = dict.fromkeys(RowStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    return {
        "total_rows": len(rows),
        "new_rows": counts[RowStatus.NEW],
        "changed_rows": counts[RowStatus.CHANGED],
        "unchanged_rows": counts[RowStatus.UNCHANGED],
        "error_rows": counts[RowStatus.ERROR],
    }


def _queue(task, job_id) -> None:
    """Send a task once the transaction committed; a broker that is down keeps the job for the
    relay (core.relay), which sends it once Redis is back, rather than failing the page (it can
    be started again by hand too, see ``ImportJob.can_restart``)."""
    relay.send(task, job_id)
