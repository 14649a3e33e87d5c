"""The files the forum keeps (``tenants.files``): attachments of posts."""

from __future__ import annotations

from tenants.files.purposes import IMAGES, MB, FilePurpose, register


def _can_read(user, stored_file) -> bool:
    """Whoever reads the post reads its attachments."""
    from tenants.forum import selectors

    return selectors.attachment_visible_to(user, stored_file)


#: A picture or a PDF attached to a post: under the association's key (every reader of the
#: forum reads the post), shown in the browser.
ATTACHMENT = register(
    FilePurpose(
        "forum.attachment",
        kinds=IMAGES | {"pdf"},
        max_bytes=10 * MB,
        can_read=_can_read,
        inline=True,
        max_side=2000,
    )
)
