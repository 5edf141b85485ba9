"""Two or three people of one body write the same draft: every merge rule through the real
routes (the form, the conflict page, preview and submit, the autosave endpoint, the Excel
template, a save that races another at the database). Runs on SQLite, and on PostgreSQL with
REMISS_TEST_DATABASE_URL."""

from __future__ import annotations

import io
import re
import threading

import pytest
import sqlalchemy as sa

from remiss.answers import template
from remiss.answers.merge import digest
from remiss.extensions import db
from tests import files
from tests.answering import (
    create_open_round,
    edit_url,
    load_form,
    read_form,
    sign_in,
    structure,
    the_draft,
)

PREVIEW = "/answers/rounds/{}/preview"
SUBMIT = "/answers/rounds/{}/submit"


def autosave_url(round_id: int) -> str:
    return f"/answers/rounds/{round_id}/autosave"


@pytest.fixture
def two(app):
    """An open round; Anna and Bengt of Socialnämnden Centrum, signed in each in a browser."""
    round_id = create_open_round(app)
    anna, _ = sign_in(app, name="Anna Andersson")
    bengt, _ = sign_in(app, name="Bengt Berg")
    return round_id, structure(app, round_id), anna, bengt


def saved(app, round_id):
    with app.app_context():
        draft = the_draft(app, round_id)
        values = {
            "position": draft.position.value if draft.position else "",
            "comment": draft.comment,
            "other_comments": draft.other_comments,
            "decided_by": draft.decided_by,
            "decision_date": draft.decision_date.isoformat() if draft.decision_date else "",
            "files": sorted(d.original_name for d in draft.documents),
        }
        for c in draft.comments:
            key = f"m_{c.measure_id}" if c.measure_id else f"fa_{c.focus_area_id}"
            values[f"{key}_comment"] = c.text
            values[f"{key}_position"] = c.position.value if c.position else ""
        return values


def conflict_keys(page: str) -> set[str]:
    return set(re.findall(r'data-conflict="([^"]+)"', page))


def test_different_fields_are_merged(app, two):
    round_id, ids, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    fa1, m32 = f"fa_{ids['1']}_comment", f"m_{ids['2:1']}_comment"
    assert anna.post(edit_url(round_id), data=anna_form | {fa1: "Annas text om 1"}).status_code == 302
    response = bengt.post(edit_url(round_id), data=bengt_form | {m32: "Bengts text om 2:1"})
    assert response.status_code == 302
    page = bengt.get(response.headers["Location"]).text
    assert "Anna Andersson sparade ändringar i fokusområde 1" in page
    # The form shown holds both texts: nothing stale to save over Anna's.
    shown = read_form(page, edit_url(round_id))
    assert shown[fa1] == "Annas text om 1" and shown[m32] == "Bengts text om 2:1"
    assert saved(app, round_id)[fa1] == "Annas text om 1"
    assert saved(app, round_id)[m32] == "Bengts text om 2:1"
    # Saving once more, as the user did, keeps both.
    assert bengt.post(edit_url(round_id), data=shown).status_code == 302
    assert saved(app, round_id)[fa1] == "Annas text om 1"


def test_the_same_field_is_offered_side_by_side_and_the_rest_is_saved(app, two):
    round_id, ids, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    m12 = f"m_{ids['1:2']}_comment"
    anna.post(edit_url(round_id), data=anna_form | {"comment": "Annas helhet", m12: "Annas 1:2"})
    response = bengt.post(
        edit_url(round_id), data=bengt_form | {"comment": "Bengts helhet", "other_comments": "Bengts övriga"}
    )
    assert response.status_code == 409
    page = response.text
    assert conflict_keys(page) == {"comment"}
    assert "Annas helhet" in page and "Bengts helhet" in page and "Sparat av Anna Andersson" in page
    assert "Allt annat du ändrade är sparat" in page
    now = saved(app, round_id)
    assert now["comment"] == "Annas helhet"  # kept until Bengt chooses
    assert now["other_comments"] == "Bengts övriga"  # merged and SAVED
    assert now[m12] == "Annas 1:2"
    shown = read_form(page, edit_url(round_id))
    assert shown["comment"] == "Bengts helhet\n\nAnnas helhet"  # the combination to start from
    assert shown["other_comments"] == "Bengts övriga" and shown[m12] == "Annas 1:2"

    # Saving again without a choice, or re-sending the first post (reload, back): still Anna's.
    again = bengt.post(edit_url(round_id), data=shown)
    assert again.status_code == 409 and conflict_keys(again.text) == {"comment"}
    resent = bengt.post(edit_url(round_id), data=bengt_form | {"comment": "Bengts helhet"})
    assert resent.status_code == 409
    assert saved(app, round_id)["comment"] == "Annas helhet"
    assert saved(app, round_id)["other_comments"] == "Bengts övriga"


@pytest.mark.parametrize(
    "choice, combined, expected",
    [
        ("mine", None, "Bengts helhet"),
        ("theirs", None, "Annas helhet"),
        ("combined", "Bengt och Anna tillsammans", "Bengt och Anna tillsammans"),
    ],
)
def test_choosing_mine_theirs_or_a_combination(app, two, choice, combined, expected):
    round_id, _, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    anna.post(edit_url(round_id), data=anna_form | {"comment": "Annas helhet"})
    page = bengt.post(edit_url(round_id), data=bengt_form | {"comment": "Bengts helhet"}).text
    form = read_form(page, edit_url(round_id)) | {"choice_comment": choice}
    if combined:
        form["comment"] = combined
    response = bengt.post(edit_url(round_id), data=form)
    assert response.status_code == 302, response.text
    assert saved(app, round_id)["comment"] == expected


def test_a_choice_made_against_an_older_text_is_a_conflict_again(app, two):
    round_id, _, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    anna.post(edit_url(round_id), data=anna_form | {"comment": "Annas helhet"})
    page = bengt.post(edit_url(round_id), data=bengt_form | {"comment": "Bengts helhet"}).text
    # Anna rewrites the field while Bengt is deciding.
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Annas nya helhet"})
    response = bengt.post(
        edit_url(round_id), data=read_form(page, edit_url(round_id)) | {"choice_comment": "mine"}
    )
    assert response.status_code == 409
    assert "Annas nya helhet" in response.text and "Bengts helhet" in response.text
    assert saved(app, round_id)["comment"] == "Annas nya helhet"


def test_positions_and_the_decision_merge_and_conflict_the_same_way(app, two):
    round_id, ids, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    p11 = f"m_{ids['1:1']}_position"
    anna.post(
        edit_url(round_id),
        data=anna_form
        | {"position": "tillstyrker", p11: "tillstyrker", "decided_by": "Socialnämnden Centrum"},
    )
    response = bengt.post(
        edit_url(round_id),
        data=bengt_form | {"position": "avstyrker", p11: "tillstyrker", "decision_date": "2022-01-25"},
    )
    assert response.status_code == 409
    assert conflict_keys(response.text) == {"position"}  # 1:1 got the same position from both
    assert "Tillstyrker" in response.text and "Avstyrker" in response.text
    now = saved(app, round_id)
    assert now["position"] == "tillstyrker" and now["decided_by"] == "Socialnämnden Centrum"
    assert now["decision_date"] == "2022-01-25" and now[p11] == "tillstyrker"
    form = read_form(response.text, edit_url(round_id))
    assert "choice_position-combined" not in response.text  # a position is chosen, not combined
    assert bengt.post(edit_url(round_id), data=form | {"choice_position": "mine"}).status_code == 302
    assert saved(app, round_id)["position"] == "avstyrker"


def test_a_decision_file_never_replaces_a_colleagues_file(app, two):
    round_id, _, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    anna_form["decision_file"] = (io.BytesIO(files.pdf("Anna")), "Annas beslut.pdf")
    assert anna.post(edit_url(round_id), data=anna_form).status_code == 302
    bengt_form["decision_file"] = (io.BytesIO(files.pdf("Bengt")), "Bengts beslut.pdf")
    assert bengt.post(edit_url(round_id), data=bengt_form | {"comment": "Bengt"}).status_code == 302
    assert saved(app, round_id)["files"] == ["Annas beslut.pdf", "Bengts beslut.pdf"]


def test_preview_and_submit_recheck_the_revision(app, two):
    round_id, _, anna, bengt = two
    anna.post(
        edit_url(round_id), data=load_form(anna, round_id) | {"position": "tillstyrker", "comment": "A"}
    )
    preview = read_form(bengt.get(PREVIEW.format(round_id)).text, SUBMIT.format(round_id))
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Annas sista ändring"})
    response = bengt.post(SUBMIT.format(round_id), data=preview, follow_redirects=True)
    assert "Svaret är inte inskickat" in response.text
    assert "Annas sista ändring" in response.text  # the preview shown again is the newer draft
    with app.app_context():
        assert the_draft(app, round_id) is not None  # nothing submitted


# Autosave ------------------------------------------------------------------------------------------
def test_autosave_merges_and_says_what_it_did(app, two):
    round_id, ids, anna, bengt = two
    anna_form, bengt_form = load_form(anna, round_id), load_form(bengt, round_id)
    m21 = f"m_{ids['2:1']}_comment"
    headers = {"Accept": "application/json"}
    first = bengt.post(
        autosave_url(round_id), data=bengt_form | {"comment": "Bengt skriver"}, headers=headers
    )
    assert first.status_code == 200 and first.json["status"] == "saved"
    assert re.fullmatch(r"Sparat \d\d:\d\d", first.json["message"])
    bengt_form |= {"comment": "Bengt skriver", "version_token": first.json["version_token"]}
    bengt_form["baseline"] = first.json["baseline"]

    anna.post(edit_url(round_id), data=anna_form | {m21: "Annas 2:1"})
    second = bengt.post(
        autosave_url(round_id), data=bengt_form | {"comment": "Bengt skriver mer"}, headers=headers
    )
    body = second.json
    assert body["status"] == "saved"
    assert body["message"].startswith("En kollega sparade ändringar i 2:1 – uppdaterat")
    assert body["updated"] == {m21: {"value": "Annas 2:1", "base": digest("")}}
    assert saved(app, round_id)[m21] == "Annas 2:1" and saved(app, round_id)["comment"] == "Bengt skriver mer"

    # Both write the overall comment: a conflict, marked, Anna's text kept.
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Annas helhet"})
    bengt_form |= {"version_token": body["version_token"], "baseline": body["baseline"]}
    third = bengt.post(
        autosave_url(round_id), data=bengt_form | {"comment": "Bengts helhet"}, headers=headers
    )
    assert third.json["status"] == "conflict"
    assert [c["key"] for c in third.json["conflicts"]] == ["comment"]
    assert (
        third.json["conflicts"][0]["theirs"] == "Annas helhet"
        and third.json["conflicts"][0]["who"] == "Anna Andersson"
    )
    assert saved(app, round_id)["comment"] == "Annas helhet"
    # The baseline handed back keeps the conflict: the next autosave cannot win it silently.
    bengt_form |= {"version_token": third.json["version_token"], "baseline": third.json["baseline"]}
    fourth = bengt.post(
        autosave_url(round_id), data=bengt_form | {"comment": "Bengts helhet"}, headers=headers
    )
    assert fourth.json["status"] == "conflict"
    assert saved(app, round_id)["comment"] == "Annas helhet"


def test_autosave_of_a_closed_or_invalid_form_is_told(app, two):
    round_id, _, _, bengt = two
    form = load_form(bengt, round_id)
    headers = {"Accept": "application/json"}
    response = bengt.post(autosave_url(round_id), data=form | {"decision_date": "25/1"}, headers=headers)
    assert response.status_code == 422 and "Beslutsdatum" in response.json["message"]
    with app.app_context():
        assert the_draft(app, round_id) is None


# The Excel template -----------------------------------------------------------------------------
def upload(client, round_id, data: bytes):
    return client.post(
        f"/answers/rounds/{round_id}/template/upload",
        data={"file": (io.BytesIO(data), "svarsmall.xlsx")},
        content_type="multipart/form-data",
    )


def fill_template(data: bytes, rows: dict[str, tuple[str | None, str | None]]) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[template.SHEET]
    for row in sheet.iter_rows(min_row=template.FIRST_ROW):
        key = row[template.KEY - 1].value
        if key in rows:
            position, comment = rows[key]
            if position is not None:
                row[template.POSITION - 1].value = position
            if comment is not None:
                row[template.COMMENT - 1].value = comment
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_template_import_is_my_changes_against_the_draft_it_was_downloaded_from(app, two):
    round_id, ids, anna, bengt = two
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Grund"})
    downloaded = bengt.get(f"/answers/rounds/{round_id}/template").data
    # Anna goes on writing in the tracker: the overall comment and 1:1.
    m11 = f"m_{ids['1:1']}_comment"
    anna.post(
        edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Annas helhet", m11: "Annas 1:1"}
    )
    # Bengt filled 2:1 and the overall comment in Excel, leaving 1:1 as downloaded (empty).
    filled = fill_template(
        downloaded, {f"m:{ids['2:1']}": ("Avstyrker", "Bengts 2:1"), "overall": (None, "Bengts helhet")}
    )
    response = upload(bengt, round_id, filled)
    assert response.status_code == 409
    assert conflict_keys(response.text) == {"comment"}
    assert "Annas helhet" in response.text and "Bengts helhet" in response.text
    now = saved(app, round_id)
    assert now[m11] == "Annas 1:1"  # left alone in the file: Anna's text stays
    assert now[f"m_{ids['2:1']}_comment"] == "Bengts 2:1" and now[f"m_{ids['2:1']}_position"] == "avstyrker"
    assert now["comment"] == "Annas helhet"


def test_a_template_without_a_baseline_never_overwrites(app, two):
    round_id, ids, anna, bengt = two
    downloaded = bengt.get(f"/answers/rounds/{round_id}/template").data
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(downloaded))
    meta = workbook[template.META_SHEET]
    for row in meta.iter_rows(min_row=3):
        for cell in row[3:]:
            cell.value = None  # a template made before templates carried their baseline
    out = io.BytesIO()
    workbook.save(out)
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"other_comments": "Annas övriga"})
    filled = fill_template(
        out.getvalue(), {"other": (None, "Bengts övriga"), f"m:{ids['1:2']}": (None, "Bengts 1:2")}
    )
    response = upload(bengt, round_id, filled)
    assert response.status_code == 409 and conflict_keys(response.text) == {"other_comments"}
    assert saved(app, round_id)["other_comments"] == "Annas övriga"
    assert saved(app, round_id)[f"m_{ids['1:2']}_comment"] == "Bengts 1:2"


# Two saves at the same moment ------------------------------------------------------------------------
def test_a_save_that_races_another_at_the_database_is_merged_against_the_fresh_row(app, two):
    """Both read the same revision; the colleague's write lands between this save's read and its
    write (StaleDataError): the save is merged once more against the fresh row."""
    round_id, ids, anna, _ = two
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Första"})
    form = load_form(anna, round_id) | {"other_comments": "Min ändring"}

    def colleague_saves_now(session, flush_context, instances):
        with db.engine.connect() as other:
            other.execute(
                sa.text(
                    "UPDATE answer_version SET comment = 'Kollegans ändring', revision = revision + 1 "
                    "WHERE submitted_at IS NULL"
                )
            )
            other.commit()

    sa.event.listen(sa.orm.Session, "before_flush", colleague_saves_now, once=True)
    try:
        response = anna.post(edit_url(round_id), data=form)
    finally:
        if sa.event.contains(sa.orm.Session, "before_flush", colleague_saves_now):
            sa.event.remove(sa.orm.Session, "before_flush", colleague_saves_now)
    assert response.status_code == 302, response.text
    now = saved(app, round_id)
    assert now["comment"] == "Kollegans ändring" and now["other_comments"] == "Min ändring"


def test_a_first_draft_started_by_two_at_once_is_merged(app, two):
    """No draft yet; a colleague's first save lands while this one is being written (the unique
    draft index refuses the second draft): retried against the colleague's draft."""
    round_id, ids, anna, bengt = two
    bengt_form = load_form(bengt, round_id)
    anna_form = load_form(anna, round_id) | {"comment": "Anna först"}
    fired = {"done": False}

    def colleague_saves_first(session, flush_context, instances):
        if fired["done"]:
            return
        fired["done"] = True
        # Another request, in a thread of its own as a server would run it.
        result = {}
        thread = threading.Thread(
            target=lambda: result.update(
                status=bengt.post(
                    edit_url(round_id), data=bengt_form | {"other_comments": "Bengt"}
                ).status_code
            )
        )
        thread.start()
        thread.join(timeout=30)
        assert result["status"] == 302

    sa.event.listen(sa.orm.Session, "before_flush", colleague_saves_first)
    try:
        response = anna.post(edit_url(round_id), data=anna_form)
    finally:
        sa.event.remove(sa.orm.Session, "before_flush", colleague_saves_first)
    assert response.status_code == 302, response.text
    now = saved(app, round_id)
    assert now["comment"] == "Anna först" and now["other_comments"] == "Bengt"
