"""``publish_generated_document``: the service another app calls to publish a file it made."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit.models import AuditEntry
from tenants.documents import selectors, services
from tenants.documents.models import Document
from tenants.documents.sections import ReaderGroup, Section
from tests.tenants.documents.support import PDF

pytestmark = pytest.mark.django_db


def test_a_generated_pdf_is_published_like_an_upload(people):
    document = services.publish_generated_document(
        actor=people.chairman,
        section=Section.GENERAL_MEETING,
        title="Протокол № 1",
        readers=ReaderGroup.OWNERS,
        content=PDF,
        filename="protocol-1.pdf",
    )
    assert document.current.number == 1
    assert document.current.file.size == len(PDF)
    assert AuditEntry.objects.filter(action="documents.published").count() == 1
    assert document in selectors.documents_visible_to(people.owner)
    assert document not in selectors.documents_visible_to(people.resident)


def test_only_the_board_and_only_an_accepted_file(people):
    with pytest.raises(PermissionDenied):
        services.publish_generated_document(
            actor=people.member,
            section=Section.GENERAL_MEETING,
            title="Протокол",
            readers=ReaderGroup.OWNERS,
            content=PDF,
            filename="protocol.pdf",
        )
    with pytest.raises(ValidationError):
        services.publish_generated_document(
            actor=people.chairman,
            section=Section.GENERAL_MEETING,
            title="Протокол",
            readers=ReaderGroup.OWNERS,
            content=b"#!/bin/sh\necho not a document\n",
            filename="protocol.pdf",
        )
    assert not Document.objects.exists()
