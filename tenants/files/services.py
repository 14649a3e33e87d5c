"""Storing and deleting private files: the one way every app keeps files.

``store()`` checks the upload against its purpose (size first, then the kind its first bytes
show; office documents' ZIP directories against archive bombs; images decoded and encoded again
without metadata), seals the bytes under a fresh content key and writes them to the private
storage; the row (name and content key sealed under the owner's key) and its audit entry commit
with the caller's transaction. ``check()`` does the checking alone: an app that keeps several
files at once checks them all before it stores the first (``store()`` takes what ``check()``
gave), so a bad file beside good ones leaves no bytes behind. ``delete()`` and the
erasure hook remove rows at once and the bytes after the commit.

A transaction that rolls back after ``store()`` leaves sealed bytes whose content key never
committed: unreadable by anyone, and removed a day later by ``sweep_orphans`` (daily).
"""

from __future__ import annotations

import base64
import datetime
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.files import images, sealing
from tenants.files.models import StoredFile
from tenants.files.purposes import OFFICE, ArchiveRefused, FileKind, FilePurpose, kind_of
from tenants.files.storage import private_storage

#: Bytes read to recognise a file's kind.
HEAD_BYTES = 16
#: The longest original file name kept.
MAX_NAME = 200
#: How old unnamed bytes must be before the sweep removes them.
ORPHAN_GRACE = datetime.timedelta(days=1)


def _read_limited(upload, limit: int) -> bytes:
    data = b""
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        data += chunk
        if len(data) > limit:
            break
    return data


def _too_large(purpose: FilePurpose) -> ValidationError:
    return ValidationError(
        _("The file is too large: at most %(size)s.") % {"size": purpose.describe_size()},
        code="too_large",
    )


def _archive_bomb() -> ValidationError:
    return ValidationError(
        _(
            "This document unpacks into far more data than a document of its size holds (or "
            "its contents are damaged), so it was refused. Save it again from the office "
            "program and upload it."
        ),
        code="archive_bomb",
    )


def _check(data: bytes, purpose: FilePurpose) -> FileKind:
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > purpose.max_bytes:
        raise _too_large(purpose)
    try:
        kind = kind_of(data)
    except ArchiveRefused:
        if not purpose.kinds & OFFICE:
            kind = None  # no office document is welcome here anyway
        else:
            raise _archive_bomb() from None
    if kind is None or kind.key not in purpose.kinds:
        raise ValidationError(
            _("This type of file is not accepted here. Accepted: %(kinds)s.")
            % {"kinds": purpose.describe_kinds()},
            code="wrong_type",
        )
    return kind


def _clean_name(name: str, kind: FileKind) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())[:MAX_NAME]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'file'}.{kind.extension}"


@dataclass(frozen=True)
class Checked:
    """An upload that passed its purpose's checks: the bytes to keep (images already cleaned),
    their kind and the name to keep."""

    purpose: FilePurpose
    data: bytes
    kind: FileKind
    name: str


def check(upload, *, purpose: FilePurpose, name: str | None = None) -> Checked:
    """Check ``upload`` against ``purpose`` without storing anything; refusals are
    ``ValidationError``s."""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > purpose.max_bytes:
        raise _too_large(purpose)
    data = _read_limited(upload, purpose.max_bytes)
    kind = _check(data, purpose)
    if kind.image_format:
        data = images.clean_image(data, kind, purpose)
    return Checked(purpose, data, kind, _clean_name(name or getattr(upload, "name", ""), kind))


def store(
    upload,
    *,
    purpose: FilePurpose,
    actor,
    holding_id: uuid.UUID | None = None,
    name: str | None = None,
) -> StoredFile:
    """Keep ``upload`` (an uploaded file, or any object with ``read()``/``chunks()`` and a
    ``name``, or what ``check()`` gave for this purpose) as a private file of ``purpose``;
    refusals are ``ValidationError``s."""
    if isinstance(upload, Checked) and upload.purpose.name == purpose.name:
        checked = upload
    else:
        checked = check(upload, purpose=purpose, name=name)
    return store_bytes(
        checked.data,
        purpose=purpose,
        kind=checked.kind,
        actor=actor,
        holding_id=holding_id,
        name=checked.name,
    )


def store_bytes(
    data: bytes | Iterable[bytes],
    *,
    purpose: FilePurpose,
    kind: FileKind,
    actor,
    name: str,
    holding_id: uuid.UUID | None = None,
) -> StoredFile:
    """Keep bytes the app made itself (a generated PDF, say) or already checked."""
    key = sealing.new_content_key()
    stored = StoredFile(
        id=uuid.uuid4(),
        purpose=purpose.name,
        holding_id=holding_id,
        name=name,
        content_key=base64.b64encode(key).decode("ascii"),
        content_type=kind.content_type,
        size=0,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    stored.storage_name = f"{connection.schema_name}/{stored.pk.hex[:2]}/{stored.pk.hex}"
    chunks = [data] if isinstance(data, bytes | bytearray) else data
    with tempfile.TemporaryFile() as sealed:
        stored.size = sealing.seal(chunks, key, stored.place(), sealed)
        sealed.seek(0)
        saved_as = private_storage().save(stored.storage_name, File(sealed))
    if saved_as != stored.storage_name:  # never expected with fresh UUIDs: refuse to guess
        private_storage().delete(saved_as)
        raise RuntimeError("the private storage renamed a file")
    with transaction.atomic():
        stored.save(force_insert=True)
        audit.record(
            "files.stored",
            actor=actor,
            target=stored,
            details={"purpose": purpose.name, "size": stored.size, "type": kind.key},
        )
    return stored


def _remove_after_commit(names: list[str]) -> None:
    def remove():
        storage = private_storage()
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove, robust=True)


def delete(stored: StoredFile, *, actor) -> None:
    """Delete a file: the row now, its bytes once the transaction commits."""
    with transaction.atomic():
        audit.record(
            "files.deleted", actor=actor, target=stored, details={"purpose": stored.purpose}
        )
        name = stored.storage_name
        StoredFile.objects.filter(pk=stored.pk).delete()
        _remove_after_commit([name])


def erase_holding(holding_id) -> int:
    """Delete every file that concerns a holding (its holder is being erased); return the count.
    Runs in the erasure's transaction; the bytes go after the commit (and their content keys,
    sealed under the holding's key, are shredded with it anyway)."""
    files = StoredFile.objects.filter(holding_id=holding_id)
    names = list(files.values_list("storage_name", flat=True))
    if names:
        files.delete()
        _remove_after_commit(names)
    return len(names)


def sweep_orphans(older_than: datetime.timedelta = ORPHAN_GRACE) -> int:
    """Delete this association's stored bytes that no row names, once older than
    ``older_than`` (left by transactions that rolled back after storing, or by a deletion whose
    after-commit removal failed); return how many."""
    storage = private_storage()
    prefix = connection.schema_name
    try:
        directories, _files = storage.listdir(prefix)
    except FileNotFoundError:
        return 0
    known = set(StoredFile.objects.values_list("storage_name", flat=True))
    cutoff = timezone.now() - older_than
    removed = 0
    for directory in directories:
        _dirs, names = storage.listdir(f"{prefix}/{directory}")
        for name in names:
            path = f"{prefix}/{directory}/{name}"
            if path in known or storage.get_modified_time(path) > cutoff:
                continue
            storage.delete(path)
            removed += 1
    return removed
