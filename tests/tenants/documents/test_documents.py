"""Documents: sections, reader groups, versions, reads, files and bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.audit.models import AuditEntry
from tenants.documents import selectors, services
from tenants.documents.models import Document, DocumentRead, DocumentVersion
from tenants.documents.sections import ReaderGroup, Section
from tenants.files.models import StoredFile
from tests.tenants.documents.support import PDF, docx, pdf, publish

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def file_url(document, version=None) -> str:
    version = version or document.current
    return reverse("documents:file", kwargs={"pk": document.pk, "version": version.pk})


def detail_url(document) -> str:
    return reverse("documents:detail", kwargs={"pk": document.pk})


# -- reader groups ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("readers", "who_reads"),
    [
        (ReaderGroup.BOARD, {"chairman"}),
        (ReaderGroup.MEMBERS, {"chairman", "member"}),
        (ReaderGroup.OWNERS, {"chairman", "member", "owner"}),
        (ReaderGroup.EVERYONE, {"chairman", "member", "owner", "resident", "accountant"}),
    ],
)
def test_a_reader_group_opens_the_document_and_its_file_to_its_readers_only(
    people, readers, who_reads
):
    document = publish(actor=people.chairman, readers=readers)
    for name in ("chairman", "member", "owner", "resident", "accountant"):
        client = getattr(people, f"{name}_client")
        expected = 200 if name in who_reads else 404
        assert client.get(detail_url(document)).status_code == expected, name
        assert client.get(file_url(document)).status_code == expected, name
        api = client.get(reverse("documents:api-document", kwargs={"pk": document.pk}))
        assert api.status_code == expected, name
        listed = client.get(reverse("documents:api-documents")).json()["results"]
        assert (str(document.pk) in {row["id"] for row in listed}) == (name in who_reads), name


def test_the_file_is_not_reachable_through_the_general_download_either(people):
    document = publish(actor=people.chairman, readers=ReaderGroup.EVERYONE)
    url = reverse("files:download", kwargs={"pk": document.current.file_id})
    # Only the documents' own view serves it (and logs the read).
    assert people.member_client.get(url).status_code == 404


def test_a_member_is_whom_the_register_counts_today(people):
    assert selectors.is_member(people.member)
    assert not selectors.is_member(people.owner)
    assert selectors.reader_groups(people.owner) == {"owners", "everyone"}
    assert selectors.reader_groups(people.member) == {"members", "owners", "everyone"}
    assert selectors.reader_groups(people.resident) == {"everyone"}
    assert selectors.reader_groups(people.chairman) == set(ReaderGroup.values)


# -- versions -----------------------------------------------------------------------------------


def test_a_new_version_never_overwrites_the_last(people):
    first = PDF.replace(b"%%EOF", b"%first\n%%EOF")
    second = PDF.replace(b"%%EOF", b"%second\n%%EOF")
    document = publish(actor=people.chairman, upload=pdf(content=first))
    v1 = document.current
    v2 = services.add_version(
        actor=people.chairman, document=document, upload=pdf(content=second), note="Новая редакция"
    )
    document.refresh_from_db()
    assert (v1.number, v2.number) == (1, 2)
    assert document.current_id == v2.pk
    assert DocumentVersion.objects.filter(document=document).count() == 2
    # Both files are kept: each version opens its own bytes.
    client = people.owner_client
    assert body(client.get(file_url(document, v1))) == first
    assert body(client.get(file_url(document, v2))) == second
    # The list shows the latest; the page's history all, newest first.
    index = client.get(reverse("documents:index")).content.decode()
    assert file_url(document, v2) in index and file_url(document, v1) not in index
    page = client.get(detail_url(document)).content.decode()
    assert page.index('data-version="2"') < page.index('data-version="1"')
    assert "Новая редакция" in page
    api = client.get(reverse("documents:api-document", kwargs={"pk": document.pk})).json()
    assert [v["number"] for v in api["versions"]] == [2, 1]
    assert api["current"]["number"] == 2
    assert AuditEntry.objects.filter(
        action="documents.version_added", target_id=str(document.pk)
    ).exists()


def test_the_board_uploads_a_new_version_on_its_page(people):
    document = publish(actor=people.chairman)
    url = reverse("documents:version-new", kwargs={"pk": document.pk})
    response = people.chairman_client.post(url, {"file": pdf(), "note": "Исправлена опечатка"})
    assert response.status_code == 302
    assert document.versions.count() == 2


# -- reads --------------------------------------------------------------------------------------


def test_reads_are_logged_and_the_board_sees_the_counts(people):
    document = publish(actor=people.chairman, readers=ReaderGroup.OWNERS)
    body(people.owner_client.get(file_url(document)))
    body(people.owner_client.get(file_url(document)))
    body(people.member_client.get(file_url(document)))
    reads = DocumentRead.objects.filter(document=document)
    assert reads.count() == 3
    assert {r.user_id for r in reads} == {people.owner.pk, people.member.pk}
    assert {r.version_id for r in reads} == {document.current_id}
    counts = selectors.read_counts(document)[document.current_id]
    assert (counts.readers, counts.opens) == (2, 3)
    # The board sees the counts on the page; a reader does not.
    board_page = people.chairman_client.get(detail_url(document)).content.decode()
    assert "2 человека" in board_page or "opened by 2 people" in board_page
    assert "3 раза" in board_page or "3 times" in board_page
    owner_page = people.owner_client.get(detail_url(document)).content.decode()
    assert "3 раза" not in owner_page and "3 times" not in owner_page
    # Someone who may not read it opens nothing, and nothing is logged.
    assert people.resident_client.get(file_url(document)).status_code == 404
    assert reads.count() == 3


# -- files --------------------------------------------------------------------------------------


def test_a_pdf_opens_in_the_browser_and_an_office_document_downloads(people):
    document = publish(actor=people.chairman, title="Устав «Демо»")
    response = people.owner_client.get(file_url(document))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp
    assert response["Cache-Control"] == "private, no-store"
    assert body(response) == PDF
    office = publish(actor=people.chairman, upload=docx(), section=Section.CONTRACT)
    response = people.owner_client.get(file_url(office))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "wordprocessingml" in response["Content-Type"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_pages_link_the_pdf_and_never_frame_it(people):
    document = publish(actor=people.chairman)
    page = people.owner_client.get(detail_url(document)).content.decode()
    assert f'href="{file_url(document)}"' in page
    assert "<iframe" not in page and "<embed" not in page and "<object" not in page


# -- bad input: refused with nothing stored -----------------------------------------------------


def _nothing_stored(before):
    assert (Document.objects.count(), DocumentVersion.objects.count()) == before[:2]
    assert StoredFile.objects.count() == before[2]


def _counts():
    return (Document.objects.count(), DocumentVersion.objects.count(), StoredFile.objects.count())


def _form(**fields):
    data = {"section": "charter", "title": "Устав", "readers": "owners", "file": pdf()}
    data.update(fields)
    return data


def test_a_file_of_a_type_not_accepted_is_refused_in_russian(people):
    before = _counts()
    bad = pdf(name="virus.pdf", content=b"MZ\x90\x00 this is a program")
    response = people.chairman_client.post(
        reverse("documents:new"), _form(file=bad), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    assert "Файлы этого типа здесь не принимаются" in response.content.decode()
    _nothing_stored(before)


def test_an_oversized_file_is_refused_before_it_is_read(people, settings):
    before = _counts()
    big = pdf(content=b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 10))
    response = people.chairman_client.post(reverse("documents:new"), _form(file=big))
    assert response.status_code == 413
    assert "Файл слишком большой" in response.content.decode()
    _nothing_stored(before)


def test_an_empty_file_and_an_unknown_reader_group_are_refused(people):
    before = _counts()
    empty = pdf(content=b"")
    response = people.chairman_client.post(reverse("documents:new"), _form(file=empty))
    assert response.status_code == 400
    response = people.chairman_client.post(reverse("documents:new"), _form(readers="friends"))
    assert response.status_code == 400
    _nothing_stored(before)


def test_the_api_refuses_a_reader_group_that_does_not_exist(people):
    before = _counts()
    response = people.chairman_client.post(
        reverse("documents:api-documents"),
        {"section": "charter", "title": "Устав", "readers": "friends", "file": pdf()},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    assert "readers" in response.json()
    assert "Такой группы читателей нет" in response.json()["readers"][0]
    _nothing_stored(before)


def test_the_api_refuses_a_bad_type_and_an_oversized_body(people):
    before = _counts()
    url = reverse("documents:api-documents")
    response = people.chairman_client.post(
        url, _form(file=pdf(content=b"<script>alert(1)</script>"))
    )
    assert response.status_code == 400 and "file" in response.json()
    big = pdf(content=b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 10))
    response = people.chairman_client.post(url, _form(file=big))
    assert response.status_code == 413
    _nothing_stored(before)


def test_the_api_publishes_for_the_board_only(people):
    url = reverse("documents:api-documents")
    assert people.owner_client.post(url, _form()).status_code == 403
    response = people.chairman_client.post(url, _form(section="annual_report"))
    assert response.status_code == 201
    assert response.json()["current"]["number"] == 1
    version_url = reverse("documents:api-versions", kwargs={"pk": response.json()["id"]})
    again = people.chairman_client.post(version_url, {"file": pdf(), "note": "v2"})
    assert again.status_code == 201
    assert [v["number"] for v in again.json()["versions"]] == [2, 1]


def test_a_page_upload_publishes_and_the_document_is_listed(people):
    response = people.chairman_client.post(reverse("documents:new"), _form(title="Устав ТСЖ"))
    assert response.status_code == 302
    document = Document.objects.get(title="Устав ТСЖ")
    assert document.current.number == 1
    assert "Устав ТСЖ" in people.owner_client.get(reverse("documents:index")).content.decode()


def test_the_details_change_without_touching_the_files(people):
    document = publish(actor=people.chairman, readers=ReaderGroup.OWNERS)
    response = people.chairman_client.post(
        reverse("documents:edit", kwargs={"pk": document.pk}),
        {"section": "charter", "title": "Устав (ред. 2)", "readers": "board"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.readers, document.current.number) == (
        "Устав (ред. 2)",
        "board",
        1,
    )
    assert people.owner_client.get(detail_url(document)).status_code == 404


# -- search -------------------------------------------------------------------------------------


def test_titles_are_found_in_another_word_form(people):
    publish(actor=people.chairman, title="Протокол общего собрания", section="general_meeting")
    publish(actor=people.chairman, title="Смета на год", section="estimate")
    found = people.owner_client.get(reverse("documents:index"), {"q": "протоколы"})
    text = found.content.decode()
    assert "Протокол общего собрания" in text and "Смета на год" not in text
    api = people.owner_client.get(reverse("documents:api-documents"), {"q": "сметы"}).json()
    assert [row["title"] for row in api["results"]] == ["Смета на год"]


def test_the_schema_describes_the_documents_api(people):
    schema = people.owner_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/documents/",
        "/api/v1/documents/{id}/",
        "/api/v1/documents/{id}/versions/",
        "/api/v1/documents/disclosure/",
        "/api/v1/documents/news/",
        "/api/v1/documents/news/{id}/",
    ):
        assert path in text


def test_a_document_published_by_mistake_is_removed_with_its_files(
    people, django_capture_on_commit_callbacks
):
    from tenants.files.storage import private_storage

    document = publish(actor=people.chairman, readers=ReaderGroup.EVERYONE)
    services.add_version(actor=people.chairman, document=document, upload=pdf())
    body(people.owner_client.get(file_url(document)))
    names = list(
        StoredFile.objects.filter(
            pk__in=document.versions.values_list("file_id", flat=True)
        ).values_list("storage_name", flat=True)
    )
    url = reverse("documents:withdraw", kwargs={"pk": document.pk})
    assert people.owner_client.post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = people.chairman_client.post(url)
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not DocumentVersion.objects.filter(document_id=document.pk).exists()
    assert not DocumentRead.objects.filter(document_id=document.pk).exists()
    assert not StoredFile.objects.filter(storage_name__in=names).exists()
    assert not any(private_storage().exists(name) for name in names)
    assert AuditEntry.objects.filter(action="documents.withdrawn").exists()
