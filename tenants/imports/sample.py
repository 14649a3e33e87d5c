"""The blank template a board downloads: the columns in the reader's language, nothing else.

The .xlsx has the headers on the first sheet (columns that Excel would turn into dates or
numbers - numbers, shares, account numbers, ИНН - are formatted as text) and, on a second sheet,
what to write in each column with an example. The .csv is the header line, ``;``-separated,
UTF-8 with a BOM, which Excel in Russian opens as it is.
"""

from __future__ import annotations

import codecs
import io

from django.utils.translation import gettext as _

from tenants.imports.columns import COLUMNS

#: Columns kept as text so that Excel leaves 1/2, 00123 and 7701234567 alone.
TEXT_COLUMNS = {"number", "entrance", "account", "inn", "ogrn", "share", "doc_number", "egrn"}


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registry")[:31]
    sheet.append([str(column.label) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(str(column.label)) + 4)
        if column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
        sheet.cell(row=1, column=index).font = Font(bold=True)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    notes.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for column in COLUMNS:
        notes.append(
            [
                str(column.label),
                _("yes") if column.required else "",
                str(column.description),
                column.example,
            ]
        )
    for letter, width in zip("ABCD", (28, 12, 90, 36), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = Font(bold=True)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    header = ";".join(str(column.label) for column in COLUMNS)
    return codecs.BOM_UTF8 + (header + "\r\n").encode("utf-8")
