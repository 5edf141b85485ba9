"""The overview as an Excel file: ``write_xlsx(overview, stream)``.

The writer formats; it decides nothing (the rows and what they say come from
``overview.service.whole_overview`` and the model's checks). Every cell is written by
``remiss.core.spreadsheets.write_row``, which types every text as text: a body's name that
begins with ``=`` is shown as typed and never run. Dates are real dates shown as ISO
(``2027-01-05``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from remiss.core.spreadsheets import write_row
from remiss.overview.service import Overview

# openpyxl is imported when the file is written (write_xlsx), not at every start-up.
if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Font

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SELECTION_SHEET = "Urval"
ROUNDS_SHEET = "Öppna remisser"
LATE_SHEET = "Sena svar"
DUE_SHEET = "Svar inom en vecka"
BODIES_SHEET = "Per remissinstans"

ROUNDS_HEADERS = (
    "Diarienummer",
    "Titel",
    "Utskick",
    "Sista svarsdag",
    "Svar",
    "Remissinstanser",
    "Sena",
    "Handläggare",
)
LATE_HEADERS = (
    "Remissinstans",
    "Diarienummer",
    "Remiss",
    "Sista svarsdag",
    "Anstånd",
    "Dagar sent",
    "Svar",
    "Kontakt",
)
DUE_HEADERS = ("Remissinstans", "Diarienummer", "Remiss", "Sista svarsdag", "Anstånd", "Dagar kvar", "Svar")
BODIES_HEADERS = (
    "Remissinstans",
    "Typ",
    "Grupp",
    "Remisser",
    "Svar i tid",
    "Svar sent",
    "Inte svarat",
    "Väntar",
    "Dagar sent, snitt",
    "Dagar sent, max",
)
WIDTHS = {
    ROUNDS_SHEET: (14, 50, 12, 14, 8, 16, 8, 24),
    LATE_SHEET: (36, 14, 50, 14, 10, 12, 14, 36),
    DUE_SHEET: (36, 14, 50, 14, 10, 12, 24),
    BODIES_SHEET: (36, 12, 24, 10, 10, 10, 12, 10, 16, 16),
    SELECTION_SHEET: (24, 40),
}


def _sheet(workbook: Workbook, title: str, headers, bold: Font) -> object:
    sheet = workbook.create_sheet(title)
    write_row(sheet, 1, headers)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS[title], start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    return sheet


def _yes(flag: bool) -> str:
    return "Ja" if flag else ""


def _recipient_cells(recipient, days: int) -> tuple:
    """The cells a body's row has in both the late and the due sheet: who, which round, its
    deadline (and whether extended), ``days`` (overdue or left) and the answer's status."""
    return (
        recipient.organisation.name,
        recipient.round.dnr,
        recipient.round.title,
        recipient.effective_deadline,
        _yes(recipient.extended_deadline is not None),
        days,
        recipient.status.label,
    )


def write_xlsx(overview: Overview, stream: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    today, filters = overview.today, overview.filters
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Stadsledningskontoret, Göteborgs Stad"
    workbook.properties.title = f"Översikt över remisser {today.isoformat()}"

    selection = _sheet(workbook, SELECTION_SHEET, ("Översikt över remisser", ""), bold)
    rows = [
        ("Uttagen", today),
        ("Skickade från och med", filters.sent_from),
        ("Skickade till och med", filters.sent_to),
        ("Grupp", filters.group or "Alla"),
        ("Typ av remissinstans", filters.kind.label if filters.kind else "Alla"),
        ("Remissinstansens namn innehåller", filters.name or ""),
    ]
    for number, row in enumerate(rows, start=2):
        write_row(selection, number, row)

    sheet = _sheet(workbook, ROUNDS_SHEET, ROUNDS_HEADERS, bold)
    for number, row in enumerate(overview.rounds, start=2):
        round_ = row.round
        write_row(
            sheet,
            number,
            (
                round_.dnr,
                round_.title,
                round_.sent_on,
                round_.deadline,
                row.answered,
                row.invited,
                row.late,
                round_.officer.name if round_.officer else "",
            ),
        )

    sheet = _sheet(workbook, LATE_SHEET, LATE_HEADERS, bold)
    for number, recipient in enumerate(overview.late, start=2):
        write_row(
            sheet,
            number,
            _recipient_cells(recipient, recipient.days_overdue(today)) + (recipient.contact_email,),
        )

    sheet = _sheet(workbook, DUE_SHEET, DUE_HEADERS, bold)
    for number, recipient in enumerate(overview.due, start=2):
        write_row(sheet, number, _recipient_cells(recipient, recipient.days_left(today)))

    sheet = _sheet(workbook, BODIES_SHEET, BODIES_HEADERS, bold)
    for number, body in enumerate(overview.bodies, start=2):
        organisation = body.organisation
        write_row(
            sheet,
            number,
            (
                organisation.name,
                organisation.kind.label,
                organisation.group or "",
                body.received,
                body.on_time,
                body.late,
                body.not_answered,
                body.waiting,
                round(body.average_days_late, 1) if body.average_days_late is not None else None,
                body.max_days_late,
            ),
        )
    workbook.save(stream)


def export_filename(overview: Overview) -> str:
    return f"Översikt remisser {overview.today.isoformat()}.xlsx"
