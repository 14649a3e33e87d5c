"""Files that cannot be imported at all: refused with a clear message, nothing stored.

Too large (refused before it is read), archive bombs (refused before openpyxl opens them),
hostile XML, things that are not spreadsheets, and spreadsheets without the right columns.
"""

from __future__ import annotations

import io
import random
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadhandler import StopUpload

from core.access.roles import Role
from tenants.imports import reading
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


SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" '
    'uniqueCount="{n}">'
)


def workbook_with_strings(strings_xml: bytes, part: str = "xl/sharedStrings.xml") -> bytes:
    """A real workbook (its cells are inline strings) given a shared strings part, declared in
    its content types as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([owner_row(1)])))
    members = {info.filename: source.read(info) for info in source.infolist()}
    override = f'<Override PartName="/{part}" ContentType="{SST_TYPE}"/></Types>'.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", override)
    members[part] = strings_xml
    return zip_of(members)


def shared_strings(count: int, *, declared: int | None = None, per_string: str = "") -> bytes:
    """``count`` different short strings, random enough to pack only a few times (as real text
    does, so the packing ratio lets them through)."""
    chance = random.Random(count)
    items = "".join(
        f"<si><t>{chance.getrandbits(40):010x}</t>{per_string}</si>" for _ in range(count)
    )
    head = SST.format(n=count if declared is None else declared)
    return f'<?xml version="1.0" encoding="UTF-8"?>{head}{items}</sst>'.encode()


def test_a_workbook_with_shared_strings_is_read():
    content = workbook_with_strings(shared_strings(2_000))

    assert len(read_table(upload(content), "registry.xlsx").rows) == 1


def test_too_many_shared_strings_are_refused_before_openpyxl_loads_them():
    """Some 13 MB of short strings pack into ~6 MB, well within the packing ratio: openpyxl
    would hold half a million strings (the report: a 4.7 MB file, ~400 MB and 23 s)."""
    strings = shared_strings(reading.MAX_SHARED_STRINGS + 1, declared=10)
    content = workbook_with_strings(strings)
    assert len(strings) < reading.MAX_SHARED_STRINGS_BYTES, "refused for the count, not the size"
    assert len(content) < MAX_FILE_BYTES

    with mock_openpyxl() as opened:
        assert refusal(content) == "bomb"
    assert not opened.called


def test_shared_strings_larger_than_allowed_unpacked_are_refused():
    strings = shared_strings(40_000)
    with (
        mock.patch.object(reading, "MAX_SHARED_STRINGS_BYTES", len(strings) - 1),
        mock_openpyxl() as opened,
    ):
        assert refusal(workbook_with_strings(strings)) == "bomb"
    assert not opened.called


def test_the_shared_strings_part_the_content_types_name_is_checked_whatever_its_name():
    content = workbook_with_strings(
        shared_strings(reading.MAX_SHARED_STRINGS + 1), part="xl/texts.xml"
    )

    with mock_openpyxl() as opened:
        assert refusal(content) == "bomb"
    assert not opened.called


def test_a_string_of_thousands_of_rich_text_runs_is_refused():
    runs = "<r><t>a</t></r>" * (reading.MAX_STRING_ELEMENTS // 2 + 1)
    content = workbook_with_strings(shared_strings(1, per_string=runs))

    assert refusal(content) == "bomb"


def test_a_styles_part_of_too_many_elements_is_refused():
    """The styles are parsed whole into objects (~0.7 KB each) too."""
    chance = random.Random(1)
    formats = "".join(
        f'<xf numFmtId="{chance.randrange(200)}" fontId="{chance.randrange(9999)}"/>'
        for _ in range(reading.MAX_PART_ELEMENTS + 1)
    )
    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<cellXfs>{formats}</cellXfs></styleSheet>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(xlsx([owner_row(1)])))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/styles.xml"] = styles

    with mock_openpyxl() as opened:
        assert refusal(zip_of(members)) == "bomb"
    assert not opened.called


def test_entities_in_the_shared_strings_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol "lol">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&lol;</t></si></sst>"
    )
    assert refusal(workbook_with_strings(laughs)) == "broken"


class mock_openpyxl:
    """Watch whether the workbook is opened at all (openpyxl's reader, through
    ``tenants.imports.xlsx.load_workbook``)."""

    def __enter__(self):
        from unittest import mock

        self._patch = mock.patch("tenants.imports.xlsx.load_workbook")
        return self._patch.__enter__()

    def __exit__(self, *exc):
        return self._patch.__exit__(*exc)
