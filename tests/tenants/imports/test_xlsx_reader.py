"""The import's own .xlsx reader (``tenants.imports.xlsx``) yields what openpyxl's read-only
mode yields: openpyxl is the reference, run on the same files."""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tenants.imports import xlsx
from tenants.imports.reading import MAX_COLUMNS, FileRefused, read_table
from tests.tenants.imports.conftest import owner_row, upload
from tests.tenants.imports.conftest import xlsx as registry_xlsx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _reference(content: bytes, max_col: int = MAX_COLUMNS) -> list[tuple]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
        try:
            return list(workbook.worksheets[0].iter_rows(values_only=True, max_col=max_col))
        finally:
            workbook.close()


def _ours(content: bytes, max_col: int = MAX_COLUMNS) -> list[tuple]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = xlsx.load_workbook(io.BytesIO(content))
        try:
            return list(xlsx.iter_values(workbook.worksheets[0], max_col))
        finally:
            workbook.close()


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _base() -> dict[str, bytes]:
    """The members of a workbook saved by openpyxl, with styles of a date (B1) and a time (C1)
    format."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "text"
    sheet["B1"] = datetime.datetime(2020, 3, 15)
    sheet["C1"] = datetime.time(12, 30)
    source = zipfile.ZipFile(io.BytesIO(_saved(workbook)))
    return {info.filename: source.read(info) for info in source.infolist()}


def _style_ids() -> tuple[int, int]:
    """The style ids openpyxl gave the date and the time cells."""
    sheet = _base()["xl/worksheets/sheet1.xml"].decode()
    styles = dict(re.findall(r'<c r="([BC]1)" s="(\d+)"', sheet))
    return int(styles["B1"]), int(styles["C1"])


def _with_sheet(sheet_xml: str, strings_xml: str | None = None) -> bytes:
    """That workbook with its first sheet's XML, and optionally its shared strings, replaced."""
    members = _base()
    members["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    if strings_xml is not None:
        members["xl/sharedStrings.xml"] = strings_xml.encode()
        types = members["[Content_Types].xml"]
        if b"sharedStrings" not in types:
            override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
            members["[Content_Types].xml"] = types.replace(
                b"</Types>", override.encode() + b"</Types>"
            )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_registry_file_reads_the_same():
    rows = [owner_row(n) for n in range(1, 40)]
    rows[3]["floor"] = 7
    rows[4]["area"] = 52.5
    rows[5]["member_since"] = datetime.datetime(2021, 6, 1)
    rows[6]["member"] = True
    rows[7]["owner"] = "  Пробелы   вокруг  "
    rows[8]["email"] = ""
    content = registry_xlsx(rows, title_rows=2)

    assert _ours(content) == _reference(content)
    assert _ours(content, max_col=5) == _reference(content, max_col=5)


def test_every_kind_of_value_reads_the_same():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["строка", 1, 2.5, -3e-7, 10**15, True, False, None, "", "x005F_y"])
    sheet.append([datetime.datetime(2020, 3, 15, 10, 30), datetime.date(1999, 12, 31)])
    sheet.append([datetime.time(23, 59, 1), datetime.timedelta(days=2, hours=3)])
    sheet.append(["=1+1", "=A1", "#N/A"])
    sheet["B7"] = "после пустых строк"
    sheet["Z9"] = "далеко справа"
    sheet["A10"] = CellRichText(["обычный ", TextBlock(InlineFont(b=True), "жирный"), " и снова"])
    content = _saved(workbook)

    assert _ours(content) == _reference(content)
    assert _ours(content, max_col=3) == _reference(content, max_col=3)


def test_hand_written_sheet_xml_reads_the_same():
    """What Excel and other programs write and openpyxl does not: inline strings with runs and
    phonetic text, rows and cells without their numbers, typed cells, an empty value, rows out
    of the dimension, a prefixed namespace."""
    date_style, time_style = _style_ids()
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:F9"/><sheetData>'
        f'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>in</t>'
        f'<r><t xml:space="preserve"> run</t></r>'
        f'<rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>'
        f'<c r="C1" t="inlineStr"/><c r="D1" t="str"><v>formula text</v></c>'
        f'<c r="E1" t="e"><v>#DIV/0!</v></c><c r="F1" t="b"><v>1</v></c></row>'
        f"<row><c><v>7</v></c><c><v>7.25</v></c><c/><c><v></v></c>"
        f'<c s="{date_style}"><v>43905.5</v></c><c s="{time_style}"><v>0.75</v></c></row>'
        f'<row r="5"><c r="C5" t="d"><v>2021-06-01T00:00:00</v></c>'
        f'<c r="D5" t="s"><v>1</v></c><c r="E5" t="s"><v>2</v></c></row>'
        f'<row r="7.0"><c r="A7"><v>1E3</v></c></row>'
        f"</sheetData></worksheet>"
    )
    strings = (
        f'<sst xmlns="{MAIN}"><si><t>первая</t></si>'
        f"<si><r><rPr><b/></rPr><t>жир</t></r><r><t>ный</t></r>"
        f'<rPh sb="0" eb="1"><t>ふ</t></rPh></si>'
        f"<si><t>a x005F_x000D_ b</t></si></sst>"
    )
    content = _with_sheet(sheet, strings)
    ours = _ours(content)

    assert ours == _reference(content)
    assert ours[0][:6] == ("первая", "in run", None, "formula text", "#DIV/0!", True)
    assert ours[4][3] == "жирный"

    prefixed = sheet.replace(f'<worksheet xmlns="{MAIN}">', f'<x:worksheet xmlns:x="{MAIN}">')
    prefixed = prefixed.replace("<c", "<x:c").replace("</c>", "</x:c>")
    for tag in ("row", "sheetData", "dimension", "v", "is", "t", "r", "rPh", "worksheet"):
        prefixed = prefixed.replace(f"<{tag}", f"<x:{tag}").replace(f"</{tag}>", f"</x:{tag}>")
    content = _with_sheet(prefixed, strings)
    assert _ours(content) == _reference(content) == ours


def test_a_doctype_in_the_sheet_is_refused_by_the_reader_itself():
    """openpyxl (through defusedxml) refuses entities when it opens the sheet; a bare DOCTYPE
    gets past it and is refused by the reader."""
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x'
        f"</t></is></c></row></sheetData></worksheet>"
    )
    workbook = xlsx.load_workbook(io.BytesIO(_with_sheet(sheet)))
    with pytest.raises(xlsx.DeclarationRefused):
        list(xlsx.iter_values(workbook.worksheets[0], MAX_COLUMNS))
    with pytest.raises(FileRefused) as caught:
        read_table(upload(_with_sheet(sheet)), "registry.xlsx")
    assert caught.value.code == "broken"


def test_a_doctype_in_the_sheet_makes_the_file_broken():
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "x">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;'
        f"</t></is></c></row></sheetData></worksheet>"
    )
    with pytest.raises(FileRefused) as caught:
        read_table(upload(_with_sheet(sheet)), "registry.xlsx")
    assert caught.value.code == "broken"


def test_a_bad_shared_string_index_is_a_broken_file():
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c>'
        f"</row></sheetData></worksheet>"
    )
    with pytest.raises(FileRefused) as caught:
        read_table(upload(_with_sheet(sheet)), "registry.xlsx")
    assert caught.value.code == "broken"
