"""The files the budget keeps (``tenants.files``): the protocol of the meeting that decided."""

from __future__ import annotations

from core.access.roles import ACCOUNT_READERS
from tenants.files.purposes import IMAGES, MB, FilePurpose, register

#: The protocol of the general meeting that approved (or did not) an estimate: read by every
#: member (ЖК РФ ст. 143.1 ч. 1: members may read the meeting's protocols).
PROTOCOL = register(
    FilePurpose(
        "budget.protocol",
        kinds=IMAGES | {"pdf"},
        max_bytes=20 * MB,
        readers=ACCOUNT_READERS,
        members_read=True,
    )
)
