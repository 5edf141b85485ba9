"""The Excel file, downloaded over HTTP (or written by the command) and read back cell by cell."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.chart import BarChart

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.summary.compile import compile_summary
from remiss.summary.xlsx import (
    EXCEL_CELL_LIMIT,
    FONT_NAME,
    FONT_SIZE,
    export_xlsx,
    split_text,
    write_xlsx,
)
from tests.factories import make_round, make_user
from tests.summary_data import build_round, correct_answer, load_demo_round

SHEETS = ["Sammanfattning", "Remissinstanser", "Synpunkter per insats", "Matris", "Övriga synpunkter"]


@pytest.fixture
def demo(app, runner):
    with app.app_context():
        return load_demo_round(runner)


def download(client, login_as, round_id, role=Role.MANAGER):
    login_as(role)
    response = client.get(f"/rounds/{round_id}/summary/export")
    assert response.status_code == 200, response.text
    return response


def workbook_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def fit_to_width(ws) -> int:
    """Pages wide when printed; an absent fitToWidth means 1 (ECMA-376, CT_PageSetup), and
    XlsxWriter writes it only when it is more."""
    return ws.page_setup.fitToWidth or 1


def label_values(ws) -> dict:
    """Sammanfattning: the value next to each label (the first occurrence)."""
    result = {}
    for row in ws.iter_rows(max_col=2):
        if row[0].value is not None and row[0].value not in result:
            result[row[0].value] = row[1].value
    return result


def test_demo_round_read_back_cell_by_cell(app, client, login_as, demo):
    response = download(client, login_as, demo)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert re.search(
        r"filename\*=UTF-8''Sammanst%C3%A4llning%20remissvar%201668-20%20\d{4}-\d{2}-\d{2}\.xlsx", disposition
    )
    wb = workbook_of(response.data)
    assert wb.sheetnames == SHEETS

    # Sammanfattning: the facts, the counts, one row per position, and the chart.
    ws = wb["Sammanfattning"]
    facts = label_values(ws)
    assert facts["Ärende"].startswith("Förslag till Göteborgs Stads handlingsplan")
    assert facts["Diarienummer"] == "1668/20"
    assert facts["Beslut"] == "Kommunstyrelsen 2021-10-27 § 820"
    assert facts["Skickad"] == datetime(2021, 11, 1)
    assert facts["Sista svarsdag"] == datetime(2022, 1, 31)
    assert facts["Ansvarig"] == "Hanna Handläggare"
    assert isinstance(facts["Sammanställd"], datetime)
    for label in ("Skickad", "Sista svarsdag", "Sammanställd"):
        cell = next(r[1] for r in ws.iter_rows(max_col=2) if r[0].value == label)
        assert cell.is_date and cell.number_format.startswith("yyyy-mm-dd")
    assert (facts["Inbjudna"], facts["Svarat"], facts["I tid"], facts["För sent"], facts["Inget svar"]) == (
        16,
        15,
        14,
        1,
        1,
    )
    rows = values(ws)
    start = rows.index(["Ställningstagande", "Antal"])
    positions = {label: count for label, count in rows[start + 1 : start + 6]}
    assert positions == {
        "Tillstyrker": 13,
        "Tillstyrker delvis": 0,
        "Avstyrker": 0,
        "Avstår – tar inte ställning": 2,
        "Inget svar": 1,
    }
    assert len(ws._charts) == 1 and isinstance(ws._charts[0], BarChart)
    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(io.BytesIO(response.data)).namelist())

    # Remissinstanser: one row per recipient, answered or not.
    ws = wb["Remissinstanser"]
    rows = values(ws)
    assert rows[0] == [
        "Remissinstans", "Typ", "Status", "Inkom", "Dagar sent", "Ställningstagande", "Beslut", "Synpunkter"
    ]  # fmt: skip
    recipients = {row[0]: row for row in rows[1:]}
    assert len(rows) - 1 == 16 and len(recipients) == 16
    assert sum(1 for row in rows[1:] if row[5] != "Inget svar") == 15
    assert recipients["Business Region Göteborg AB"][1:] == [
        "Bolag", "Ej påbörjat", None, None, "Inget svar", None, None
    ]  # fmt: skip
    nordost = recipients["Socialnämnden Nordost"]
    assert nordost[2] == "Inskickat för sent, 3 dagar" and nordost[4] == 3
    assert nordost[3] == datetime(2022, 2, 3)
    assert ws.cell(row=rows.index(nordost) + 1, column=4).is_date
    assert recipients["Socialnämnden Centrum"][6] == "Socialnämnden Centrum 2022-01-25 § 14"
    assert [row[5] for row in rows[1:]].count("Tillstyrker") == 13
    assert [row[5] for row in rows[1:]].count("Avstår – tar inte ställning") == 2

    # Synpunkter per insats: one row per comment, in the draft's order.
    ws = wb["Synpunkter per insats"]
    rows = values(ws)
    assert rows[0] == [
        "Fokusområde",
        "Nr",
        "Insats",
        "Remissinstans",
        "Ställningstagande",
        "Synpunkt",
        "Bedömning",
    ]
    m22 = [row for row in rows[1:] if row[1] == "2:2"]
    assert len(m22) == 4
    assert [row[3] for row in m22 if row[4] == "Avstyrker"] == [
        "Socialnämnden Centrum",
        "Socialnämnden Nordost",
    ]
    assert m22[0][0] == "2 Kunskapsbaserat arbete och välgrundad kompetens"
    assert m22[0][2] == "Utveckla och förstärka cylindermodellen"
    assert len([row for row in rows[1:] if row[1] == "1:1"]) == 6
    numbers = [row[1] for row in rows[1:]]
    assert numbers == sorted(numbers)  # the draft's order

    # Matris: one row per measure, then one column per recipient.
    ws = wb["Matris"]
    rows = values(ws)
    assert rows[0][:5] == ["Nr", "Insats", "Tillstyrker", "Avstyrker", "Synpunkter"]
    assert len(rows[0]) == 5 + 16 and "Business Region Göteborg AB" in rows[0]
    matrix = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert len(matrix) == 11
    assert (matrix["2:2"]["Tillstyrker"], matrix["2:2"]["Avstyrker"], matrix["2:2"]["Synpunkter"]) == (
        0,
        2,
        4,
    )
    assert matrix["1:1"]["Synpunkter"] == 6
    assert matrix["2:2"]["Socialnämnden Centrum"] == "Avstyrker"
    assert matrix["2:2"]["Miljö- och klimatnämnden"] == "Synpunkt"
    assert matrix["2:2"]["Business Region Göteborg AB"] is None

    ws = wb["Övriga synpunkter"]
    rows = values(ws)
    assert rows[0] == ["Remissinstans", "Synpunkt"]
    assert "Socialnämnden Centrum" in [row[0] for row in rows[1:]]


def test_sheets_are_formatted_for_reading_and_printing(client, login_as, demo):
    wb = workbook_of(download(client, login_as, demo).data)
    for name in SHEETS:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert fit_to_width(ws) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, name
        if name == "Sammanfattning":
            assert ws["A1"].font.b
            continue
        assert all(cell.font.b for cell in ws[1]), name
        assert ws.freeze_panes == ("C2" if name == "Matris" else "A2"), name
        assert ws.auto_filter.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{ws.max_row}"
        assert ws.print_title_rows == "$1:$1", name
        assert ws.column_dimensions["A"].width >= 7
    comments = wb["Synpunkter per insats"]
    assert comments.column_dimensions["F"].width >= 60
    assert comments["F2"].alignment.wrap_text


@pytest.mark.parametrize(
    "text", ["=1+1", "+46 31 365 00 00", "-minus först", "@SUMMA(A1)", "#N/A", '=HYPERLINK("x")']
)
def test_no_text_ever_becomes_a_formula(app, client, login_as, demo, text):
    with app.app_context():
        correct_answer(demo, "Socialnämnden Centrum", "1:1", text, other_comments=text)
    data = download(client, login_as, demo).data
    wb = workbook_of(data)
    ws = wb["Synpunkter per insats"]
    cell = next(
        r[5] for r in ws.iter_rows(min_row=2) if r[1].value == "1:1" and r[3].value == "Socialnämnden Centrum"
    )
    assert cell.value == text and cell.data_type == "s"
    other = next(
        r[1] for r in wb["Övriga synpunkter"].iter_rows(min_row=2) if r[0].value == "Socialnämnden Centrum"
    )
    assert other.value == text and other.data_type == "s"
    assert len([r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "1:1"]) == 6
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), name


def test_text_longer_than_a_cell_continues_on_the_next_rows(app, client, login_as, demo):
    long_text = " ".join(f"ord{i}" for i in range(20_000)) + " 😀 slut"  # about 130,000 characters
    with app.app_context():
        correct_answer(
            demo, "Socialnämnden Centrum", "1:1", long_text, other_comments="Kort\x0bmed radbrytning\x01"
        )
    wb = workbook_of(download(client, login_as, demo).data)
    rows = [
        r
        for r in wb["Synpunkter per insats"].iter_rows(min_row=2, values_only=True)
        if r[1] == "1:1" and r[3] == "Socialnämnden Centrum"
    ]
    assert len(rows) == len(split_text(long_text)) > 4
    assert "".join(r[5] for r in rows) == long_text
    assert all(len(r[5].encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT for r in rows)
    assert {r[0] for r in rows} == {"1 Ett samordnat arbete med helhetsperspektiv"}
    other = next(
        r
        for r in wb["Övriga synpunkter"].iter_rows(min_row=2, values_only=True)
        if r[0] == "Socialnämnden Centrum"
    )
    assert other[1] == "Kort\nmed radbrytning"


def test_split_text_never_loses_anything():
    assert split_text("kort") == ["kort"]
    for text in ("😀" * 20_000, "a" * 100_000, ("ord " * 9000) + "\n" + "x" * 40_000):
        parts = split_text(text)
        assert "".join(parts) == text
        assert all(0 < len(p.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT for p in parts)
    parts = split_text("ord " * 10_000)
    assert all(p.endswith(" ") for p in parts[:-1])  # broken between words


def test_a_round_without_answers_exports(app, ctx):
    round_ = make_round(officer=make_user(Role.OFFICER), recipients=["Socialnämnden Centrum"])
    db.session.commit()
    buffer = io.BytesIO()
    write_xlsx(compile_summary(round_.id), buffer)
    wb = workbook_of(buffer.getvalue())
    assert label_values(wb["Sammanfattning"])["Inget svar"] == 1
    assert values(wb["Remissinstanser"])[1][:6] == [
        "Socialnämnden Centrum",
        "Nämnd",
        "Ej påbörjat",
        None,
        None,
        "Inget svar",
    ]
    assert values(wb["Synpunkter per insats"]) == [
        ["Fokusområde", "Nr", "Insats", "Remissinstans", "Ställningstagande", "Synpunkt", "Bedömning"]
    ]


def test_export_summary_command(app, runner, tmp_path):
    with app.app_context():
        round_id = load_demo_round(runner)
    target = tmp_path / "sammanställning.xlsx"
    result = runner.invoke(args=["export-summary", str(round_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "15 av 16 svar" in result.output and str(target) in result.output
    wb = workbook_of(target.read_bytes())
    assert label_values(wb["Sammanfattning"])["Svarat"] == 15
    assert len(values(wb["Remissinstanser"])) == 17

    result = runner.invoke(args=["export-summary", "9999", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0 and "Det finns ingen remiss med id 9999" in result.output
    assert not (tmp_path / "x.xlsx").exists()


# Reads well when opened and printed (issue 15, item 5) ------------------------------------------


def test_every_cell_written_is_in_the_named_font_and_headers_are_bold(client, login_as, demo):
    wb = workbook_of(download(client, login_as, demo).data)
    written = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                written += 1
                assert (cell.font.name, cell.font.sz) == (FONT_NAME, FONT_SIZE), (ws.title, cell.coordinate)
        if ws.title != "Sammanfattning":
            assert all(cell.font.b and cell.font.name == FONT_NAME for cell in ws[1]), ws.title
    assert written > 400


def test_the_office_is_the_author_and_the_round_the_title(client, login_as, demo):
    data = download(client, login_as, demo).data
    wb = workbook_of(data)
    assert wb.properties.creator == "Stadsledningskontoret, Göteborgs Stad"
    assert wb.properties.title.startswith("Förslag till Göteborgs Stads handlingsplan")
    assert "1668/20" in wb.properties.title
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in ("docProps/core.xml", "docProps/app.xml"):
            assert "openpyxl" not in archive.read(name).decode(), name


def test_rows_with_wrapped_text_are_as_high_as_their_text(app, client, login_as, demo):
    paragraphs = "\n".join(["Första stycket."] * 3 + ["Långt stycke " * 40]).strip()
    with app.app_context():
        correct_answer(demo, "Socialnämnden Centrum", "1:1", paragraphs)
    wb = workbook_of(download(client, login_as, demo).data)
    ws = wb["Synpunkter per insats"]
    width = ws.column_dimensions["F"].width  # Synpunkt
    checked = 0
    for row in ws.iter_rows(min_row=2):
        text = row[5].value
        if not text:
            continue
        # At least one line per paragraph, and a line for each ``width`` characters of it.
        lines = sum(max(1, -(-len(part) // int(width))) for part in text.split("\n"))
        height = ws.row_dimensions[row[0].row].height
        if lines > 1:
            assert height is not None and height >= 15 * lines, (text, height)
            checked += 1
        else:
            assert height is None or height >= 15
    assert checked > 10
    tallest = next(r for r in ws.iter_rows(min_row=2) if r[5].value == paragraphs)
    assert ws.row_dimensions[tallest[0].row].height >= 15 * 10
    # The header row of the matrix holds the bodies' names wrapped over two lines or more.
    assert wb["Matris"].row_dimensions[1].height >= 30


def test_the_matrix_prints_on_a3_with_the_measure_columns_on_every_page(client, login_as, demo):
    ws = workbook_of(download(client, login_as, demo).data)["Matris"]
    assert ws.page_setup.paperSize == "8" or ws.page_setup.paperSize == 8  # A3
    assert ws.page_setup.orientation == "landscape"
    assert fit_to_width(ws) == 1 and ws.page_setup.fitToHeight in (0, "0")  # 16 bodies: one width
    assert ws.print_title_cols == "$A:$E" and ws.print_title_rows == "$1:$1"
    assert not ws.col_breaks.brk
    for name in SHEETS:
        if name != "Matris":
            assert workbook_of(download(client, login_as, demo).data)[name].page_setup.paperSize in (9, "9")


def test_a_matrix_of_many_bodies_is_split_into_pages_of_sixteen(ctx):
    round_id = build_round(recipients=40, areas=1, measures_per_area=2, drafts=False)
    buffer = io.BytesIO()
    export_xlsx(round_id, buffer)
    ws = workbook_of(buffer.getvalue())["Matris"]
    assert ws.max_column == 5 + 40
    assert fit_to_width(ws) == 3  # 16 + 16 + 8 bodies
    assert [b.id for b in ws.col_breaks.brk] == [5 + 16, 5 + 32]  # after columns U and AK
    assert ws.print_title_cols == "$A:$E"


def test_the_streamed_export_writes_what_the_compiled_summary_does(app, ctx):
    round_id = build_round(recipients=5, areas=2, measures_per_area=3)
    now = datetime(2026, 1, 1, 12, 0)
    streamed, compiled = io.BytesIO(), io.BytesIO()
    export_xlsx(round_id, streamed, now=now)
    write_xlsx(compile_summary(round_id, now=now), compiled)
    for a, b in zip(
        workbook_of(streamed.getvalue()).worksheets, workbook_of(compiled.getvalue()).worksheets, strict=True
    ):
        assert a.title == b.title and values(a) == values(b)
    assert len(values(workbook_of(streamed.getvalue())["Synpunkter per insats"])) == 1 + 5 * (2 + 6)


def test_the_export_makes_a_fixed_number_of_queries(ctx):
    small = build_round(recipients=2, areas=1, measures_per_area=2)
    large = build_round(recipients=12, areas=3, measures_per_area=4)
    counts = []
    for round_id in (small, large):
        db.session.remove()
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)  # noqa: B023 (removed before the next loop)

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            export_xlsx(round_id, io.BytesIO())
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8, counts


SOFFICE, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdftotext")


@pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT),
    reason="LibreOffice (soffice) or pdftotext is not installed: apt-get install --no-install-recommends "
    "libreoffice-calc-nogui poppler-utils",
)
def test_libreoffice_prints_the_file_with_the_demo_facts(app, client, login_as, demo, tmp_path):
    ending = "Detta är synpunktens allra sista ord: SLUTKLÄM."
    with app.app_context():
        correct_answer(demo, "Socialnämnden Centrum", "1:1", "Inledning. " * 120 + ending)
    source = tmp_path / "sammanstallning.xlsx"
    source.write_bytes(download(client, login_as, demo).data)
    subprocess.run(  # noqa: S603 (a fixed program, our own file)
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "sammanstallning.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    text = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    flat = " ".join(text.split())
    for fact in (
        "1668/20",
        "Kommunstyrelsen 2021-10-27 § 820",
        "Hanna Handläggare",
        "Socialnämnden Nordost",
        "Business Region Göteborg AB",
        "Inskickat för sent, 3 dagar",
        "Avstår – tar inte ställning",
        "SLUTKLÄM.",
    ):
        assert fact in flat, fact
    assert "cylindermodellen" in flat and "Avstyrker" in flat
