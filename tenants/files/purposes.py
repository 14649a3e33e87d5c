"""What a file is for: its accepted kinds, size limit, who may read it and how it is served.

An app that keeps files declares a purpose for each use and registers it when it is imported
(its ``AppConfig.ready`` imports the module that defines it)::

    LOGO = register(FilePurpose("profile.logo", kinds=IMAGES, max_bytes=2 * MB, inline=True))

The purpose's name is stored with every file, so the download view knows, for any file, the
rules it was stored under.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    """A type of file the store accepts, recognised by its first bytes (never by its name or
    the browser's word for it)."""

    key: str
    label: str
    content_type: str
    extension: str
    #: Pillow's format name for images (they are decoded and re-encoded), else "".
    image_format: str = ""

    def matches(self, head: bytes) -> bool:
        if self.key == "png":
            return head.startswith(b"\x89PNG\r\n\x1a\n")
        if self.key == "jpeg":
            return head.startswith(b"\xff\xd8\xff")
        if self.key == "webp":
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        if self.key == "pdf":
            return head.startswith(b"%PDF-")
        return False


PNG = FileKind("png", "PNG", "image/png", "png", "PNG")
JPEG = FileKind("jpeg", "JPEG", "image/jpeg", "jpg", "JPEG")
WEBP = FileKind("webp", "WebP", "image/webp", "webp", "WEBP")
PDF = FileKind("pdf", "PDF", "application/pdf", "pdf")
# Office documents are ZIP containers: told apart by what the archive's directory names (never
# unpacked here; served as attachments, never shown inline).
DOCX = FileKind(
    "docx",
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = FileKind(
    "xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
)
ODT = FileKind("odt", "ODT", "application/vnd.oasis.opendocument.text", "odt")
ODS = FileKind("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", "ods")
KINDS = {kind.key: kind for kind in (PNG, JPEG, WEBP, PDF, DOCX, XLSX, ODT, ODS)}
IMAGES = frozenset({"png", "jpeg", "webp"})
OFFICE = frozenset({"docx", "xlsx", "odt", "ods"})
#: The most entries an office document's ZIP directory may list before it is refused unread.
MAX_ARCHIVE_ENTRIES = 10_000
#: What an office document may unpack to in all (its directory's declared sizes): a long report
#: with pictures unpacks to some tens of megabytes.
MAX_ARCHIVE_UNPACKED = 200 * MB
#: Office XML packs 5-20 times; a deflate bomb packs about a thousand times. Members smaller
#: than ``RATIO_FLOOR`` are not judged by their ratio (a tiny part may pack very well).
MAX_ARCHIVE_RATIO = 100
RATIO_FLOOR = 1 * MB
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
}


class ArchiveRefused(Exception):
    """A ZIP container that would unpack into far more than a document holds (an archive bomb),
    or whose directory lies about its members' sizes. Never unpacked to find out: judged by
    the directory alone."""


def _check_archive(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise ArchiveRefused("too many members")
    unpacked = 0
    for entry in entries:
        unpacked += entry.file_size
        # Deflate never makes data much larger: a member packed bigger than it unpacks to lies
        # about its size (its data may inflate to anything).
        if entry.compress_size > entry.file_size + entry.file_size // 100 + 1024:
            raise ArchiveRefused("a member's size is false")
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_ARCHIVE_RATIO * max(
            entry.compress_size, 1
        ):
            raise ArchiveRefused("a member packs like a bomb")
    if unpacked > MAX_ARCHIVE_UNPACKED:
        raise ArchiveRefused("unpacks to too much")


def _office_kind(data: bytes) -> FileKind | None:
    """The office kind of a ZIP container, from its directory (and, for OpenDocument, the
    ``mimetype`` entry the format stores first and uncompressed); None if it is neither.
    ``ArchiveRefused`` for an office document that is an archive bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ARCHIVE_ENTRIES:
                return None
            names = {entry.filename for entry in entries}
            if entries and entries[0].filename == "mimetype" and entries[0].file_size <= 100:
                found = _ODF_TYPES.get(archive.read(entries[0]).strip())
                if found is not None:
                    _check_archive(entries)
                return found
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    found = None
    if "word/document.xml" in names:
        found = DOCX
    elif "xl/workbook.xml" in names:
        found = XLSX
    if found is not None:
        _check_archive(entries)
    return found


def kind_of(data: bytes) -> FileKind | None:
    """The kind a file's bytes show (its first bytes; for a ZIP container, its directory), or
    None. Give the whole file when office kinds may be accepted. ``ArchiveRefused`` for an
    office document that would unpack into far too much (see ``_check_archive``)."""
    found = next((kind for kind in KINDS.values() if kind.matches(data[:16])), None)
    if found is None and data.startswith(b"PK\x03\x04"):
        found = _office_kind(data)
    return found


@dataclass(frozen=True)
class FilePurpose:
    """One use of files, declared by the app that uses it."""

    name: str
    kinds: frozenset[str]
    max_bytes: int
    #: Roles whose holders may download every file of this purpose; empty: nobody by role.
    readers: frozenset[str] = frozenset()
    #: Any signed-in member of the association may download (an association's logo).
    members_read: bool = False
    #: ``can_read(user, stored_file) -> bool`` for readers decided per file (a holder's own).
    can_read: Callable[[Any, Any], bool] | None = None
    #: Shown in the browser (images) rather than downloaded.
    inline: bool = False
    #: Images: the longest side kept (larger ones are scaled down), and the most pixels read.
    max_side: int = 4096
    max_pixels: int = 50_000_000

    @property
    def accepted(self) -> list[FileKind]:
        return [KINDS[key] for key in sorted(self.kinds)]

    def describe_kinds(self) -> str:
        return ", ".join(kind.label for kind in self.accepted)

    def describe_size(self) -> str:
        if self.max_bytes % MB == 0:
            return _("%(count)d MB") % {"count": self.max_bytes // MB}
        return _("%(count)d KB") % {"count": self.max_bytes // 1024}


_purposes: dict[str, FilePurpose] = {}


def register(purpose: FilePurpose) -> FilePurpose:
    unknown = purpose.kinds - KINDS.keys()
    if unknown:
        raise ValueError(f"unknown file kinds {sorted(unknown)} in {purpose.name}")
    existing = _purposes.get(purpose.name)
    if existing is not None and existing != purpose:
        raise ValueError(f"two file purposes are named {purpose.name!r}")
    _purposes[purpose.name] = purpose
    return purpose


def purpose_named(name: str) -> FilePurpose | None:
    return _purposes.get(name)
