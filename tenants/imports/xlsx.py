"""Reading an .xlsx worksheet's values with expat: what openpyxl's read-only mode yields, faster.

openpyxl's read-only worksheet parses each row with ElementTree's ``iterparse`` and builds a
dictionary per cell, and reads the shared strings into rich-text objects first: reading a
workbook of 10,900 rows x 21 columns took some 6 s of CPU, a third of a 10,000-premises
import's preview. Here the same parts are read with expat, the way ``reading._scan`` checks them,
and each cell is converted exactly as openpyxl's ``WorkSheetParser.parse_cell`` does with
``data_only`` (its own helpers: numbers, dates by the workbook's date formats and epoch, booleans,
ISO dates, shared and inline strings); the rows are padded as its ``_cells_by_row`` pads them.
openpyxl still opens the workbook (content types, workbook, styles, relationships) and is the
reference: tests/tenants/imports/test_xlsx_reader.py compares both on the same files.

No DOCTYPE and no entity declarations are accepted (``DeclarationRefused``, which ``reading``
turns into ``FileRefused("broken")``), as in ``reading._scan``: openpyxl's own reading went
through defusedxml.
"""

from __future__ import annotations

from xml.parsers import expat

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

_NS = SHEET_MAIN_NS + "}"  # expat's names with namespace_separator="}": "<uri>}<local>"
_SI, _T, _R = _NS + "si", _NS + "t", _NS + "r"
_ROW, _C, _V, _IS = _NS + "row", _NS + "c", _NS + "v", _NS + "is"
_CHUNK = 1 << 16


class DeclarationRefused(ValueError):
    """A DOCTYPE or an entity declaration in a part (``reading`` calls the file broken)."""


def _no_declarations(*args) -> None:
    raise DeclarationRefused("no part of a workbook has a DOCTYPE or entities")


def _parser():
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _no_declarations
    parser.EntityDeclHandler = _no_declarations
    parser.buffer_text = True
    return parser


class _Text:
    """The text of a rich-text element (``<si>``, ``<is>``) as openpyxl's ``Text.content``:
    its own ``<t>``, then each run's ``<t>``; phonetic runs (``<rPh>``) left out."""

    def __init__(self, depth: int):
        self.depth = depth  # of the element itself
        self.plain: str | None = None
        self.runs: list[str] = []
        self.target: str | None = None  # "plain" or "run" while inside such a <t>
        self.text_depth = 0
        self.parts: list[str] = []

    def start(self, name: str, depth: int, parent: str) -> None:
        if name != _T:
            return
        if depth == self.depth + 1:
            self.target = "plain"
        elif depth == self.depth + 2 and parent == _R:
            self.target = "run"
        else:
            return
        self.text_depth, self.parts = depth, []

    def data(self, text: str, depth: int) -> None:
        if self.target is not None and depth == self.text_depth:
            self.parts.append(text)

    def end(self, depth: int) -> None:
        if self.target is not None and depth == self.text_depth:
            text = "".join(self.parts)
            if self.target == "plain":
                self.plain = text
            else:
                self.runs.append(text)
            self.target = None

    @property
    def content(self) -> str:
        return (self.plain or "") + "".join(self.runs)


def read_shared_strings(source) -> list[str]:
    """openpyxl's ``read_string_table``: each ``<si>``'s text, ``x005F_`` removed."""
    strings: list[str] = []
    stack: list[str] = []
    current: list[_Text] = []  # the <si> being read, if any

    def start(name, attributes):
        stack.append(name)
        if current:
            current[0].start(name, len(stack), stack[-2])
        elif name == _SI:
            current.append(_Text(len(stack)))

    def data(text):
        if current:
            current[0].data(text, len(stack))

    def end(name):
        if current:
            if len(stack) == current[0].depth:
                strings.append(current.pop().content.replace("x005F_", ""))
            else:
                current[0].end(len(stack))
        stack.pop()

    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    while chunk := source.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


class _StringsReader(ExcelReader):
    """openpyxl's reader with the shared strings read by ``read_shared_strings``."""

    def read_strings(self):
        ct = self.package.find(SHARED_STRINGS)
        if ct is not None:
            with self.archive.open(ct.PartName[1:]) as src:
                self.shared_strings = read_shared_strings(src)


def load_workbook(upload):
    """``openpyxl.load_workbook(upload, read_only=True, data_only=True, keep_links=False)``."""
    reader = _StringsReader(upload, read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


class _SheetReader:
    """Rows of a worksheet as ``(row number, [(column, value), ...])``, as openpyxl's
    ``WorkSheetParser.parse`` yields them (``data_only``)."""

    def __init__(self, shared_strings, epoch, date_formats, timedelta_formats):
        self.shared_strings = shared_strings
        self.epoch = epoch
        self.date_formats, self.timedelta_formats = date_formats, timedelta_formats
        self.done: list[tuple[int, list]] = []
        self.stack: list[str] = []
        self.row_counter = self.col_counter = 0
        self.cells: list | None = None
        self.cell: dict | None = None
        self.cell_depth = 0
        self.value: str | None = None
        self.seen_value = False
        self.value_parts: list[str] | None = None
        self.inline: _Text | None = None

    def start(self, name, attributes):
        stack = self.stack
        stack.append(name)
        depth = len(stack)
        if self.cell is not None:
            if depth == self.cell_depth + 1:
                if name == _V and not self.seen_value:
                    self.seen_value, self.value_parts = True, []
                elif name == _IS and self.inline is None:
                    self.inline = _Text(depth)
            elif self.inline is not None:
                self.inline.start(name, depth, stack[-2])
        elif name == _ROW:
            self._start_row(attributes)
        elif name == _C and self.cells is not None:
            self.cell, self.cell_depth = attributes, depth
            self.seen_value, self.value, self.value_parts, self.inline = False, None, None, None

    def data(self, text):
        if self.value_parts is not None and len(self.stack) == self.cell_depth + 1:
            self.value_parts.append(text)
        elif self.inline is not None:
            self.inline.data(text, len(self.stack))

    def end(self, name):
        stack = self.stack
        depth = len(stack)
        if self.cell is not None:
            if depth == self.cell_depth:
                self.cells.append(self._cell())
                self.cell = None
            elif depth == self.cell_depth + 1 and self.value_parts is not None:
                self.value = "".join(self.value_parts)
                self.value_parts = None
            elif self.inline is not None:
                self.inline.end(depth)
        elif name == _ROW and self.cells is not None:
            self.done.append((self.row_counter, self.cells))
            self.cells = None
        stack.pop()

    def _start_row(self, attributes):
        """``WorkSheetParser.parse_row``: the row's number, or the previous one's plus one."""
        if "r" in attributes:
            number = attributes["r"]
            try:
                self.row_counter = int(number)
            except ValueError:
                value = float(number)
                if not value.is_integer():
                    raise ValueError(f"{number} is not a valid row number") from None
                self.row_counter = int(value)
        else:
            self.row_counter += 1
        self.col_counter = 0
        self.cells = []

    def _cell(self) -> tuple[int, object]:
        """``WorkSheetParser.parse_cell`` with ``data_only``: (column, value)."""
        attributes = self.cell
        data_type = attributes.get("t", "n")
        coordinate = attributes.get("r")
        style_id = attributes.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value = None if data_type == "inlineStr" else (self.value or None)
        if coordinate:
            _row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            column = self.col_counter
        if value is not None:
            if data_type == "n":
                value = _cast_number(value)
                if style_id in self.date_formats:
                    try:
                        value = from_excel(
                            value, self.epoch, timedelta=style_id in self.timedelta_formats
                        )
                    except (OverflowError, ValueError):
                        value = "#VALUE!"  # openpyxl: an error cell, with a warning
            elif data_type == "s":
                value = self.shared_strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                value = from_ISO8601(value)
        elif data_type == "inlineStr" and self.inline is not None:
            value = self.inline.content
        return column, value


def _parse_rows(source, reader: _SheetReader):
    parser = _parser()
    parser.StartElementHandler, parser.EndElementHandler = reader.start, reader.end
    parser.CharacterDataHandler = reader.data
    while chunk := source.read(_CHUNK):
        parser.Parse(chunk, False)
        if reader.done:
            yield from reader.done
            reader.done = []
    parser.Parse(b"", True)
    yield from reader.done
    reader.done = []


def iter_values(sheet, max_col: int):
    """``sheet.iter_rows(values_only=True, max_col=max_col)`` of a read-only worksheet."""
    workbook = sheet.parent
    max_row = sheet.max_row
    empty_row = (None,) * max_col
    reader = _SheetReader(
        sheet._shared_strings,
        workbook.epoch,
        workbook._date_formats,
        workbook._timedelta_formats,
    )
    counter = idx = 1
    with sheet._get_source() as source:
        for idx, cells in _parse_rows(source, reader):
            if max_row is not None and idx > max_row:
                break
            for _ in range(counter, idx):  # rows missing from the file
                counter += 1
                yield empty_row
            if counter <= idx:
                row = [None] * max_col
                for column, value in cells:
                    if 1 <= column <= max_col:
                        row[column - 1] = value
                counter += 1
                yield tuple(row)
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            yield empty_row


__all__ = ["DeclarationRefused", "iter_values", "load_workbook", "read_shared_strings"]
