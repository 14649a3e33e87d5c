"""Documents and news for tests, made through the services. Call inside a tenant schema."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from core.access.roles import Role
from tenants.documents import services
from tenants.documents.sections import ReaderGroup, Section
from tests.factories import UserFactory

#: A tiny valid PDF (what the file store recognises: its first bytes).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "doc.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name: str = "doc.docx") -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def board_user():
    return UserFactory(roles=[Role.CHAIRMAN])


def publish(
    *,
    actor=None,
    section=Section.CHARTER,
    readers=ReaderGroup.OWNERS,
    title="Устав товарищества",
    upload=None,
    **fields,
):
    return services.publish_document(
        actor=actor or board_user(),
        section=section,
        title=title,
        readers=readers,
        upload=upload or pdf(),
        **fields,
    )


def board_document():
    """A document only the board reads, published by someone else."""
    return publish(readers=ReaderGroup.BOARD, title="Протокол заседания правления")


def news_item(**fields):
    fields.setdefault("kind", "news")
    fields.setdefault("title", "Субботник во дворе")
    return services.publish_news(actor=board_user(), **fields)
