"""The one formula-safe way to write a cell, for every spreadsheet and CSV file the app writes.

Whoever typed a text (a respondent's comment, an officer's title, an admin's organisation name),
a spreadsheet program must show it as typed and never run it: ``=HYPERLINK("http://x","y")``
would send the reader's data elsewhere, ``=cmd|' /C calc'!A0`` would start a program.

- **Excel (.xlsx)**: text goes in a cell typed as text (``data_type == "s"``). openpyxl types a
  string that begins with ``=`` as a formula and ``#N/A`` as an error value; a text cell keeps it
  as text, exactly as typed, and reads back the same. Characters the file format cannot hold
  (control characters other than tab and line breaks) are left out instead of failing the file.
  With XlsxWriter (the summary export): a workbook made by :func:`xlsx_workbook` never turns a
  string into a formula, a number or a link (``strings_to_formulas`` etc. off), and text goes in
  through :func:`write_text` – ``worksheet.write_string`` – never through ``write()``.
- **CSV and other listings** opened in a spreadsheet program: a field that begins with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, as OWASP's
  CSV-injection guidance says, so the program shows it as text.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# openpyxl is imported where a workbook is made or read, not at start-up (a tenth of it).
if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

from remiss.core.text import file_size

# What a spreadsheet program may read as the start of a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The control characters an .xlsx file cannot hold: openpyxl's ``ILLEGAL_CHARACTERS_RE``, the
# same pattern (tests/test_scale_startup.py compares them).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


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
    from openpyxl.cell import WriteOnlyCell

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


@functools.cache
def _formula_types() -> tuple[type, ...]:
    """openpyxl's values for a formula cell that are not plain text, once openpyxl is in use."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    return (ArrayFormula, DataTableFormula)


def typed_text(cell: Cell) -> str | None:
    """What was typed in ``cell`` (read with ``data_only=False``), as text: a text cell's text;
    for a formula cell, the formula as typed (so that ``=…`` written by an older template, or
    typed in Excel, is kept as the words it is, never evaluated and never lost)."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, _formula_types()):
        return getattr(value, "text", None) or str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Excel through XlsxWriter ------------------------------------------------------------------------
# The options every XlsxWriter workbook the app makes is opened with: no string is ever read as a
# formula, a number or a URL, whatever the writing call.
XLSXWRITER_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def xlsx_workbook(stream, *, constant_memory: bool = True, **options):
    """A formula-safe ``xlsxwriter.Workbook`` writing to ``stream`` (a path or a binary file);
    with ``constant_memory`` each row goes to a temporary file as soon as the next one begins."""
    import xlsxwriter  # imported when a file is written, not at start-up

    return xlsxwriter.Workbook(stream, {**options, **XLSXWRITER_OPTIONS, "constant_memory": constant_memory})


def write_text(
    worksheet, row: int, column: int, text: str, cell_format=None, *, cleaned: bool = False
) -> None:
    """Write ``text`` as text at (row, column), 0-based, of an XlsxWriter worksheet, whatever it
    begins with; characters the file format cannot hold are left out (``cleaned=True``: the
    caller has already removed them). Raises ``ValueError`` when the text cannot be written whole
    (beyond the sheet's last row, or longer than a cell holds: split it first)."""
    if not cleaned and _ILLEGAL_SEARCH(text) is not None:
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    # ``_write_string`` is what ``write_string`` calls after turning "A1" notation into numbers;
    # called directly it spares the summary export a wrapper per cell (100,000s of cells).
    write = getattr(worksheet, "_write_string", None) or worksheet.write_string
    if write(row, column, text, cell_format) != 0:  # -1 beyond the sheet, -2 cut
        raise ValueError(f"Text could not be written whole at row {row}, column {column}.")


_ILLEGAL_SEARCH = ILLEGAL_CHARACTERS_RE.search


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


# Reading -------------------------------------------------------------------------------------
# Every uploaded spreadsheet is hostile until proven otherwise: a 70 KB file can unpack to a
# million rows. The limits are checked on the zip's directory before any XML is parsed, and again
# while reading (read-only, streaming); openpyxl parses with defusedxml (installed), so a DTD or
# an entity bomb is refused instead of expanded.


class UnreadableSpreadsheet(Exception):
    """Why an uploaded file cannot be read, in Swedish."""


@dataclass(frozen=True)
class ReadLimits:
    uncompressed_bytes: int = 20 * 1024 * 1024
    entries: int = 200
    rows: int = 20_000
    columns: int = 50


NOT_A_SPREADSHEET = (
    "Filen kunde inte läsas som en Excel-fil (.xlsx). Spara den som Excel-arbetsbok och försök igen."
)


def open_workbook(data: bytes, limits: ReadLimits = ReadLimits()):  # noqa: B008 (a frozen default)
    """An uploaded ``.xlsx`` opened read-only (cells as typed, not evaluated), after checking
    its size unpacked; ``UnreadableSpreadsheet`` with a Swedish message otherwise."""
    import io
    import warnings
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableSpreadsheet(NOT_A_SPREADSHEET) from error
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > limits.entries or unpacked > limits.uncompressed_bytes:
        raise UnreadableSpreadsheet(
            f"Filen är för stor för att läsas in: uppackad är den {file_size(unpacked)} "
            f"(högst {file_size(limits.uncompressed_bytes)}). Ladda ner en ny mall och fyll i den."
        )
    try:
        with warnings.catch_warnings():
            # Files saved by Excel carry extensions openpyxl does not read; they do not matter.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - whatever a broken file raises, it is unreadable
        raise UnreadableSpreadsheet(NOT_A_SPREADSHEET) from error


def bounded_rows(sheet, limits: ReadLimits = ReadLimits(), *, min_row: int = 1, max_col: int | None = None):  # noqa: B008
    """The rows of a read-only ``sheet``, refusing one with more rows or columns than ``limits``
    allow (``UnreadableSpreadsheet``) instead of reading on."""
    max_col = min(max_col or limits.columns, limits.columns)
    try:
        for count, row in enumerate(sheet.iter_rows(min_row=min_row, max_col=max_col), start=1):
            if count > limits.rows:
                raise UnreadableSpreadsheet(
                    f"Bladet ”{sheet.title}” har fler än {limits.rows} rader. "
                    "Ladda ner en ny mall och fyll i den."
                )
            yield row
    except UnreadableSpreadsheet:
        raise
    except Exception as error:  # noqa: BLE001 - a truncated or malformed sheet
        raise UnreadableSpreadsheet(NOT_A_SPREADSHEET) from error


NOT_CSV = "Filen är inte en CSV-fil. Spara registret som CSV (kommaavgränsad eller semikolonavgränsad)."


def _looks_binary(raw: bytes) -> bool:
    """A program, a zip (an .xlsx) or a PDF renamed .csv – or anything that is mostly control
    characters – is no text file."""
    head = raw[:4096]
    if head.startswith((b"MZ", b"PK\x03\x04", b"%PDF", b"\x7fELF", b"\xd0\xcf\x11\xe0")):
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return bool(head) and controls / len(head) > 0.05


def decode_csv(raw: bytes) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without the BOM Excel writes), or, when
    that fails, Windows-1252 as Swedish Excel saves "CSV (semikolonavgränsad)". A file that is
    not text at all is refused (``UnreadableSpreadsheet``)."""
    if _looks_binary(raw):
        raise UnreadableSpreadsheet(NOT_CSV)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def csv_dialect(text: str) -> type[csv.Dialect]:
    """Comma or semicolon, from the header line (Swedish Excel writes semicolons)."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return _Semicolon if header.count(";") > header.count(",") else csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"
