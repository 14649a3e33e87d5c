"""The files the profile keeps (``tenants.files``)."""

from tenants.files.purposes import IMAGES, MB, FilePurpose, register

#: The association's logo: on receipts and in the portal's header, seen by every member.
LOGO = register(
    FilePurpose(
        "profile.logo",
        kinds=IMAGES,
        max_bytes=2 * MB,
        members_read=True,
        inline=True,
        max_side=1024,
        max_pixels=40_000_000,
    )
)
