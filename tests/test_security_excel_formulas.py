"""Formula-like text typed into an answer stays text in the Excel file: a respondent types it into
the answer form, saves and submits through the routes, a manager downloads the summary, and
every cell read back with openpyxl is a string with exactly what was typed (never a formula that
Excel would run, such as a link that sends the reader's data elsewhere)."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from remiss.auth.models import Role
from tests.answering import create_open_round, edit_url, load_form, read_form, sign_in, structure

TEXTS = {
    "hyperlink": '=HYPERLINK("http://x","y")',
    "plus": "+1",
    "minus": "-1",
    "at": "@SUM(A1)",
    "equals": "=1+1",
    "dde": "=cmd|' /C calc'!A0",
}


def test_formula_like_answers_are_text_in_the_excel_file(app, login_as, client):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    respondent, _ = sign_in(app)
    typed = {
        "comment": TEXTS["hyperlink"],
        "other_comments": TEXTS["dde"],
        f"m_{ids['1:1']}_comment": TEXTS["plus"],
        f"m_{ids['1:2']}_comment": TEXTS["minus"],
        f"m_{ids['2:1']}_comment": TEXTS["at"],
        f"fa_{ids['1']}_comment": TEXTS["equals"],
        "decided_by": TEXTS["hyperlink"],
    }
    form = load_form(respondent, round_id) | {"position": "tillstyrker_delvis"} | typed
    assert respondent.post(edit_url(round_id), data=form).status_code == 302
    submit = f"/answers/rounds/{round_id}/submit"
    preview = respondent.get(f"/answers/rounds/{round_id}/preview").text
    response = respondent.post(submit, data=read_form(preview, submit), follow_redirects=True)
    assert "Svaret är inskickat. Kvittonummer" in response.text

    login_as(Role.MANAGER)
    response = client.get(f"/rounds/{round_id}/summary/export")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))

    found = {text: [] for text in TEXTS.values()}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                if cell.value in found:
                    found[cell.value].append(cell)
    for text, cells in found.items():
        assert cells, f"«{text}» is not in the file as typed"
        for cell in cells:
            assert cell.data_type == "s" and isinstance(cell.value, str), (text, cell.coordinate)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), name
