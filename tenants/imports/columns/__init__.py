"""The columns of an import file: their names, what to write in them, and how a cell is read.

Boards keep their lists in Excel with headers in their own words, so a header is recognised by
any of several names (Russian or English, case, «ё» and punctuation ignored), and a cell is read
the way people type it: a decimal comma, a share as 1/2, 0.5 or 50 %, a date as 31.12.2020,
«да»/«нет». A cell that cannot be read becomes an error of its row, in plain words, and never
an exception.

The rules behind the checks:

* premises: total area with two decimals (ЖК РФ ст. 15 ч. 5), cadastral number format of the
  ЕГРН (Приказ Росреестра № П/0393, «АА:ББ:ВВВВВВВ:ГГГГ»), number of registered residents
  (Правила 354, п. 56(2), charges per resident);
* owners: the owners' register of ЖК РФ ст. 45 ч. 3.1 (name, title document, ЕГРН record, share);
  an organisation is told by its ИНН/ОГРН (checked by the ФНС check digits);
* membership of the partnership is separate from ownership (ЖК РФ ст. 143, 217-ФЗ ст. 5) and,
  like the registry's own forms, a member needs the date the membership began.

The package, by topic: ``text`` (cells and headers as text), ``cells`` (reading a cell),
``choices`` (cells naming a choice), ``definitions`` (the columns), ``headers``, ``rows`` and
``messages`` (row errors as sentences).
"""

from tenants.imports.columns.cells import CellError, Context, parse_date
from tenants.imports.columns.definitions import (
    COLUMNS,
    COLUMNS_BY_KEY,
    OWNER_DETAIL_KEYS,
    REQUIRED_KEYS,
    Column,
)
from tenants.imports.columns.headers import column_for_header
from tenants.imports.columns.messages import MESSAGES, ROW_MESSAGE, error_text, premises_label
from tenants.imports.columns.rows import clean_row
from tenants.imports.columns.text import as_text, normalize, phone_key

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_KEY",
    "MESSAGES",
    "OWNER_DETAIL_KEYS",
    "REQUIRED_KEYS",
    "ROW_MESSAGE",
    "CellError",
    "Column",
    "Context",
    "as_text",
    "clean_row",
    "column_for_header",
    "error_text",
    "normalize",
    "parse_date",
    "phone_key",
    "premises_label",
]
