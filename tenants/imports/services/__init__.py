"""Writes for imports: the preview, its confirmation or discarding, and the import itself.

The life of an import::

    upload ──► preview ──confirm──► queued ──► running ──► done
                  │  ▲                            │
               discard └── registry changed ◄─────┤ (back to the preview, rows re-checked)
                  ▼                                └──► failed (key store down, a bug): retry
              discarded

* **Preview** (``create_preview``, in the request): the file is read and checked in full, every
  row compared with the registry; the rows are stored with their values encrypted under the
  association's key. Nothing is written to the registry.
* **Import** (``apply_import``, in Celery, argument: the job id only): one transaction, all or
  nothing. The rows are planned again against the locked registry; if the registry changed so
  that a row no longer fits, nothing is written and the job goes back to the preview with the new
  errors. A worker that dies mid-way leaves nothing behind (PostgreSQL rolls the transaction
  back); the task is acknowledged late, so another worker runs it again from the start. A second
  copy of the task waits on the job's row lock and then finds the job done.
* The preview rows (personal data) are deleted once imported or discarded (152-ФЗ ст. 5 ч. 7);
  a preview nobody imported nor discarded, and a failed import, are discarded by the hourly
  ``purge_stale_jobs`` after ``KEPT_FOR`` (7 days), and file names are not kept longer either.
* A suspended association's portal changes nothing: an import queued before the suspension
  fails without writing, and no keys are made ahead for its previews. Both tasks read the
  association's status afresh from the public schema (the worker's tenant may be older).
* Previews are limited per association (``PREVIEW_RATE``); keys are made ahead for one preview
  at a time.

Audit: the preview, confirmation, discarding and the import's summary are recorded; the import
also records, per premises, what it created or changed (ids and field names, never values), in
its own transaction, so the premises' history shows the import.

The package, by topic: ``preview`` (the preview and the keys made ahead for it), ``jobs``
(confirming, discarding, forgetting old imports), ``running`` (the import itself), ``writing``
(the plan written to the registry), ``progress`` and ``common``.
"""

from tenants.imports.services.common import (
    KEPT_FOR,
    NOTICES,
    PREPARED_KEYS_FRESH,
    PREVIEW_RATE,
    RegistryChanged,
    Suspended,
    TooManyPreviews,
)
from tenants.imports.services.jobs import confirm_import, discard_import, purge_stale_jobs
from tenants.imports.services.preview import create_preview, prepare_keys
from tenants.imports.services.progress import set_progress
from tenants.imports.services.running import apply_import

__all__ = [
    "KEPT_FOR",
    "NOTICES",
    "PREPARED_KEYS_FRESH",
    "PREVIEW_RATE",
    "RegistryChanged",
    "Suspended",
    "TooManyPreviews",
    "apply_import",
    "confirm_import",
    "create_preview",
    "discard_import",
    "prepare_keys",
    "purge_stale_jobs",
    "set_progress",
]
