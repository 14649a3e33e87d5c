"""Reading an uploaded spreadsheet safely: size, archive bombs, format, header, rows.

An .xlsx file is a zip archive of XML. Before openpyxl opens it, the archive's directory is
checked: at most ``MAX_FILE_BYTES`` packed, ``MAX_UNPACKED_BYTES`` unpacked, no member packed
more than ``MAX_RATIO`` times. Python's zipfile never inflates a member beyond the size its
directory declares (a lying entry fails its CRC instead), so the check on declared sizes holds.

Only the worksheet is streamed by openpyxl's read-only mode; the parts it loads whole before the
first row is read (the shared strings, the styles, the workbook, the content types...) would
hold a file's worth of objects in memory: a few megabytes of packed shared strings became some
400 MB and 20 s. So those parts are read once beforehand, streaming, with expat: the shared
strings at most ``MAX_SHARED_STRINGS_BYTES`` unpacked and ``MAX_SHARED_STRINGS`` strings (counted
in the XML, never taken from the ``count`` attributes, which the file states about itself), the
other parts at most ``MAX_PART_BYTES`` and ``MAX_PART_ELEMENTS`` elements. The shared strings
part is the one the content types name (as openpyxl finds it), and ``xl/sharedStrings.xml`` in
any case. openpyxl then reads in read-only (streaming) mode through defusedxml, which refuses
entity expansion ("billion laughs") and external entities. A .csv file is decoded as UTF-8 (with or
without BOM), UTF-16 (Excel's "Unicode text") or Windows-1251 (Excel's CSV in Russian Windows),
with the delimiter found from the header line.

Every way a file can be wrong ends in ``FileRefused`` with a code the page turns into a
sentence; nothing is written before the whole file has been read.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from django.utils.translation import gettext_lazy as _

from tenants.imports.columns import COLUMNS_BY_KEY, REQUIRED_KEYS, as_text, column_for_header

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
#: A 30,000-row workbook unpacks to some 40 MB (sheet, shared strings, styles).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: openpyxl keeps every shared string in memory, and while reading them, every element of their
#: part outside a string (~100 MB and 4-5 s for 500,000 strings). 30,000 rows of some 13 text
#: columns each make at most ~400,000 different strings.
MAX_SHARED_STRINGS_BYTES = 30 * 1024 * 1024
MAX_SHARED_STRINGS = 500_000
#: Elements of the whole shared strings part, of one string (rich text runs), outside any string.
MAX_SHARED_STRINGS_ELEMENTS = 4 * MAX_SHARED_STRINGS
MAX_STRING_ELEMENTS = 1_000
MAX_STRAY_ELEMENTS = 10_000
#: Other parts openpyxl parses whole (styles, workbook, content types, relationships, properties)
#: become objects, ~0.7 KB and 20 µs per element: a real workbook's are far smaller (Excel allows
#: at most 64,000 cell formats).
MAX_PART_BYTES = 10 * 1024 * 1024
MAX_PART_ELEMENTS = 150_000
#: Spreadsheet XML packs 5-20 times; a deflate bomb packs about a thousand times.
MAX_RATIO = 100
#: Members smaller than this are not judged by their ratio (a tiny file may pack very well).
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000
#: A preview is made in the request: 30,000 rows take about 12 s.
MAX_ROWS = 30_000
MAX_COLUMNS = 100
#: The header may follow a few title rows.
HEADER_SEARCH_ROWS = 20
#: Rows read in all (empty ones included) before the file is called too long.
SCAN_LIMIT = MAX_ROWS + 5_000
EXTENSIONS = {"xlsx": "xlsx", "xlsm": "xlsx", "csv": "csv", "txt": "csv"}
CONTENT_TYPES = "[Content_Types].xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
#: Worksheets (where Excel puts them, or as the content types declare them) are streamed by
#: openpyxl's read-only mode: only the total unpacked size bounds them. Relationships, and these
#: parts found by their names, are parsed whole whatever the content types say.
WORKSHEETS = "xl/worksheets/"
LOADED_WHOLE = frozenset(
    {"xl/workbook.xml", "xl/styles.xml", "docProps/core.xml", "docProps/custom.xml"}
)
#: Binary parts openpyxl's read-only mode does not parse (pictures, printer settings, macros).
XML_SUFFIXES = (".xml", ".rels", ".vml")

REFUSALS = {
    "too_large": _("The file is larger than 20 MB. Split it into smaller files and import each."),
    "empty": _("The file is empty."),
    "not_spreadsheet": _(
        "This is not an .xlsx or .csv file. In Excel choose File → Save As and pick "
        "“Excel Workbook (.xlsx)” or “CSV”."
    ),
    "old_xls": _(
        "This is an old Excel .xls file or a password-protected workbook. Save it as an Excel "
        "Workbook (.xlsx) without a password and upload it again."
    ),
    "bomb": _(
        "The file unpacks into far more data than a spreadsheet of its size holds, so it was "
        "refused. Save it again from Excel as .xlsx."
    ),
    "broken": _(
        "The workbook could not be read: it may be damaged. Open it in Excel, save it again as "
        ".xlsx and upload it again."
    ),
    "encoding": _("The text encoding of the CSV file was not recognised. Save it as “CSV UTF-8”."),
    "broken_csv": _(
        "The CSV file could not be read (a quote may be left open). Save it again from Excel."
    ),
    "no_sheet": _("The workbook has no worksheet."),
    "no_header": _(
        "No header row was found. The first row must name the columns as the template does "
        "(Building, Premises number, Area, …)."
    ),
    "missing_columns": _(
        "These required columns are missing: %(columns)s. Name them as in the template."
    ),
    "duplicate_column": _("The column «%(column)s» appears twice."),
    "no_rows": _("The file has a header but no rows to import."),
    "too_many_rows": _(
        "The file has more than %(max)s rows. Split it into smaller files and import each."
    ),
}


class FileRefused(Exception):
    """The whole file cannot be imported; ``code`` names the reason (see ``REFUSALS``)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        text = str(REFUSALS.get(self.code, REFUSALS["broken"]))
        try:
            return text % self.params if self.params else text
        except (KeyError, TypeError, ValueError):
            return text


@dataclass
class Table:
    """The file's data rows, each as (spreadsheet line number, {column key: cell value})."""

    file_format: str
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def file_format(name: str, head: bytes) -> str:
    """``xlsx`` or ``csv``, from the content first and the name second."""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("old_xls")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PK"):
        raise FileRefused("not_spreadsheet")
    if EXTENSIONS.get(extension) == "csv":
        return "csv"
    if extension in EXTENSIONS:
        raise FileRefused("broken")  # an .xlsx that is not a zip archive
    raise FileRefused("not_spreadsheet")


def read_table(upload, name: str) -> Table:
    """Check and read an uploaded file (a Django ``UploadedFile`` or any binary file object)."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_FILE_BYTES:
        raise FileRefused("too_large")
    if size == 0:
        raise FileRefused("empty")
    return _table(*read_rows(upload, name))


def read_rows(upload, name: str):
    """``(kind, rows)`` of a file already checked for size: its format told by its first bytes,
    its rows read by the safe reader of that format (also the meters' readings import)."""
    upload.seek(0)
    kind = file_format(name, upload.read(8))
    upload.seek(0)
    if kind == "csv":
        return kind, _csv_rows(upload.read(MAX_FILE_BYTES + 1))
    return kind, _xlsx_rows(upload)


# -- xlsx ---------------------------------------------------------------------------------------


def check_archive(upload) -> None:
    """Refuse a zip that is not a workbook or that would unpack into far too much data."""
    try:
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused("broken") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRefused("bomb")
    unpacked = 0
    for member in members:
        unpacked += member.file_size
        if member.flag_bits & 0x1:
            raise FileRefused("old_xls")  # encrypted member
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise FileRefused("bomb")
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRefused("bomb")
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise FileRefused("not_spreadsheet")  # .docx, .ods, any other zip
    check_parts(archive, members)
    upload.seek(0)


def check_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Refuse parts that openpyxl would load whole and that would not fit in memory.

    The content types come first: they name the shared strings part openpyxl reads, and the
    worksheets, which it streams. Every member of a checked name is checked (a zip may hold two
    of the same name), by its declared size first and then by its elements, counted streaming.
    """
    types = _PartBudget()
    for member in members:
        if member.filename == CONTENT_TYPES:
            _scan(archive, member, MAX_PART_BYTES, types)
    shared = {SHARED_STRINGS, *types.shared_strings}
    worksheets = set(types.worksheets) - shared - LOADED_WHOLE
    for member in members:
        name = member.filename
        if name in shared:
            _scan(archive, member, MAX_SHARED_STRINGS_BYTES, _StringsBudget())
        elif name != CONTENT_TYPES and not _streamed(name, worksheets):
            _scan(archive, member, MAX_PART_BYTES, _PartBudget())


def _streamed(name: str, worksheets: set[str]) -> bool:
    """A worksheet (streamed), or a part openpyxl's read-only mode does not parse at all."""
    if not name.lower().endswith(XML_SUFFIXES):
        return True  # pictures, printer settings, macros
    if name.endswith(".rels") or name in LOADED_WHOLE:
        return False
    return name in worksheets or name.startswith(WORKSHEETS)


class _PartBudget:
    """Counts a part's elements; notes what the content types declare as shared strings and as
    worksheets."""

    end = None

    def __init__(self):
        self.elements = 0
        self.shared_strings: list[str] = []
        self.worksheets: list[str] = []

    def start(self, name: str, attributes: dict) -> None:
        self.elements += 1
        if self.elements > MAX_PART_ELEMENTS:
            raise FileRefused("bomb")
        if name.rpartition(":")[2] == "Override":
            kind = attributes.get("ContentType")
            part = str(attributes.get("PartName") or "").lstrip("/")
            if kind == SHARED_STRINGS_TYPE:
                self.shared_strings.append(part)
            elif kind == WORKSHEET_TYPE:
                self.worksheets.append(part)


class _StringsBudget:
    """Counts the strings of a shared strings part (``<si>`` under the root) and its elements."""

    def __init__(self):
        self.depth = self.elements = self.strings = self.stray = 0
        self.string_depth = self.string_elements = 0

    def start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        self.elements += 1
        if self.elements > MAX_SHARED_STRINGS_ELEMENTS:
            raise FileRefused("bomb")
        if self.string_depth:
            self.string_elements += 1
            if self.string_elements > MAX_STRING_ELEMENTS:
                raise FileRefused("bomb")
        elif self.depth == 2 and name.rpartition(":")[2] == "si":
            self.string_depth, self.string_elements = self.depth, 0
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise FileRefused("bomb")
        elif self.depth > 1:
            self.stray += 1
            if self.stray > MAX_STRAY_ELEMENTS:
                raise FileRefused("bomb")

    def end(self, name: str) -> None:
        if self.depth == self.string_depth:
            self.string_depth = 0
        self.depth -= 1


def _no_declarations(*args) -> None:
    raise FileRefused("broken")  # no part of a workbook has a DOCTYPE or entities


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_bytes: int, budget):
    """Read one part through expat, streaming, with ``budget`` counting its elements."""
    if member.file_size > max_bytes:
        raise FileRefused("bomb")
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _no_declarations
    parser.EntityDeclHandler = _no_declarations
    parser.StartElementHandler = budget.start
    if budget.end is not None:
        parser.EndElementHandler = budget.end
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except FileRefused:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        raise FileRefused("broken") from None
    except (NotImplementedError, RuntimeError):  # unsupported compression, encrypted member
        raise FileRefused("broken") from None
    return budget


def _xlsx_rows(upload):
    check_archive(upload)
    from tenants.imports import xlsx

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = xlsx.load_workbook(upload)
    except Exception as error:  # noqa: BLE001 - any failure of a damaged workbook is "broken"
        logger.info("import: workbook refused (%s)", type(error).__name__)
        raise FileRefused("broken") from None
    try:
        sheets = [
            sheet
            for sheet in workbook.worksheets
            if getattr(sheet, "sheet_state", "visible") == "visible"
        ]
        if not sheets:
            raise FileRefused("no_sheet")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield from _guarded(xlsx.iter_values(sheets[0], MAX_COLUMNS))
    finally:
        workbook.close()


def _guarded(rows):
    """Rows of a worksheet; a failure half-way through (damaged XML) is "broken"."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except FileRefused:
            raise
        except Exception as error:  # noqa: BLE001 - damaged or hostile XML inside the archive
            logger.info("import: worksheet refused (%s)", type(error).__name__)
            raise FileRefused("broken") from None
        yield row


# -- csv ----------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1251")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("encoding")
    sample = text[:4096]
    if any(ord(char) < 32 and char not in "\t\r\n" for char in sample):
        raise FileRefused("not_spreadsheet")
    return text


def sniff_delimiter(text: str) -> str:
    """``;`` (Excel in Russian), ``,`` or a tab: whichever the first non-empty line has most."""
    for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in (";", "\t", ",")}
            best = max(counts, key=lambda delimiter: counts[delimiter])
            return best if counts[best] else ";"
    return ";"


def _csv_rows(data: bytes):
    text = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        for row in reader:
            yield [cell for cell in row[:MAX_COLUMNS]]
    except csv.Error:
        raise FileRefused("broken_csv") from None


# -- header and rows ----------------------------------------------------------------------------


def _is_empty(row) -> bool:
    return all(as_text(cell) == "" for cell in row)


def _header(row) -> tuple[dict[int, str], list[str]]:
    """{cell index: column key} of a header row, and the headers that name no column."""
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(row):
        text = as_text(cell)
        if not text:
            continue
        key = column_for_header(text)
        if key is None:
            ignored.append(text[:60])
        elif key in columns.values():
            raise FileRefused("duplicate_column", column=text[:60])
        else:
            columns[index] = key
    return columns, ignored


def _table(kind: str, raw_rows) -> Table:
    table = Table(file_format=kind)
    columns: dict[int, str] | None = None
    rows_before_header = 0
    for line, row in enumerate(raw_rows, start=1):
        if line > SCAN_LIMIT:
            raise FileRefused("too_many_rows", max=MAX_ROWS)
        if columns is None:
            if _is_empty(row):
                continue
            rows_before_header += 1
            found, ignored = _header(row)
            if len(found) >= 2 or set(REQUIRED_KEYS) <= set(found.values()):
                missing = [key for key in REQUIRED_KEYS if key not in found.values()]
                if missing:
                    names = ", ".join(f"«{COLUMNS_BY_KEY[key].label}»" for key in missing)
                    raise FileRefused("missing_columns", columns=names)
                columns, table.ignored = found, ignored
            elif rows_before_header >= HEADER_SEARCH_ROWS:
                raise FileRefused("no_header")
            continue
        if _is_empty(row):
            continue
        values = {key: row[index] for index, key in columns.items() if index < len(row)}
        table.rows.append((line, values))
        if len(table.rows) > MAX_ROWS:
            raise FileRefused("too_many_rows", max=MAX_ROWS)
    if columns is None:
        raise FileRefused("no_header" if rows_before_header else "empty")
    if not table.rows:
        raise FileRefused("no_rows")
    return table
