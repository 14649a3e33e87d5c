"""Reading private files: who may, and their bytes."""

from __future__ import annotations

import base64
from collections.abc import Iterator

from django.http import Http404

from core.access.roles import roles_of
from tenants.files import sealing
from tenants.files.models import StoredFile
from tenants.files.purposes import FilePurpose, purpose_named
from tenants.files.storage import private_storage


def may_read(user, stored: StoredFile, purpose: FilePurpose) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if purpose.members_read or roles_of(user) & purpose.readers:
        return True
    return purpose.can_read is not None and bool(purpose.can_read(user, stored))


def file_for_reader(user, pk) -> tuple[StoredFile, FilePurpose]:
    """The file ``pk`` and its purpose, if ``user`` may read it; else 404 (someone else's file
    looks like no file at all)."""
    stored = StoredFile.objects.filter(pk=pk).first()
    purpose = purpose_named(stored.purpose) if stored is not None else None
    if stored is None or purpose is None or not may_read(user, stored, purpose):
        raise Http404
    return stored, purpose


def open_content(stored: StoredFile) -> Iterator[bytes]:
    """The plaintext of a file, chunk by chunk, decrypted as it is read. The content key is
    opened at once (an erased owner's raises ``KeyNotFound`` here, not mid-stream)."""
    key = base64.b64decode(stored.content_key)
    place = stored.place()

    def chunks():
        with private_storage().open(stored.storage_name, "rb") as source:
            yield from sealing.open_sealed(source, key, place)

    return chunks()


def read_bytes(stored: StoredFile) -> bytes:
    """The whole plaintext (small files: a logo for a PDF receipt)."""
    return b"".join(open_content(stored))
