"""The files receipts keep (``tenants.files``): the association's receipts of a month as one
print-ready PDF, sealed under the association's key, read by the board and the accountant,
kept for ``RECEIPT_BATCH_TTL`` (the purge job deletes it)."""

from __future__ import annotations

from core.access.roles import ACCOUNT_READERS
from tenants.files.purposes import MB, FilePurpose, register

RECEIPTS_BATCH = register(
    FilePurpose(
        "ledger.receipts_batch",
        kinds=frozenset({"pdf"}),
        max_bytes=2048 * MB,
        readers=ACCOUNT_READERS,
        inline=False,
    )
)
