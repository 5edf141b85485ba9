"""The one formula-safe way to write a cell, for every spreadsheet and CSV file the app writes.

Whoever typed a text (a respondent's comment, an officer's title, an admin's organisation name),
a spreadsheet program must show it as typed and never run it: ``=HYPERLINK("http://x","y")``
would send the reader's data elsewhere, ``=cmd|' /C calc'!A0`` would start a program.

- **Excel (.xlsx)**: text goes in a cell typed as text (``data_type == "s"``). openpyxl types a
  string that begins with ``=`` as a formula and ``#N/A`` as an error value; a text cell keeps it
  as text, exactly as typed, and reads back the same. Characters the file format cannot hold
  (control characters other than tab and line breaks) are left out instead of failing the file.
- **CSV and other listings** opened in a spreadsheet program: a field that begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, as OWASP's
  CSV-injection guidance says, so the program shows it as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

# What a spreadsheet program may read as the start of a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def storable(text: str) -> str:
    """``text`` without the control characters an .xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


# Excel ------------------------------------------------------------------------------------------
def as_text(cell: Cell, text: str) -> Cell:
    """Put ``text`` in ``cell`` as text, whatever it begins with; returns the cell."""
    cell.value = storable(text)
    cell.data_type = "s"
    return cell


def text_cell(sheet, text: str, style=None) -> WriteOnlyCell:
    """A write-only cell (for ``Workbook(write_only=True)``) holding ``text`` as text."""
    cell = WriteOnlyCell(sheet)
    as_text(cell, text)
    if style is not None:
        for name, value in style.items():
            setattr(cell, name, value)
    return cell


def set_text(sheet, row: int, column: int, text: str | None) -> Cell:
    """Write ``text`` as text at (row, column) of an ordinary worksheet; None leaves it empty."""
    cell = sheet.cell(row=row, column=column)
    if text is None or text == "":
        cell.value = None
        return cell
    return as_text(cell, text)


def write_row(sheet, row: int, values: Iterable[Any]) -> None:
    """Write ``values`` into ``row`` of an ordinary worksheet, every text typed as text."""
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            set_text(sheet, row, column, value)
        elif value is not None:
            sheet.cell(row=row, column=column, value=value)


def typed_text(cell: Cell) -> str | None:
    """What was typed in ``cell`` (read with ``data_only=False``), as text: a text cell's text;
    for a formula cell, the formula as typed (so that ``=…`` written by an older template, or
    typed in Excel, is kept as the words it is, never evaluated and never lost)."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        return getattr(value, "text", None) or str(value)
    if isinstance(value, CellRichText):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# CSV and tab-separated listings -----------------------------------------------------------------
def csv_safe(value: Any) -> str:
    """A CSV field a spreadsheet program shows as text: ``=1+1`` → ``'=1+1``."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


class SafeCsvWriter:
    """``csv.writer`` with every field passed through :func:`csv_safe`."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([csv_safe(field) for field in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeCsvWriter:
    """A formula-safe CSV writer (options as for ``csv.writer``)."""
    return SafeCsvWriter(stream, **options)
