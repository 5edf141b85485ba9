"""The Excel answer template: downloaded, read back with openpyxl, filled in and uploaded into the
draft; broken files refused whole, with the row named."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from remiss.answers.models import AnswerStatus, MeasurePosition, Position
from remiss.extensions import db
from remiss.rounds.models import Measure, Round
from tests import files
from tests.answering import (
    CENTRUM,
    create_open_round,
    download,
    edit_url,
    load_form,
    sign_in,
    structure,
    the_draft,
)


def template_url(round_id):
    return f"/answers/rounds/{round_id}/template"


def upload_url(round_id):
    return f"/answers/rounds/{round_id}/template/upload"


def fetch_template(client, round_id):
    response = download(client, template_url(round_id))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def rows_by_number(sheet) -> dict[str, int]:
    """``{"Helhet": 6, "Fokusområde 1": 7, "Insats 1:1": 8, ...}``: the row of each number."""
    return {sheet.cell(row=r, column=2).value: r for r in range(6, sheet.max_row + 1)}


def upload(client, round_id, workbook_or_bytes, name="Svarsmall.xlsx"):
    if isinstance(workbook_or_bytes, bytes):
        data = workbook_or_bytes
    else:
        buffer = io.BytesIO()
        workbook_or_bytes.save(buffer)
        data = buffer.getvalue()
    return client.post(
        upload_url(round_id),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_the_template_has_a_row_per_focus_area_and_measure_with_a_drop_down_of_positions(app):
    round_id = create_open_round(app, dnr="1668/20")
    client, _ = sign_in(app)
    response = download(client, template_url(round_id))
    assert "Svarsmall%201668-20" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Remissvar"]
    assert sheet["B1"].value == "Remissvar: Förslag till handlingsplan"
    assert sheet["B2"].value.startswith("Dnr 1668/20 · Socialnämnden Centrum · Sista svarsdag ")
    assert [c.value for c in sheet[5]] == ["Nyckel", "Nummer", "Rubrik", "Ställningstagande", "Synpunkter"]
    table = [[c.value for c in row[1:3]] for row in sheet.iter_rows(min_row=6)]
    assert table == [
        ["Helhet", "Ställningstagande till förslaget som helhet"],
        ["Fokusområde 1", "Ett samordnat arbete"],
        ["Insats 1:1", "Stärka samordningen"],
        ["Insats 1:2", "Delta i insatser"],
        ["Fokusområde 2", "Kunskapsbaserat arbete"],
        ["Insats 2:1", "Identifiera verktyg"],
        ["Övrigt", "Övriga synpunkter på förslaget"],
    ]
    assert sheet.column_dimensions["A"].hidden
    assert workbook["Mall"].sheet_state == "hidden"

    validations = {dv.formula1: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert validations == {
        '"Tillstyrker,Tillstyrker delvis,Avstyrker,Avstår – tar inte ställning"': "D6",
        '"Tillstyrker,Avstyrker"': "D7 D8 D9 D10 D11",
    }


def test_the_template_carries_what_the_draft_already_says(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, _ = sign_in(app)
    form = load_form(client, round_id) | {
        "position": "avstyrker",
        "comment": "Rad ett\r\nRad två",
        f"m_{ids['1:2']}_position": "tillstyrker",
    }
    client.post(edit_url(round_id), data=form)
    sheet = fetch_template(client, round_id)["Remissvar"]
    rows = rows_by_number(sheet)
    assert sheet.cell(rows["Helhet"], 4).value == "Avstyrker"
    assert sheet.cell(rows["Helhet"], 5).value == "Rad ett\nRad två"
    assert sheet.cell(rows["Insats 1:2"], 4).value == "Tillstyrker"
    assert sheet.cell(rows["Insats 1:1"], 4).value is None


def test_a_filled_template_fills_the_draft_without_submitting_it(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, _ = sign_in(app)
    workbook = fetch_template(client, round_id)
    sheet = workbook["Remissvar"]
    rows = rows_by_number(sheet)
    sheet.cell(rows["Helhet"], 4, "Tillstyrker delvis")
    sheet.cell(rows["Helhet"], 5, "Nämnden ställer sig\nbakom förslaget i stort. <b>Viktigt</b>")
    sheet.cell(rows["Fokusområde 1"], 5, "Om fokusområdet")
    sheet.cell(rows["Insats 1:1"], 4, "tillstyrker")  # case does not matter
    sheet.cell(rows["Insats 1:2"], 4, "Avstyrker")
    sheet.cell(rows["Insats 1:2"], 5, "Saknar finansiering – åäö ÅÄÖ")
    sheet.cell(rows["Övrigt"], 5, "Tack!")

    response = upload(client, round_id, workbook)
    assert response.request.path == edit_url(round_id)
    assert (
        "Svarsmallen är inläst i utkastet. Granska svaret och skicka in det när ni är klara." in response.text
    )
    assert "&lt;b&gt;Viktigt&lt;/b&gt;" in response.text
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.answer.status is AnswerStatus.DRAFT
        assert draft.position is Position.PARTIAL_ASSENT
        assert draft.comment == "Nämnden ställer sig\nbakom förslaget i stort. <b>Viktigt</b>"
        assert draft.other_comments == "Tack!"
        area = draft.comment_on(focus_area_id=ids["1"])
        assert (area.position, area.text) == (None, "Om fokusområdet")
        assert draft.comment_on(measure_id=ids["1:1"]).position is MeasurePosition.ASSENT
        rejected = draft.comment_on(measure_id=ids["1:2"])
        assert (rejected.position, rejected.text) == (MeasurePosition.REJECT, "Saknar finansiering – åäö ÅÄÖ")
        assert draft.comment_on(measure_id=ids["2:1"]) is None


def test_a_template_with_an_unreadable_row_is_refused_whole(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    client.post(edit_url(round_id), data=load_form(client, round_id) | {"comment": "Sparat före"})
    workbook = fetch_template(client, round_id)
    sheet = workbook["Remissvar"]
    rows = rows_by_number(sheet)
    sheet.cell(rows["Helhet"], 5, "Ny text som inte ska in")
    sheet.cell(rows["Fokusområde 1"], 4, "Kanske")
    sheet.cell(rows["Insats 2:1"], 4, "Tillstyrker delvis")  # allowed on the whole, not on a measure
    sheet.cell(sheet.max_row + 2, 5, "Fritt svävande text")

    page = upload(client, round_id, workbook).text
    assert f"Rad {rows['Fokusområde 1']}: ställningstagandet ”Kanske” är okänt" in page
    assert f"Rad {rows['Insats 2:1']}: ställningstagandet ”Tillstyrker delvis” är okänt" in page
    assert f"Rad {sheet.max_row}: raden hör inte till mallen" in page
    assert "Ingenting lästes in. Rätta filen och ladda upp den igen." in page
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.comment == "Sparat före" and draft.comments == []


def test_files_that_are_not_the_template_are_refused(app):
    round_id = create_open_round(app)
    other_round_id = create_open_round(app, dnr="0412/23")
    client, _ = sign_in(app)

    page = upload(client, round_id, files.pdf(), name="svar.xlsx").text
    assert "Filen är inte en ifylld svarsmall i Excelformat (.xlsx)" in page
    page = upload(client, round_id, files.docx(), name="svar.docx").text
    assert "Filen är inte en ifylld svarsmall i Excelformat (.xlsx)" in page
    page = upload(client, round_id, Workbook()).text
    assert "Filen saknar bladet ”Remissvar”" in page
    page = upload(client, round_id, fetch_template(client, other_round_id)).text
    assert "Svarsmallen hör till en annan remiss (dnr 0412/23)" in page
    page = client.post(upload_url(round_id), data={}, follow_redirects=True).text
    assert "Välj den ifyllda svarsmallen." in page
    with app.app_context():
        assert the_draft(app, round_id) is None


def test_measures_renumbered_or_removed_since_the_template_was_made_are_reported(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, _ = sign_in(app)
    workbook = fetch_template(client, round_id)
    sheet = workbook["Remissvar"]
    rows = rows_by_number(sheet)
    sheet.cell(rows["Insats 1:2"], 4, "Avstyrker")
    sheet.cell(rows["Insats 1:2"], 5, "Om deltagandet")

    with app.app_context():
        db.session.get(Measure, ids["1:2"]).number = "1:5"
        round_ = db.session.get(Round, round_id)
        round_.focus_areas[1].measures.clear()  # 2:1 removed
        db.session.commit()

    page = upload(client, round_id, workbook).text
    assert (
        "Insats 1:2 ”Delta i insatser” heter nu Insats 1:5; synpunkterna har förts till Insats 1:5." in page
    )
    assert "Insats 2:1 ”Identifiera verktyg” har tagits bort ur remissen sedan mallen hämtades." in page
    with app.app_context():
        comment = the_draft(app, round_id).comment_on(measure_id=ids["1:2"])
        assert (comment.position, comment.text) == (MeasurePosition.REJECT, "Om deltagandet")


def test_a_comment_on_a_removed_measure_stops_the_import(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, _ = sign_in(app)
    workbook = fetch_template(client, round_id)
    sheet = workbook["Remissvar"]
    rows = rows_by_number(sheet)
    sheet.cell(rows["Helhet"], 4, "Tillstyrker")
    sheet.cell(rows["Insats 2:1"], 5, "Om verktygen")
    with app.app_context():
        db.session.execute(sa.delete(Measure).where(Measure.id == ids["2:1"]))
        db.session.commit()
    page = upload(client, round_id, workbook).text
    assert f"Rad {rows['Insats 2:1']}: Insats 2:1 ”Identifiera verktyg” finns inte längre i remissen." in page
    assert "Ingenting lästes in." in page
    with app.app_context():
        assert the_draft(app, round_id) is None


def test_a_submitted_answer_cannot_be_refilled_from_a_template(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    client.post(edit_url(round_id), data=load_form(client, round_id) | {"position": "tillstyrker"})
    workbook = fetch_template(client, round_id)
    preview = client.get(f"/answers/rounds/{round_id}/preview").text
    token = preview.split('name="version_token" type="hidden" value="')[1].split('"')[0]
    assert client.post(f"/answers/rounds/{round_id}/submit", data={"version_token": token}).status_code == 302
    workbook["Remissvar"]["E6"] = "Efteråt"
    page = upload(client, round_id, workbook).text
    assert "Svaret är inskickat och kan inte ändras." in page
    with app.app_context():
        assert the_draft(app, round_id, CENTRUM) is None
