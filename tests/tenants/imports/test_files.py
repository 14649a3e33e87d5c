"""Files that cannot be imported at all: refused with a clear message, nothing stored.

Too large (refused before it is read), archive bombs (refused before openpyxl opens them),
hostile XML, things that are not spreadsheets, and spreadsheets without the right columns.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadhandler import StopUpload

from core.access.roles import Role
from tenants.imports.models import ImportJob, ImportRow
from tenants.imports.reading import MAX_FILE_BYTES, MAX_ROWS, FileRefused, read_table
from tenants.imports.uploads import LimitedUpload
from tests.tenants.imports.conftest import (
    HEADERS,
    csv_file,
    in_english,
    owner_row,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def refusal(content: bytes, name: str = "registry.xlsx") -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(upload(content, name), name)
    return caught.value.code


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([owner_row(1)])))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return zip_of(members)


def test_a_file_over_20_mb_is_refused_before_it_is_read(alpha, client_of, make_user):
    client = in_english(client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN])))
    content = b"x" * (50 * 1024 * 1024)

    response = client.post("/registry/import/", {"file": upload(content, "big.xlsx")})

    assert response.status_code == 413
    assert "The file is larger than 20 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_longer_than_it_declared_is_cut_off_at_the_limit():
    handler = LimitedUpload(MAX_FILE_BYTES)
    assert handler.receive_data_chunk(b"x" * 1024, 0) == b"x" * 1024
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 1024, MAX_FILE_BYTES)
    assert handler.exceeded


def test_the_reader_refuses_an_oversized_file_too():
    assert refusal(b"PK\x03\x04" + b"\0" * (MAX_FILE_BYTES + 1)) == "too_large"


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it():
    bomb = workbook_with_sheet(b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>")
    assert len(bomb) < 100 * 1024  # 30 MB packed into a few dozen kilobytes

    with mock_openpyxl() as opened:
        assert refusal(bomb) == "bomb"
    assert not opened.called


def test_an_archive_of_thousands_of_members_is_refused():
    members = {"xl/workbook.xml": b"<workbook/>"}
    members.update({f"xl/m{n}.xml": b"<a/>" for n in range(1001)})

    assert refusal(zip_of(members)) == "bomb"


def test_entity_expansion_in_the_sheet_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    assert refusal(workbook_with_sheet(laughs)) == "broken"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "registry.xlsx", "empty"),
        (b"this is not a zip archive at all", "registry.xlsx", "broken"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "registry.xls", "old_xls"),
        (b"%PDF-1.7 binary", "registry.pdf", "not_spreadsheet"),
        (b"\x00\x01\x02\x03binary\x00", "registry.csv", "not_spreadsheet"),
        (b"PK\x03\x04truncated zip", "registry.xlsx", "broken"),
    ],
)
def test_things_that_are_not_spreadsheets(content, name, code):
    assert refusal(content, name) == code


def test_a_zip_that_is_not_a_workbook_is_refused():
    document = zip_of({"word/document.xml": b"<document/>", "[Content_Types].xml": b"<x/>"})
    assert refusal(document, "registry.docx") == "not_spreadsheet"


def test_a_damaged_workbook_is_refused():
    damaged = workbook_with_sheet(b"<worksheet><sheetData><row><c>unclosed")
    assert refusal(damaged) == "broken"


def test_a_sheet_without_the_required_columns_is_refused_naming_them():
    headers = {"building": "Дом", "owner": "Собственник", "share": "Доля"}
    with pytest.raises(FileRefused) as caught:
        read_table(upload(xlsx([owner_row(1)], headers)), "registry.xlsx")

    assert caught.value.code == "missing_columns"
    assert caught.value.message == (
        "These required columns are missing: «Premises number», «Area, m²». "
        "Name them as in the template."
    )


def test_a_sheet_with_no_header_or_no_rows_is_refused():
    no_header = csv_file([], headers={"a": "первое", "b": "второе"}) + b"1;2\r\n" * 30
    assert refusal(no_header, "registry.csv") == "no_header"
    assert refusal(xlsx([]), "registry.xlsx") == "no_rows"
    assert refusal(csv_file([], headers=HEADERS), "registry.csv") == "no_rows"


def test_a_column_named_twice_is_refused():
    content = "Дом;Номер;Площадь;Площадь\r\nДом 1;1;30;31\r\n".encode()
    assert refusal(content, "registry.csv") == "duplicate_column"


def test_more_rows_than_allowed_are_refused():
    content = "Дом;Номер;Площадь\r\n".encode() + b"D;1;30\r\n" * (MAX_ROWS + 1)
    assert refusal(content, "registry.csv") == "too_many_rows"


def test_a_refused_upload_shows_its_message_beside_the_field(alpha, client_of, make_user):
    client = in_english(client_of(alpha, make_user(alpha, roles=[Role.BOARD_MEMBER])))

    response = client.post("/registry/import/", {"file": upload(b"not a zip", "r.xlsx")})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["file"] == [
        "The workbook could not be read: it may be damaged. Open it in Excel, save it again as "
        ".xlsx and upload it again."
    ]
    assert not ImportJob.objects.exists() and not ImportRow.objects.exists()


class mock_openpyxl:
    """Watch whether openpyxl's loader is called at all."""

    def __enter__(self):
        from unittest import mock

        self._patch = mock.patch("openpyxl.load_workbook")
        return self._patch.__enter__()

    def __exit__(self, *exc):
        return self._patch.__exit__(*exc)
