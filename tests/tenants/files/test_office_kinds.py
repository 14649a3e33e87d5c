"""Office documents are recognised by their ZIP directory, never by their name."""

from __future__ import annotations

import io
import zipfile

import pytest

from tenants.files.purposes import kind_of


def _zip(entries: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(
                zipfile.ZipInfo("mimetype"), stored_first, compress_type=zipfile.ZIP_STORED
            )
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


OOXML = {"[Content_Types].xml": b"<Types/>"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_zip({**OOXML, "word/document.xml": b"<w/>"}), "docx"),
        (_zip({**OOXML, "xl/workbook.xml": b"<x/>"}), "xlsx"),
        (
            _zip({"content.xml": b"<c/>"}, stored_first="application/vnd.oasis.opendocument.text"),
            "odt",
        ),
        (
            _zip(
                {"content.xml": b"<c/>"},
                stored_first="application/vnd.oasis.opendocument.spreadsheet",
            ),
            "ods",
        ),
        # A ZIP of something else, a presentation, a broken archive: not an accepted kind.
        (_zip({"readme.txt": b"hello"}), None),
        (_zip({**OOXML, "ppt/presentation.xml": b"<p/>"}), None),
        (_zip({"content.xml": b"<c/>"}, stored_first="application/x-evil"), None),
        (b"PK\x03\x04 not really a zip", None),
        (b"%PDF-1.7\n", "pdf"),
        (b"MZ\x90\x00", None),
    ],
    # Named, not derived from the bytes: a ZIP carries the time it was made, and pytest-xdist
    # refuses a run whose workers collected different names (a CI run met a 2-second tick).
    ids=[
        "docx",
        "xlsx",
        "odt",
        "ods",
        "zip-of-text",
        "pptx",
        "odf-of-another-type",
        "broken-zip",
        "pdf",
        "executable",
    ],
)
def test_kinds_are_told_by_content(data, expected):
    kind = kind_of(data)
    assert (kind.key if kind else None) == expected
