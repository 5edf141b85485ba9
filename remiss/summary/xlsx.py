"""The summary as an Excel file: ``write_xlsx(summary, stream)`` or ``export_xlsx(round, stream)``.

The writer formats; it decides nothing (every decision is made in ``remiss.summary.compile``).
It writes with XlsxWriter in ``constant_memory`` mode (each row goes to a temporary file as soon
as the next begins) and takes either a compiled ``Summary`` or a ``SummaryStream``, whose comments
are read from the database one measure at a time: ``export_xlsx`` does the latter, so memory
stays flat however many comments the round has.

Three promises the city relies on:
- No text ever becomes a formula (or an error value, a number or a link): the workbook is made by
  ``remiss.core.spreadsheets.xlsx_workbook`` (strings_to_formulas/numbers/urls off) and every text
  cell, whatever its column, is written by ``remiss.core.spreadsheets.write_text``
  (``write_string``), so a comment, a title or an organisation's name that begins with ``=``,
  ``+``, ``-`` or ``@`` is shown exactly as typed.
- Nothing is cut: text longer than a cell holds (32,767 characters) continues on the next rows,
  with the identifying columns repeated.
- It reads well when opened and printed (issue 15): one font (Calibri 11, headers bold) on every
  cell, an explicit height on every row with wrapped text (neither Excel nor LibreOffice fits
  row heights when it opens a file), the office as author and the round as title, A4 landscape
  fitted to the width with the header row repeated, and the position matrix on A3 landscape,
  16 bodies to a page width with the measure columns repeated on every page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from remiss.core.spreadsheets import write_text, xlsx_workbook
from remiss.core.time import to_local
from remiss.summary.compile import Section, Summary, SummaryStream, stream_summary

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) in one cell
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

SUMMARY_SHEET = "Sammanfattning"
RECIPIENTS_SHEET = "Remissinstanser"
COMMENTS_SHEET = "Synpunkter per insats"
MATRIX_SHEET = "Matris"
OTHER_SHEET = "Övriga synpunkter"
QUESTIONS_SHEET = "Svar per fråga"

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
    "Teman",  # only when the round has themes
    "Bedömning",
)
THEMES_HEADER = "Teman"
THEME_HEADERS = (
    "Fokusområde",
    "Nr",
    "Insats",
    "Remissinstanser med temat",
    "Remissinstans",
    "Ställningstagande",
    "Synpunkt",
)
THEME_SHEET_PREFIX = "Tema "
MATRIX_HEADERS = ("Nr", "Insats", "Tillstyrker", "Avstyrker", "Synpunkter")
OTHER_HEADERS = ("Remissinstans", "Synpunkt")
QUESTION_HEADERS = ("Del", "Nr", "Fråga", "Remissinstans", "Svar", "Bedömning")
QUESTION_COUNT_HEADERS = ("Fråga nr", "Fråga", "Besvarad av")
WHOLE_FOCUS_AREA = "Fokusområdet som helhet"

AUTHOR = "Stadsledningskontoret, Göteborgs Stad"
COMPANY = "Göteborgs Stad"
FONT_NAME = "Calibri"
FONT_SIZE = 11
HEADER_COLOUR = "#DCE6F1"
A4, A3 = 9, 8  # paper sizes in the file format
# Row heights (issue 15): an explicit height for every row with wrapped text, estimated from
# the text's length and the column's width. A column of width w (in widths of "0") holds about
# w characters of ordinary Swedish text in Calibri 11; it is counted as 0.9 w, so that the text
# also fits where LibreOffice has no Calibri (nor Carlito) and uses a wider font.
LINE_HEIGHT = 15.0  # points, one line of Calibri 11 (Excel's default row)
MAX_ROW_HEIGHT = 409.0  # points, the most Excel allows
CHARACTERS_PER_WIDTH = 0.9
# The matrix in print: this many bodies to a page width (A3 landscape, about 80 % scale).
BODIES_PER_PAGE = 16
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
    key: bool = False  # repeated on continuation rows

    @property
    def characters_per_line(self) -> int:
        return max(1, int(self.width * CHARACTERS_PER_WIDTH))


_EXTRA_COLUMN = Column("", 10)
_SAFE_LENGTH = EXCEL_CELL_LIMIT // 2  # shorter text always fits in one cell


def line_count(text: str, characters_per_line: int) -> int:
    """How many lines ``text`` takes wrapped in a column holding ``characters_per_line``
    (an estimate that errs on the tall side: a word that does not fit moves whole)."""
    if len(text) <= characters_per_line and "\n" not in text:
        return 1
    per_line = max(1, characters_per_line - 1)  # what is lost at the end of a wrapped line
    return sum((len(part) + per_line - 1) // per_line or 1 for part in text.split("\n"))


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)


# The workbook's default cell format (its first, which every cell without another has, in Excel
# and in LibreOffice): the named font, at the top of the cell, text wrapped (nothing is cut off
# at the next cell; every row is as high as its text). Text and numbers are written with it (no
# format of their own, which also makes the file smaller and quicker to write); the others add
# to it.
DEFAULT_FORMAT = {"font_name": FONT_NAME, "font_size": FONT_SIZE, "valign": "top", "text_wrap": True}


class _Formats:
    """The workbook's cell formats, every one in the same named font (``DEFAULT_FORMAT``)."""

    def __init__(self, workbook):
        def add(**properties):
            return workbook.add_format({**DEFAULT_FORMAT, **properties})

        self.text = None  # the default format: wrapped
        self.label = add(bold=True)
        self.header = add(bold=True, bg_color=HEADER_COLOUR, pattern=1)
        self.number = None  # the default format
        self.date = add(num_format=DATE_FORMAT)
        self.datetime = add(num_format=DATETIME_FORMAT)


class _SheetWriter:
    """One constant-memory sheet: settings first, then a bold, frozen header row, then the rows
    in order; ``close`` sets the autofilter over what was written."""

    def __init__(
        self,
        workbook,
        formats: _Formats,
        title: str,
        columns: Sequence[Column],
        *,
        freeze: tuple[int, int] = (1, 0),
        header: bool = True,
        paper: int = A4,
    ):
        self.ws = ws = workbook.add_worksheet(title)
        self.formats = formats
        self.columns = list(columns)
        self._known: dict[str, tuple] = {}
        self._per_line = [c.characters_per_line for c in self.columns]
        self._row_info: dict = getattr(ws, "row_info", {})
        self._row_sizes: dict = getattr(ws, "row_sizes", {})
        # The summary sheet, with its chart, is short and keeps them (see ``_end_row``).
        self._forget_rows = header and hasattr(ws, "previous_row")
        for i, column in enumerate(self.columns):
            ws.set_column(i, i, column.width)
        ws.set_landscape()
        ws.set_paper(paper)
        ws.fit_to_pages(1, 0)
        ws.hide_gridlines(0)  # gridlines on screen and in print
        self.row = 0
        self.header = header
        if header:
            ws.freeze_panes(*freeze)
            ws.repeat_rows(0)
            self.header_row([c.header for c in self.columns])

    # Rows -----------------------------------------------------------------------------------
    def header_row(self, headers: Sequence[str]) -> None:
        """A row of bold, wrapped headers, as high as its longest header needs."""
        lines = 1
        for i, text in enumerate(headers):
            text = clean_text(text)
            if text:
                write_text(self.ws, self.row, i, text, self.formats.header)
                width = self.columns[i] if i < len(self.columns) else _EXTRA_COLUMN
                lines = max(lines, line_count(text, width.characters_per_line))
        self.ws.set_row(self.row, row_height(lines))
        self.row += 1

    def append(self, values: Sequence, *, bold_first: bool = False) -> None:
        """One logical row; long text continues on as many rows as it needs."""
        if self._write(values, bold_first):
            return
        # Text longer than a cell holds: the row again (its cells so far are overwritten; in
        # constant_memory mode a row is written out only when the next one begins), split.
        values = [clean_text(v) if isinstance(v, str) else v for v in values]
        pieces = [split_text(v) if isinstance(v, str) and len(v) > _SAFE_LENGTH else [v] for v in values]
        columns = self.columns
        for k in range(max(len(p) for p in pieces)):
            row = []
            for i, (value, parts) in enumerate(zip(values, pieces, strict=True)):
                column = columns[i] if i < len(columns) else _EXTRA_COLUMN
                if k == 0:
                    row.append(parts[0])
                elif len(parts) > 1:
                    row.append(parts[k] if k < len(parts) else None)
                else:
                    row.append(value if column.key else None)
            written = self._write(row, bold_first, EXCEL_CELL_LIMIT)
            assert written, "split_text leaves no piece too long"

    def _text(self, i: int, value: str, limit: int = _SAFE_LENGTH):
        """Text for column ``i`` as it is written: (text, format, lines it takes), or None when
        it is longer than ``limit`` (below which any text fits in a cell)."""
        column = self.columns[i] if i < len(self.columns) else _EXTRA_COLUMN
        cell_format = self.formats.text
        if column.key:
            # Identifying text (names, numbers, titles): the same few strings on every row,
            # cleaned and measured once (as many as the round has measures and bodies).
            known = self._known.get(value)
            if known is None:
                if len(value) > limit:
                    return None
                clean = clean_text(value)
                count = line_count(clean, column.characters_per_line)
                known = self._known[value] = (clean, cell_format, count)
            return known
        if len(value) > limit:
            return None
        if _NEEDS_CLEANING.search(value) is not None:
            value = clean_text(value)
        per_line = column.characters_per_line if i >= len(self.columns) else self._per_line[i]
        if len(value) > per_line or "\n" in value:
            return value, cell_format, line_count(value, per_line)
        return value, cell_format, 1

    def _write(self, values: Sequence, bold_first: bool, limit: int = _SAFE_LENGTH) -> bool:
        """Write one row; False, without moving on, when a text is longer than ``limit``."""
        ws, row, formats = self.ws, self.row, self.formats
        lines = 1
        for i, value in enumerate(values):
            if value is None or value == "":
                continue
            if type(value) is str:
                text = self._text(i, value, limit)
                if text is None:
                    return False
                value, cell_format, count = text
                if bold_first and i == 0:
                    cell_format = formats.label
                if count > lines:
                    lines = count
                write_text(ws, row, i, value, cell_format, cleaned=True)
            elif isinstance(value, datetime):
                value = to_local(value).replace(tzinfo=None) if value.tzinfo else value
                ws.write_datetime(row, i, value, formats.datetime)
            elif isinstance(value, date):
                ws.write_datetime(row, i, value, formats.date)
            else:
                ws.write_number(row, i, value, formats.number)
        self._end_row(lines)
        return True

    def append_shared(
        self, prefix: Sequence[str], rows: Iterable[Sequence[str]], suffix: Sequence[str]
    ) -> None:
        """Rows of text that begin and end with the same values (a measure's comments, after its
        focus area, number and title, followed by its assessment): the shared cells are cleaned
        and measured once, only the others row by row. Same cells as ``append`` row by row."""
        shared = []
        for i, value in enumerate(prefix):
            shared.append((i, value))
        middle = len(self.columns) - len(suffix) - len(prefix)
        for j, value in enumerate(suffix):
            shared.append((len(prefix) + middle + j, value))
        prepared, lines_shared = [], 1
        for i, value in shared:
            if not value:
                continue
            text = self._text(i, value)
            if text is None:  # too long for one cell: row by row, split
                for row in rows:
                    self.append((*prefix, *row, *suffix))
                return
            prepared.append((i, *text))
            lines_shared = max(lines_shared, text[2])
        ws, start = self.ws, len(prefix)
        for values in rows:
            texts = []
            lines = lines_shared
            for j, value in enumerate(values, start=start):
                if value:
                    text = self._text(j, value)
                    if text is None:
                        break
                    texts.append((j, *text))
                    if text[2] > lines:
                        lines = text[2]
            else:
                row = self.row
                for i, value, cell_format, _count in prepared:
                    write_text(ws, row, i, value, cell_format, cleaned=True)
                for j, value, cell_format, _count in texts:
                    write_text(ws, row, j, value, cell_format, cleaned=True)
                self._end_row(lines)
                continue
            self.append((*prefix, *values, *suffix))

    def _end_row(self, lines: int) -> None:
        ws, row = self.ws, self.row
        if lines > 1:  # one line fits the default height
            ws.set_row(row, row_height(lines))
        if self._forget_rows and row and ws.previous_row > row - 1:
            # XlsxWriter keeps every row's height (for placing images) even in constant_memory
            # mode, where the row was written out as soon as this one began: forget it, so that
            # memory stays flat however many rows (sheets without images only).
            self._row_info.pop(row - 1, None)
            self._row_sizes.pop(row - 1, None)
        self.row += 1

    def blank(self) -> None:
        self.row += 1

    def close(self) -> None:
        if self.header:
            self.ws.autofilter(0, 0, max(self.row - 1, 0), max(len(self.columns), 1) - 1)


def export_xlsx(round_or_id, stream: BinaryIO, now: datetime | None = None) -> SummaryStream:
    """The export: the round's summary streamed from the database into an .xlsx workbook on
    ``stream``; returns the summary's head (for the file name and the counts)."""
    summary = stream_summary(round_or_id, now)
    write_xlsx(summary, stream)
    return summary


def write_xlsx(summary: Summary | SummaryStream, stream: BinaryIO) -> None:
    """Write the summary as an .xlsx workbook to ``stream`` (a binary file or BytesIO)."""
    facts = summary.round
    workbook = xlsx_workbook(stream, default_format_properties=dict(DEFAULT_FORMAT))
    workbook.set_properties(
        {
            "title": clean_text(f"{facts.title} (dnr {facts.dnr})"),
            "subject": "Sammanställning av remissvar",
            "author": AUTHOR,
            "manager": clean_text(facts.officer),
            "company": COMPANY,
            "created": to_local(facts.compiled_at).replace(tzinfo=None)
            if facts.compiled_at.tzinfo
            else facts.compiled_at,
        }
    )
    formats = _Formats(workbook)
    asks, lists = _structure(summary)
    counts_sheet = _summary_sheet(workbook, formats, summary)
    _recipients_sheet(workbook, formats, summary)
    has_themes = bool(getattr(summary, "themes", ()))
    comments = _comments_sheet(workbook, formats, has_themes)
    questions = _questions_sheet(workbook, formats) if asks else None
    # The matrix of positions and the assent counts: measures only (a question takes none).
    matrix = _matrix_sheet(workbook, formats, summary) if lists or not asks else None
    others = _other_sheet(workbook, formats)
    themes = _theme_sheets(workbook, formats, summary)
    answered: list[tuple[str, str, int]] = []  # per question: number, question, bodies answering
    # One pass over the comments, measure by measure, writing every sheet as it goes.
    for section in _sections(summary):
        _theme_rows(themes, section)
        m = section.measure
        if m is not None and m.is_question:
            _question_rows(questions, section)
            answered.append((m.number, m.title, m.answered))
            continue
        _comment_rows(comments, section, has_themes)
        if m is not None and matrix is not None:
            matrix.append((m.number, m.title, m.assent, m.reject, m.commented, *m.matrix))
    comments.close()
    if matrix is not None:
        matrix.close()
    if questions is not None:
        questions.close()
    if answered:
        # On the counts sheet: how many bodies answered each question (no positions: a
        # question takes none).
        counts_sheet.blank()
        counts_sheet.header_row(list(QUESTION_COUNT_HEADERS))
        for number, title, bodies in answered:
            counts_sheet.append((number, title, bodies))
    counts_sheet.close()
    for other in summary.other_comments:
        others.append((other.organisation, other.text))
    others.close()
    for sheet in themes.values():
        sheet.close()
    workbook.close()


def _sections(summary: Summary | SummaryStream) -> Iterator[Section]:
    if isinstance(summary, SummaryStream):
        yield from summary.sections()
        return
    for area in summary.focus_areas:
        yield Section(area, None, area.comments)
        for measure in area.measures:
            yield Section(area, measure, measure.comments)


def _structure(summary: Summary | SummaryStream) -> tuple[bool, bool]:
    """(asks questions, lists measures): what the round's structure holds."""
    areas = summary.areas if isinstance(summary, SummaryStream) else summary.focus_areas
    kinds = {m.is_question for area in areas for m in area.measures}
    asks = True in kinds or any(area.holds_questions for area in areas)
    lists = False in kinds or any(not area.holds_questions for area in areas)
    return asks, lists


def _part_heading(area) -> str:
    """A question's part: a section by its title, a headless group by nothing, a focus area as
    elsewhere."""
    kind = getattr(area, "kind", "focus_area")
    if kind == "questions":
        return ""
    if kind == "section":
        return area.title
    return area.heading


def _questions_sheet(workbook, formats: _Formats) -> _SheetWriter:
    """The answers per question: one row per body's answer, with the office's assessment."""
    widths = (30, 7, 40, 30, 70, 50)
    columns = [
        Column(header, width, key=header in ("Del", "Nr", "Fråga", "Remissinstans"))
        for header, width in zip(QUESTION_HEADERS, widths, strict=True)
    ]
    return _SheetWriter(workbook, formats, QUESTIONS_SHEET, columns)


def _question_rows(sheet: _SheetWriter, section: Section) -> None:
    measure = section.measure
    prefix = (_part_heading(section.area), measure.number, measure.title)
    answers = [(c.organisation, c.text) for c in section.comments if c.text]
    if not answers:  # every question is listed, answered or not
        sheet.append((*prefix, None, None, measure.assessment))
        return
    sheet.append_shared(prefix, answers, (measure.assessment,))


def _summary_sheet(workbook, formats: _Formats, summary) -> _SheetWriter:
    facts, counts = summary.round, summary.counts
    sheet = _SheetWriter(
        workbook,
        formats,
        SUMMARY_SHEET,
        [Column("", 34, key=True), Column("", 70)],
        header=False,
    )
    rows = [
        ("Ärende", facts.title),
        ("Diarienummer", facts.dnr),
        ("Beslut", facts.decision),
        ("Skickad", facts.sent_on),
        ("Sista svarsdag", facts.deadline),
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
    header = sheet.row
    sheet.header_row(["Ställningstagande", "Antal"])
    for position in counts.positions:
        sheet.append((position.label, position.count))
    last = sheet.row - 1
    themes = getattr(summary, "themes", ())
    if themes:
        sheet.blank()
        sheet.header_row(["Tema", "Remissinstanser"])
        for theme in themes:
            sheet.append((theme.name, theme.bodies))
    sheet.blank()
    sheet.append(("Stadsledningskontorets bedömning", facts.assessment), bold_first=True)
    sheet.append(("Ändringar i förslaget", facts.assessment_changes), bold_first=True)

    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": [SUMMARY_SHEET, header, 1],
            "categories": [SUMMARY_SHEET, header + 1, 0, last, 0],
            "values": [SUMMARY_SHEET, header + 1, 1, last, 1],
        }
    )
    chart.set_style(10)
    chart.set_title({"name": "Ställningstaganden", "name_font": {"name": FONT_NAME, "size": 12}})
    # In a bar chart the values run along the horizontal (x) axis.
    chart.set_x_axis({"name": "Antal remissinstanser", "major_unit": 1, "min": 0})
    chart.set_legend({"none": True})
    chart.set_size({"width": 605, "height": 283})  # 16 × 7.5 cm
    sheet.ws.insert_chart("D2", chart)
    return sheet


def _recipients_sheet(workbook, formats: _Formats, summary) -> None:
    widths = (36, 12, 26, 12, 11, 26, 36, 70)
    columns = [
        Column(
            header,
            width,
            key=header == "Remissinstans",
        )
        for header, width in zip(RECIPIENT_HEADERS, widths, strict=True)
    ]
    sheet = _SheetWriter(workbook, formats, RECIPIENTS_SHEET, columns)
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


def _comments_sheet(workbook, formats: _Formats, themes: bool = False) -> _SheetWriter:
    """The comments, one row each; with a "Teman" column when the round has themes."""
    widths = (30, 7, 40, 30, 16, 70, 24, 50)
    columns = [
        Column(
            header,
            width,
            key=header in ("Fokusområde", "Nr", "Insats", "Remissinstans", "Ställningstagande"),
        )
        for header, width in zip(COMMENT_HEADERS, widths, strict=True)
        if themes or header != THEMES_HEADER
    ]
    return _SheetWriter(workbook, formats, COMMENTS_SHEET, columns)


def _comment_rows(sheet: _SheetWriter, section: Section, themes: bool = False) -> None:
    area, measure = section.area, section.measure
    if measure is None:
        number, title, assessment = area.number, WHOLE_FOCUS_AREA, area.assessment
    else:
        number, title, assessment = measure.number, measure.title, measure.assessment
    if not section.comments and not assessment:
        return
    heading = area.heading
    if not section.comments:
        sheet.append((heading, number, title, None, None, None, *((None,) if themes else ()), assessment))
    if themes:
        rows = ((c.organisation, c.position, c.text, ", ".join(c.themes)) for c in section.comments)
    else:
        rows = ((c.organisation, c.position, c.text) for c in section.comments)
    sheet.append_shared((heading, number, title), rows, (assessment,))


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def theme_sheet_names(names: Sequence[str]) -> list[str]:
    """A sheet name per theme: ``Tema Resursbehov``, without the characters a sheet name cannot
    have, at most 31 characters, unique (case-insensitively, as Excel compares them)."""
    taken = {
        n.casefold()
        for n in (SUMMARY_SHEET, RECIPIENTS_SHEET, COMMENTS_SHEET, MATRIX_SHEET, OTHER_SHEET, QUESTIONS_SHEET)
    }
    result = []
    for k, name in enumerate(names, start=1):
        base = (THEME_SHEET_PREFIX + _SHEET_NAME_FORBIDDEN.sub(" ", name)).strip().strip("'")[:31].rstrip()
        candidate = base
        n = 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f" ({n})" if n > 1 else f" {k}"
            candidate = base[: 31 - len(suffix)].rstrip() + suffix
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def _theme_sheets(workbook, formats: _Formats, summary) -> dict[str, _SheetWriter]:
    """One sheet per theme of the round: every comment tagged with it, measure by measure, with
    how many bodies raised it on that measure."""
    themes = getattr(summary, "themes", ())
    widths = (30, 7, 40, 14, 30, 16, 70)
    sheets = {}
    for theme, title in zip(themes, theme_sheet_names([t.name for t in themes]), strict=True):
        columns = [
            Column(header, width, key=header in ("Fokusområde", "Nr", "Insats", "Remissinstanser med temat"))
            for header, width in zip(THEME_HEADERS, widths, strict=True)
        ]
        sheets[theme.name] = _SheetWriter(workbook, formats, title, columns)
    return sheets


def _theme_rows(sheets: dict[str, _SheetWriter], section: Section) -> None:
    if not sheets:
        return
    area, measure = section.area, section.measure
    number, title = (area.number, WHOLE_FOCUS_AREA) if measure is None else (measure.number, measure.title)
    per_theme: dict[str, list] = {}
    for comment in section.comments:
        for name in comment.themes:
            per_theme.setdefault(name, []).append(comment)
    for name, comments in per_theme.items():
        sheet = sheets.get(name)
        if sheet is None:
            continue
        bodies = len({c.organisation for c in comments})
        for c in comments:
            sheet.append((area.heading, number, title, bodies, c.organisation, c.position, c.text))


def _matrix_sheet(workbook, formats: _Formats, summary) -> _SheetWriter:
    """Measures down, bodies across. In print: A3 landscape, the header row and the measure
    columns (A–E) repeated on every page, and a page width for every ``BODIES_PER_PAGE`` bodies,
    so that 16 bodies print at about 80 % on one A3 width and 300 at the same size over 19."""
    fixed = [
        Column("Nr", 7, key=True),
        Column("Insats", 30, key=True),
        Column("Tillstyrker", 11),
        Column("Avstyrker", 11),
        Column("Synpunkter", 11),
    ]
    bodies = [Column(r.organisation, 12) for r in summary.recipients]
    sheet = _SheetWriter(workbook, formats, MATRIX_SHEET, [*fixed, *bodies], freeze=(1, 2), paper=A3)
    ws = sheet.ws
    pages = max(1, -(-len(bodies) // BODIES_PER_PAGE))
    ws.fit_to_pages(pages, 0)
    ws.repeat_columns(0, len(fixed) - 1)
    ws.set_margins(left=0.4, right=0.4)
    ws.set_v_pagebreaks([len(fixed) + k * BODIES_PER_PAGE for k in range(1, pages)])
    return sheet


def _other_sheet(workbook, formats: _Formats) -> _SheetWriter:
    columns = [Column("Remissinstans", 36, key=True), Column("Synpunkt", 100)]
    return _SheetWriter(workbook, formats, OTHER_SHEET, columns)


def safe_dnr(dnr: str) -> str:
    """The case number as part of a file name: ``1668/20`` → ``1668-20``."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", dnr).strip(" .-") or "utan-dnr"


def export_filename(summary: Summary) -> str:
    """``Sammanställning remissvar 1668-20 2022-02-14.xlsx``: the date it was compiled."""
    return (
        f"Sammanställning remissvar {safe_dnr(summary.round.dnr)} "
        f"{to_local(summary.round.compiled_at):%Y-%m-%d}.xlsx"
    )
