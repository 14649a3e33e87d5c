"""The files the dispatch desk keeps (``tenants.files``): photos attached to requests."""

from __future__ import annotations

from core.access.roles import DISPATCH_DESK
from tenants.files.purposes import IMAGES, MB, FilePurpose, register


def _can_read(user, stored_file) -> bool:
    """A member reads the photos of their own requests, never another member's."""
    from tenants.dispatch import selectors

    return selectors.photo_visible_to(user, stored_file)


#: A photo a member attaches to their request: under their holding's key, read by the desk and
#: by the member who sent it (members on the same collective request never see it).
REQUEST_PHOTO = register(
    FilePurpose(
        "dispatch.request_photo",
        kinds=IMAGES,
        max_bytes=10 * MB,
        readers=DISPATCH_DESK,
        can_read=_can_read,
        inline=True,
        max_side=2000,
    )
)
