"""The summary as an Excel file: ``write_xlsx(summary, stream)``.

The writer formats; it decides nothing (every decision is made in ``compile_summary``). It
streams a write-only workbook, so a round with tens of thousands of comments is written in
bounded memory.

Two promises the city relies on:
- No text ever becomes a formula (or an error value): every text cell, whatever its column, is
  written through ``remiss.core.spreadsheets.as_text``, so a comment, a title or an
  organisation's name that begins with ``=``, ``+``, ``-`` or ``@`` is shown exactly as typed.
- Nothing is cut: text longer than a cell holds (32,767 characters) continues on the next rows,
  with the identifying columns repeated."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from remiss.core.spreadsheets import as_text
from remiss.core.time import to_local
from remiss.summary.compile import Summary

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) in one cell
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

SUMMARY_SHEET = "Sammanfattning"
RECIPIENTS_SHEET = "Remissinstanser"
COMMENTS_SHEET = "Synpunkter per insats"
MATRIX_SHEET = "Matris"
OTHER_SHEET = "Övriga synpunkter"

RECIPIENT_HEADERS = (
    "Remissinstans",
    "Typ",
    "Status",
    "Inkom",
    "Dagar sent",
    "Ställningstagande",
    "Beslut",
    "Synpunkter",
)
COMMENT_HEADERS = (
    "Fokusområde",
    "Nr",
    "Insats",
    "Remissinstans",
    "Ställningstagande",
    "Synpunkt",
    "Bedömning",
)
MATRIX_HEADERS = ("Nr", "Insats", "Tillstyrker", "Avstyrker", "Synpunkter")
OTHER_HEADERS = ("Remissinstans", "Synpunkt")
WHOLE_FOCUS_AREA = "Fokusområdet som helhet"

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_BREAK = re.compile(r"\r\n?|[\x0b\x0c]")  # Windows line ends; Word's line and page breaks


def clean_text(text: str) -> str:
    """Text as a cell can hold it: line breaks as \\n, other control characters (which the
    file format cannot contain) removed."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    return _CONTROL.sub("", _BREAK.sub("\n", text))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = EXCEL_CELL_LIMIT) -> list[str]:
    """``text`` in pieces that each fit in a cell, preferably broken at a space or line break.
    ``"".join(split_text(t)) == t`` always."""
    if len(text) <= limit // 2 or _utf16_length(text) <= limit:
        return [text]
    parts = []
    while text:
        end = min(len(text), limit)
        while (excess := _utf16_length(text[:end]) - limit) > 0:
            end -= (excess + 1) // 2
        if end < len(text):
            brk = max(text.rfind(" ", end - 2000, end), text.rfind("\n", end - 2000, end))
            if brk > 0:
                end = brk + 1
        parts.append(text[:end])
        text = text[end:]
    return parts


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    wrap: bool = False
    key: bool = False  # repeated on continuation rows


_EXTRA_COLUMN = Column("", 10)
_SAFE_LENGTH = EXCEL_CELL_LIMIT // 2  # shorter text always fits in one cell


class _SheetWriter:
    """One write-only sheet: settings first (they are written before the rows), then a bold,
    frozen header row, then the rows; ``close`` sets the autofilter."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: Sequence[Column],
        *,
        freeze: str = "A2",
        header: bool = True,
    ):
        self.ws = ws = workbook.create_sheet(title)
        self.columns = list(columns)
        for i, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = True
        self._header_style = self._style(font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP)
        self._label_style = self._style(font=_BOLD, alignment=_TOP)
        self._wrap_style = self._style(alignment=_WRAP)
        self._date_style = self._style(alignment=_TOP, number_format=DATE_FORMAT)
        self._datetime_style = self._style(alignment=_TOP, number_format=DATETIME_FORMAT)
        self.rows = 0
        self.header = header
        if header:
            ws.freeze_panes = freeze
            ws.print_title_rows = "1:1"
            self.ws.append([self._header_cell(c.header) for c in self.columns])
            self.rows = 1

    # Cells ----------------------------------------------------------------------------------
    def _style(self, **attributes) -> StyleArray:
        """A style, registered with the workbook once through the public setters; cells are
        made with a copy of it (``Cell(…, style_array=…)``), since setting a cell's font or
        alignment one by one costs a lookup per cell, which adds up over 100,000 cells, and a
        named style costs more still. Reading the array back is the one use of a private
        attribute (``_style``); test_summary_xlsx reads every style back from the file, so an
        openpyxl that changed it would fail there."""
        cell = WriteOnlyCell(self.ws)
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cell._style

    def _styled(self, value, style: StyleArray | None) -> Cell:
        return Cell(self.ws, row=1, column=1, value=value, style_array=style)

    def _text_cell(self, text: str, style: StyleArray | None = None) -> Cell:
        """A cell that holds ``text`` as text, whatever it begins with (the app's one way of
        writing text into a spreadsheet, ``remiss.core.spreadsheets``)."""
        return as_text(self._styled(None, style), text)

    def _header_cell(self, text: str) -> Cell:
        return self._text_cell(text, self._header_style)

    def _cell(self, value, column: Column):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return self._text_cell(value, self._wrap_style if column.wrap else None)
        if isinstance(value, datetime):
            value = to_local(value).replace(tzinfo=None) if value.tzinfo else value
            style = self._datetime_style
        elif isinstance(value, date):
            style = self._date_style
        else:
            return value
        return self._styled(value, style)

    # Rows -----------------------------------------------------------------------------------
    def append(self, values: Sequence, *, bold_first: bool = False) -> None:
        """One logical row; long text continues on as many rows as it needs."""
        values = [clean_text(v) if isinstance(v, str) else v for v in values]
        pieces = [split_text(v) if isinstance(v, str) and len(v) > _SAFE_LENGTH else [v] for v in values]
        columns = self.columns
        for k in range(max(len(p) for p in pieces)):
            row = []
            for i, (value, parts) in enumerate(zip(values, pieces, strict=True)):
                column = columns[i] if i < len(columns) else _EXTRA_COLUMN
                if k == 0:
                    piece = parts[0]
                elif len(parts) > 1:
                    piece = parts[k] if k < len(parts) else None
                else:
                    piece = value if column.key else None
                if bold_first and i == 0 and isinstance(piece, str) and piece:
                    row.append(self._text_cell(piece, self._label_style))
                else:
                    row.append(self._cell(piece, column))
            self.ws.append(row)
            self.rows += 1

    def blank(self) -> None:
        self.ws.append([])
        self.rows += 1

    def close(self) -> None:
        if self.header:
            last = get_column_letter(max(len(self.columns), 1))
            self.ws.auto_filter.ref = f"A1:{last}{max(self.rows, 1)}"


def write_xlsx(summary: Summary, stream: BinaryIO) -> None:
    """Write the summary as an .xlsx workbook to ``stream`` (a binary file or BytesIO)."""
    workbook = Workbook(write_only=True)
    _summary_sheet(workbook, summary)
    _recipients_sheet(workbook, summary)
    _comments_sheet(workbook, summary)
    _matrix_sheet(workbook, summary)
    _other_sheet(workbook, summary)
    workbook.save(stream)


def _summary_sheet(workbook: Workbook, summary: Summary) -> None:
    facts, counts = summary.round, summary.counts
    sheet = _SheetWriter(
        workbook,
        SUMMARY_SHEET,
        [Column("", 34, key=True), Column("", 70, wrap=True)],
        header=False,
    )
    rows = [
        ("Ärende", facts.title),
        ("Diarienummer", facts.dnr),
        ("Beslut", facts.decision),
        ("Skickad", facts.sent_on),
        ("Svar senast", facts.deadline),
        ("Ansvarig", facts.officer),
        ("Sammanställd", facts.compiled_at),
    ]
    for row in rows:
        sheet.append(row, bold_first=True)
    sheet.blank()
    for label, value in (
        ("Inbjudna", counts.invited),
        ("Svarat", counts.answered),
        ("I tid", counts.on_time),
        ("För sent", counts.late),
        ("Inget svar", counts.no_answer),
    ):
        sheet.append((label, value), bold_first=True)
    sheet.blank()
    sheet.ws.append([sheet._header_cell("Ställningstagande"), sheet._header_cell("Antal")])
    sheet.rows += 1
    first = sheet.rows + 1
    for position in counts.positions:
        sheet.append((position.label, position.count))
    last = sheet.rows
    sheet.blank()
    sheet.append(("Stadsledningskontorets bedömning", facts.assessment), bold_first=True)
    sheet.append(("Ändringar i förslaget", facts.assessment_changes), bold_first=True)

    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Ställningstaganden"
    chart.y_axis.title = "Antal remissinstanser"
    chart.y_axis.majorUnit = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    data = Reference(sheet.ws, min_col=2, min_row=first - 1, max_row=last)
    categories = Reference(sheet.ws, min_col=1, min_row=first, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.width, chart.height = 16, 7.5
    sheet.ws.add_chart(chart, "D2")
    sheet.close()


def _recipients_sheet(workbook: Workbook, summary: Summary) -> None:
    widths = (36, 12, 26, 12, 11, 26, 36, 70)
    columns = [
        Column(
            header,
            width,
            wrap=header in ("Beslut", "Synpunkter", "Status"),
            key=header == "Remissinstans",
        )
        for header, width in zip(RECIPIENT_HEADERS, widths, strict=True)
    ]
    sheet = _SheetWriter(workbook, RECIPIENTS_SHEET, columns)
    for r in summary.recipients:
        sheet.append(
            (
                r.organisation,
                r.kind,
                r.status,
                r.received_on,
                r.days_late,
                r.position,
                r.decision,
                r.comment,
            )
        )
    sheet.close()


def _comments_sheet(workbook: Workbook, summary: Summary) -> None:
    widths = (30, 7, 40, 30, 16, 70, 50)
    columns = [
        Column(
            header,
            width,
            wrap=header in ("Insats", "Synpunkt", "Bedömning"),
            key=header in ("Fokusområde", "Nr", "Insats", "Remissinstans", "Ställningstagande"),
        )
        for header, width in zip(COMMENT_HEADERS, widths, strict=True)
    ]
    sheet = _SheetWriter(workbook, COMMENTS_SHEET, columns)
    for area in summary.focus_areas:
        heading = area.heading
        if area.comments or area.assessment:
            for comment in area.comments or [None]:
                sheet.append(
                    (
                        heading,
                        area.number,
                        WHOLE_FOCUS_AREA,
                        comment.organisation if comment else None,
                        comment.position if comment else None,
                        comment.text if comment else None,
                        area.assessment,
                    )
                )
        for measure in area.measures:
            if not measure.comments and not measure.assessment:
                continue
            for comment in measure.comments or [None]:
                sheet.append(
                    (
                        heading,
                        measure.number,
                        measure.title,
                        comment.organisation if comment else None,
                        comment.position if comment else None,
                        comment.text if comment else None,
                        measure.assessment,
                    )
                )
    sheet.close()


def _matrix_sheet(workbook: Workbook, summary: Summary) -> None:
    columns = [
        Column("Nr", 7, key=True),
        Column("Insats", 45, wrap=True, key=True),
        Column("Tillstyrker", 11),
        Column("Avstyrker", 11),
        Column("Synpunkter", 11),
        *(Column(r.organisation, 14, wrap=False) for r in summary.recipients),
    ]
    sheet = _SheetWriter(workbook, MATRIX_SHEET, columns, freeze="C2")
    for measure in summary.measures:
        sheet.append(
            (
                measure.number,
                measure.title,
                measure.assent,
                measure.reject,
                measure.commented,
                *measure.matrix,
            )
        )
    sheet.close()


def _other_sheet(workbook: Workbook, summary: Summary) -> None:
    columns = [Column("Remissinstans", 36, key=True), Column("Synpunkt", 100, wrap=True)]
    sheet = _SheetWriter(workbook, OTHER_SHEET, columns)
    for other in summary.other_comments:
        sheet.append((other.organisation, other.text))
    sheet.close()


def safe_dnr(dnr: str) -> str:
    """The case number as part of a file name: ``1668/20`` → ``1668-20``."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", dnr).strip(" .-") or "utan-dnr"


def export_filename(summary: Summary) -> str:
    """``Sammanställning remissvar 1668-20 2022-02-14.xlsx``: the date it was compiled."""
    return (
        f"Sammanställning remissvar {safe_dnr(summary.round.dnr)} "
        f"{to_local(summary.round.compiled_at):%Y-%m-%d}.xlsx"
    )
