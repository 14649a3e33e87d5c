"""The files the voting keeps (``tenants.files``): scans of signed paper decisions and powers of
attorney. Both are records of the meeting the law keeps with its protocol (ЖК РФ ст. 46 ч. 1,
ст. 48 ч. 2; Приказ Минстроя № 266/пр): stored under the association's key and read by the
board; a power of attorney also by whoever uploaded it."""

from __future__ import annotations

from core.access.roles import BOARD
from tenants.files.purposes import IMAGES, MB, FilePurpose, register

SCANS = IMAGES | {"pdf"}


def _uploader_reads(user, stored_file) -> bool:
    return bool(user.is_authenticated and stored_file.created_by_id == user.pk)


#: A signed written decision (бланк решения) entered by the board.
PAPER_DECISION = register(
    FilePurpose("voting.paper_decision", kinds=SCANS, max_bytes=10 * MB, readers=BOARD)
)

#: A power of attorney to vote (ЖК РФ ст. 48 ч. 2).
PROXY_DOCUMENT = register(
    FilePurpose(
        "voting.proxy",
        kinds=SCANS,
        max_bytes=10 * MB,
        readers=BOARD,
        can_read=_uploader_reads,
    )
)
