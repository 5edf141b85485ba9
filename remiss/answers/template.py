"""The answer template in Excel: committee staff prepare the answer offline and upload it into
the draft.

The sheet ``Remissvar`` has one row for the position on the whole draft, one per focus area and
measure (number, title, a position chosen from a drop-down list, a comment), one per question
(number, the question, its answer: a question takes no position, its position cell is greyed
out and refused when filled), a heading row per section, and one for other comments. Column A
(hidden) names each row's target, and the hidden sheet ``Mall`` keeps the
round and the structure as it was when the template was made, so that an upload can say which
measures were renumbered or removed since. Reading is all or nothing: any row that cannot be
read is named by its number and nothing is imported."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import BinaryIO

from remiss.answers.forms import MAX_TEXT, TEXT_TOO_LONG, normalise_newlines
from remiss.answers.merge import EMPTY, digest
from remiss.answers.models import AnswerVersion, MeasurePosition, Position
from remiss.answers.service import snapshot
from remiss.core.spreadsheets import (
    UnreadableSpreadsheet,
    bounded_rows,
    open_workbook,
    set_text,
    typed_text,
    write_row,
)
from remiss.core.time import format_date
from remiss.documents.service import XLSX, detect_type
from remiss.rounds.models import Round

SHEET = "Remissvar"
META_SHEET = "Mall"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
COLUMNS = ("Nyckel", "Nummer", "Rubrik", "Ställningstagande", "Synpunkter")
KEY, NUMBER, TITLE, POSITION, COMMENT = range(1, 6)
OVERALL = "overall"
OTHER = "other"

NOT_XLSX = (
    "Filen är inte en ifylld svarsmall i Excelformat (.xlsx). Ladda ner svarsmallen, fyll i den "
    "och ladda upp den igen."
)


@dataclass(frozen=True)
class Row:
    key: str  # "overall", "other", "fa:<id>" or "m:<id>"; "" for a section's heading
    number: str
    title: str
    takes_position: bool = True

    @property
    def is_heading(self) -> bool:
        return not self.key


def rows_of(round_: Round) -> list[Row]:
    rows = [Row(OVERALL, "Helhet", "Ställningstagande till förslaget som helhet")]
    for area in round_.focus_areas:
        if area.takes_answer:
            rows.append(Row(f"fa:{area.id}", area.label, area.title))
        elif area.has_heading:
            rows.append(Row("", area.label, area.title, takes_position=False))
        for measure in area.measures:
            rows.append(Row(f"m:{measure.id}", measure.label, measure.title, measure.takes_position))
    rows.append(Row(OTHER, "Övrigt", "Övriga synpunkter på förslaget", takes_position=False))
    return rows


def _columns(round_: Round) -> tuple[str, ...]:
    if not round_.asks_questions:
        return COLUMNS
    text = "Svar" if not round_.lists_measures else "Synpunkter och svar"
    return (*COLUMNS[:-1], text)


# Writing ---------------------------------------------------------------------------------------
def write_template(round_: Round, organisation_name: str, deadline, version: AnswerVersion | None, stream):
    """Write the template for ``round_`` to ``stream``, filled with ``version`` when given."""
    # openpyxl is imported when a template is made (or read), not at every start-up.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    # Every text is written as text (remiss.core.spreadsheets): a title or comment that begins
    # with "=" is shown as typed, never run, and reads back the same.
    set_text(sheet, 1, 2, f"Remissvar: {round_.title}")
    sheet["B1"].font = Font(bold=True, size=14)
    set_text(sheet, 2, 2, f"Dnr {round_.dnr} · {organisation_name} · Sista svarsdag {format_date(deadline)}")
    columns = _columns(round_)
    set_text(
        sheet,
        3,
        2,
        (
            "Välj ställningstagande i listan och skriv synpunkterna i kolumnen Synpunkter. "
            if round_.lists_measures
            else "Välj ställningstagande till förslaget som helhet i listan. "
        )
        + (
            "Skriv svaret på varje fråga i kolumnen Svar; en fråga tar inget ställningstagande. "
            if round_.asks_questions
            else ""
        )
        + "Ändra inte numren eller rubrikerna. Ladda upp filen under Svara på remissen; den fyller "
        "ert utkast men skickar inte in det.",
    )
    sheet["B3"].alignment = Alignment(wrap_text=True)
    sheet.merge_cells("B3:E3")
    sheet.row_dimensions[3].height = 45
    for column, title in enumerate(columns, start=1):
        cell = set_text(sheet, HEADER_ROW, column, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 50
    sheet.column_dimensions["D"].width = 28
    sheet.column_dimensions["E"].width = 80
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=2)

    overall = DataValidation(
        type="list", formula1=_list_formula(Position), allow_blank=True, showErrorMessage=True
    )
    overall.error = "Välj ett ställningstagande i listan."
    per_item = DataValidation(
        type="list", formula1=_list_formula(MeasurePosition), allow_blank=True, showErrorMessage=True
    )
    per_item.error = "Välj Tillstyrker eller Avstyrker i listan, eller lämna tomt."
    sheet.add_data_validation(overall)
    sheet.add_data_validation(per_item)

    values = _values_of(version, round_)
    for index, row in enumerate(rows_of(round_)):
        number = FIRST_ROW + index
        position, comment = values.get(row.key, ("", ""))
        set_text(sheet, number, KEY, row.key)
        set_text(sheet, number, NUMBER, row.number)
        set_text(sheet, number, TITLE, row.title)
        set_text(sheet, number, POSITION, position or None)
        set_text(sheet, number, COMMENT, comment or None)
        for column in (TITLE, COMMENT):
            sheet.cell(row=number, column=column).alignment = Alignment(wrap_text=True, vertical="top")
        if row.key.startswith("fa:") or row.key == OVERALL or row.is_heading:
            sheet.cell(row=number, column=NUMBER).font = Font(bold=True)
            sheet.cell(row=number, column=TITLE).font = Font(bold=True)
        if row.is_heading:
            for column in (POSITION, COMMENT):
                sheet.cell(row=number, column=column).fill = PatternFill("solid", fgColor="EEEEEE")
        elif row.key == OVERALL:
            overall.add(sheet.cell(row=number, column=POSITION))
        elif not row.takes_position:  # other comments, and a question: answered in text only
            sheet.cell(row=number, column=POSITION).fill = PatternFill("solid", fgColor="EEEEEE")
        else:
            per_item.add(sheet.cell(row=number, column=POSITION))

    meta = workbook.create_sheet(META_SHEET)
    write_row(meta, 1, ["round_id", round_.id])
    write_row(meta, 2, ["dnr", round_.dnr])
    # Each row's baseline: digests of what the answer held when the template was made, so that an
    # upload merges like a save from the form and never replaces a colleague's newer text.
    loaded = snapshot(version, round_)
    for number, row in enumerate([r for r in rows_of(round_) if not r.is_heading], start=3):
        position_key, comment_key = fields_of(row.key)
        write_row(
            meta,
            number,
            [
                row.key,
                row.number,
                row.title,
                digest(loaded.get(position_key, "")) if position_key else "",
                digest(loaded.get(comment_key, "")),
            ],
        )
    meta.sheet_state = "hidden"
    workbook.save(stream)


def fields_of(key: str) -> tuple[str | None, str]:
    """The answer form's fields (position, comment) that a template row fills."""
    if key == OVERALL:
        return "position", "comment"
    if key == OTHER:
        return None, "other_comments"
    kind, _, item_id = key.partition(":")
    return f"{kind}_{item_id}_position", f"{kind}_{item_id}_comment"


def _list_formula(enum_cls) -> str:
    return '"' + ",".join(member.label for member in enum_cls) + '"'


def _values_of(version: AnswerVersion | None, round_: Round) -> dict[str, tuple[str, str]]:
    if version is None:
        return {}
    values = {
        OVERALL: (version.position.label if version.position else "", version.comment),
        OTHER: ("", version.other_comments),
    }
    for comment in version.comments:
        key = f"m:{comment.measure_id}" if comment.measure_id else f"fa:{comment.focus_area_id}"
        values[key] = (comment.position.label if comment.position else "", comment.text)
    return values


# Reading ---------------------------------------------------------------------------------------
@dataclass
class TemplateImport:
    """What a filled template says, or why it cannot be read."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # None where the file has no such row: the draft keeps what it has there.
    overall: tuple[Position | None, str] | None = None
    other_comments: str | None = None
    # (focus_area_id, measure_id) -> (position, text)
    items: dict[tuple[int | None, int | None], tuple[MeasurePosition | None, str]] = field(
        default_factory=dict
    )
    # Digests of each form field when the template was downloaded (empty in an older template).
    baseline: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_template(stream: BinaryIO, round_: Round) -> TemplateImport:
    result = TemplateImport()
    if detect_type(stream) is not XLSX:
        result.errors.append(NOT_XLSX)
        return result
    stream.seek(0)
    try:
        workbook = open_workbook(stream.read())
        return _read_workbook(workbook, round_, result)
    except UnreadableSpreadsheet as error:
        return TemplateImport(errors=[str(error)])


def _read_workbook(workbook, round_: Round, result: TemplateImport) -> TemplateImport:
    if SHEET not in workbook.sheetnames or META_SHEET not in workbook.sheetnames:
        result.errors.append(
            f"Filen saknar bladet ”{SHEET}” och är inte en svarsmall från remisstjänsten. "
            "Ladda ner svarsmallen och fyll i den."
        )
        return result

    made_from = _read_meta(workbook[META_SHEET])
    result.baseline = made_from["baseline"]
    if made_from.get("round_id") != str(round_.id):
        result.errors.append(
            f"Svarsmallen hör till en annan remiss (dnr {made_from.get('dnr') or 'okänt'}). "
            f"Ladda ner svarsmallen för den här remissen (dnr {round_.dnr})."
        )
        return result

    areas = {str(area.id): area for area in round_.focus_areas if area.takes_answer}
    measures = {str(m.id): m for m in round_.measures}
    _report_structure_changes(result, made_from, areas, measures)

    sheet = workbook[SHEET]
    seen: set[str] = set()
    # Read-only rows come one by one, empty ones included, so the position is the row number.
    for row_number, cells in enumerate(
        bounded_rows(sheet, min_row=FIRST_ROW, max_col=COMMENT), start=FIRST_ROW
    ):
        cells = (*cells, *([None] * (COMMENT - len(cells))))
        key = _text(cells[KEY - 1]).strip()
        position_text = _text(cells[POSITION - 1]).strip()
        comment = normalise_newlines(_text(cells[COMMENT - 1]))
        if not key:
            if position_text or comment.strip():
                result.errors.append(
                    f"Rad {row_number}: raden hör inte till mallen. Skriv synpunkterna på raden för "
                    f"rätt {'fråga' if round_.asks_questions and not round_.lists_measures else 'insats'} "
                    "eller under Övriga synpunkter."
                )
            continue
        if key in seen:
            result.errors.append(f"Rad {row_number}: raden finns två gånger i filen.")
            continue
        seen.add(key)
        if len(comment) > MAX_TEXT:
            result.errors.append(f"Rad {row_number}: {TEXT_TOO_LONG}")
            continue
        if key == OVERALL:
            result.overall = (_position(result, row_number, position_text, Position), comment)
        elif key == OTHER:
            result.other_comments = comment
        elif key.startswith(("fa:", "m:")):
            kind, _, item_id = key.partition(":")
            target = areas.get(item_id) if kind == "fa" else measures.get(item_id)
            if target is None:
                if position_text or comment.strip():
                    old = made_from["rows"].get(key)
                    name = f"{old[0]} ”{old[1]}”" if old else key
                    result.errors.append(
                        f"Rad {row_number}: {name} finns inte längre i remissen. Flytta synpunkten "
                        "till rätt rad eller till Övriga synpunkter, eller ladda ner en ny svarsmall."
                    )
                continue
            if kind == "m" and target.is_question and position_text:
                result.errors.append(
                    f"Rad {row_number}: {target.label.lower()} besvaras med text och tar inget "
                    f"ställningstagande. Töm cellen ”{position_text}” och skriv svaret i kolumnen Svar."
                )
                continue
            position = _position(result, row_number, position_text, MeasurePosition)
            ids = (target.id, None) if kind == "fa" else (None, target.id)
            result.items[ids] = (position, comment)
        else:
            result.errors.append(f"Rad {row_number}: raden hör inte till mallen (okänd nyckel ”{key}”).")
    for key in [k for k in made_from["rows"] if k not in seen]:
        number, title = made_from["rows"][key]
        kind, _, item_id = key.partition(":")
        if key in (OVERALL, OTHER) or (areas if kind == "fa" else measures).get(item_id) is not None:
            result.notes.append(f"Raden för {number} ”{title}” saknas i filen; utkastet är oförändrat där.")
    return result


def _report_structure_changes(result: TemplateImport, made_from: dict, areas: dict, measures: dict) -> None:
    for key, (number, title) in made_from["rows"].items():
        kind, _, item_id = key.partition(":")
        if kind not in ("fa", "m"):
            continue
        now = areas.get(item_id) if kind == "fa" else measures.get(item_id)
        if now is None:
            result.notes.append(f"{number} ”{title}” har tagits bort ur remissen sedan mallen hämtades.")
        elif now.label != number:
            result.notes.append(
                f"{number} ”{title}” heter nu {now.label}; synpunkterna har förts till {now.label}."
            )
    known = set(made_from["rows"])
    for area in areas.values():
        if f"fa:{area.id}" not in known:
            result.notes.append(f"{area.label} ”{area.title}” har lagts till sedan mallen hämtades.")
    for measure in measures.values():
        if f"m:{measure.id}" not in known:
            result.notes.append(f"{measure.label} ”{measure.title}” har lagts till sedan mallen hämtades.")


def _read_meta(sheet) -> dict:
    meta: dict = {"rows": {}, "baseline": {}}
    for row in bounded_rows(sheet, max_col=5):
        if not row or row[0].value is None:
            continue
        key = _text(row[0])
        if key in ("round_id", "dnr"):
            meta[key] = _text(row[1] if len(row) > 1 else None)
        else:
            meta["rows"][key] = (
                _text(row[1] if len(row) > 1 else None),
                _text(row[2] if len(row) > 2 else None),
            )
            position_key, comment_key = fields_of(key)
            for name, column in ((position_key, 3), (comment_key, 4)):
                value = _text(row[column]) if name and len(row) > column else ""
                if value:
                    meta["baseline"][name] = value
    return meta


def _position(result: TemplateImport, row_number: int, text: str, enum_cls):
    if not text:
        return None
    for member in enum_cls:
        if text.casefold() in (member.label.casefold(), member.value.casefold()):
            return member
    allowed = ", ".join(member.label for member in enum_cls)
    result.errors.append(
        f"Rad {row_number}: ställningstagandet ”{text}” är okänt. Välj något av: {allowed}, eller lämna tomt."
    )
    return None


def _text(cell) -> str:
    """What was typed in ``cell``, as text (see ``typed_text``)."""
    return "" if cell is None else typed_text(cell) or ""


def values_and_baseline(imported: TemplateImport, saved: dict[str, str]) -> tuple[dict[str, str], str]:
    """The template's rows as this person's values per form field, and the baseline they were
    written against (``remiss.answers.merge``). A row missing from the file changes nothing; a
    row left empty empties the field unless a colleague has written there since the download.
    A template without a baseline (made before it had one) counts as made from an empty answer:
    wherever it differs from a saved text, that is a conflict, never a silent replacement."""
    mine = dict(saved)
    base = {key: digest(value) for key, value in saved.items()}
    touched: set[str] = set()
    if imported.overall is not None:
        position, comment = imported.overall
        mine["position"], mine["comment"] = (position.value if position else ""), comment
        touched |= {"position", "comment"}
    if imported.other_comments is not None:
        mine["other_comments"] = imported.other_comments
        touched.add("other_comments")
    for (focus_area_id, measure_id), (position, text) in imported.items.items():
        key = f"fa_{focus_area_id}" if focus_area_id else f"m_{measure_id}"
        mine[f"{key}_position"], mine[f"{key}_comment"] = (position.value if position else ""), text
        touched |= {f"{key}_position", f"{key}_comment"}
    for key in touched:
        base[key] = imported.baseline.get(key, EMPTY)
    return mine, json.dumps(base, separators=(",", ":"))
