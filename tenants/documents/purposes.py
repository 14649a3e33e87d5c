"""The files the documents keep (``tenants.files``): each version of a document."""

from __future__ import annotations

from tenants.files.purposes import IMAGES, MB, OFFICE, FilePurpose, register

#: A document's file: PDF, a scan (PNG/JPEG/WebP, stored without metadata) or an office document
#: (DOCX, XLSX, ODT, ODS). Under the association's key (the partnership's records, not a holder's
#: data). Nobody reads it through ``files:download``: the documents' own view serves it after
#: checking the document's reader group and logs the read.
DOCUMENT_FILE = register(
    FilePurpose(
        "documents.file",
        kinds=frozenset({"pdf"}) | IMAGES | OFFICE,
        max_bytes=20 * MB,
        inline=True,
        max_side=6000,
        max_pixels=60_000_000,
    )
)
