"""The files the meters keep (``tenants.files``): photos of a meter's face."""

from __future__ import annotations

from core.access.roles import ACCOUNT_READERS
from tenants.files.purposes import IMAGES, MB, FilePurpose, register


def _can_read(user, stored_file) -> bool:
    """A member reads the photos of their own premises' meters."""
    from tenants.meters import selectors

    return selectors.photo_visible_to(user, stored_file)


#: A photo of the meter's face sent with a reading: under the holding's key (the holder's own
#: data), read by the board and the accountant and by the premises' members.
READING_PHOTO = register(
    FilePurpose(
        "meters.reading_photo",
        kinds=IMAGES,
        max_bytes=10 * MB,
        readers=ACCOUNT_READERS,
        can_read=_can_read,
        inline=True,
        max_side=1600,
    )
)
