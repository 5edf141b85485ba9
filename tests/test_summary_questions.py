"""The summary of a round that asks questions (issue 13, item 1): the page, the Excel file and
the Word report show the answers per question and how many bodies answered each, and no
Tillstyrker/Avstyrker counts for questions; a mixed round shows its measures as before."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from docx import Document
from markupsafe import escape

from remiss.answers.models import Answer, Channel, MeasureComment, MeasurePosition, Position
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import AreaKind, FocusArea, Measure, MeasureKind, Round
from remiss.summary.compile import compile_summary
from remiss.summary.report import write_report
from remiss.summary.xlsx import MATRIX_SHEET, QUESTIONS_SHEET, SUMMARY_SHEET, write_xlsx
from tests.factories import make_organisation, make_round, make_user, send
from tests.summary_data import load_demo_round

QUESTION_DNR = "1370/21"


@pytest.fixture
def questions(app, runner):
    """The demo's question round (riktlinje-avhoppare)."""
    with app.app_context():
        load_demo_round(runner)
        return db.session.scalar(sa.select(Round.id).where(Round.dnr == QUESTION_DNR))


@pytest.fixture
def mixed(app):
    """A focus area with one measure and, under no heading, one question; two bodies answer."""
    with app.app_context():
        officer = make_user(Role.OFFICER, name="Hanna Handläggare")
        bodies = [make_organisation("Kulturnämnden"), make_organisation("Socialnämnden Centrum")]
        round_ = make_round(
            officer=officer, recipients=bodies, structure={"Ett samordnat arbete": ["Samordna"]}
        )
        group = FocusArea(kind=AreaKind.QUESTIONS, number="2", title="", position=2)
        group.measures.append(
            Measure(kind=MeasureKind.QUESTION, number="1", title="Har nämnden resurser?", position=1)
        )
        round_.focus_areas.append(group)
        db.session.flush()
        send(round_)
        measure, question = round_.focus_areas[0].measures[0], group.measures[0]
        question.assessment = "Resurserna ses över."
        for i, recipient in enumerate(round_.recipients):
            recipient.answer = answer = Answer()
            draft = answer.start_draft()
            draft.position = Position.ASSENT
            draft.comments.append(
                MeasureComment(measure_id=measure.id, position=MeasurePosition.ASSENT, text=f"Bra insats {i}")
            )
            if i == 0:
                draft.comments.append(MeasureComment(measure_id=question.id, text="Ja, med förstärkning."))
            answer.submit(by=None, channel=Channel.IMPORT)
            db.session.flush()
        db.session.commit()
        return round_.id, group.id


def _page(client, round_id: int, area_id: int) -> str:
    response = client.get(f"/rounds/{round_id}/summary?omrade={area_id}")
    assert response.status_code == 200
    return response.text


def test_the_page_shows_the_answers_per_question(client, login_as, questions, app):
    login_as(Role.OFFICER)
    with app.app_context():
        summary = compile_summary(questions)
        invited = summary.counts.invited
        areas = [(a.id, a.title, a.measures) for a in summary.focus_areas]
    html = _page(client, questions, areas[0][0])
    assert '<h2 id="synpunkter">Frågor</h2>' in html
    table = re.search(r'id="areas-table"(.*?)</table>', html, re.S).group(1)
    assert "Tillstyrker" not in table and "Avstyrker" not in table
    assert areas[0][1] in html
    for question in areas[0][2]:
        block = re.search(rf'id="fraga-{question.number}"(.*?)</section>', html, re.S).group(1)
        assert f"Fråga {question.number}: {escape(question.title)}" in block
        assert f"Besvarad av {question.answered} av {invited} remissinstanser" in block
        assert "Tillstyrker" not in block and "Avstyrker" not in block
        for answer in question.comments:
            assert str(escape(answer.organisation)) in block and str(escape(answer.text)) in block
    assert any(q.answered for q in areas[0][2])


def test_the_work_page_shows_no_positions_for_questions(client, login_as, questions, app):
    login_as(Role.OFFICER)
    with app.app_context():
        area = compile_summary(questions).focus_areas[0]
    html = client.get(f"/rounds/{questions}/summary/arbeta?del={area.id}").text
    assert "Tillstyrker" not in html and 'id="filter-stallning"' not in html
    assert "Besvarad av" in html


def test_a_mixed_round_shows_measures_and_questions_each_as_what_it_is(client, login_as, mixed):
    round_id, group_id = mixed
    login_as(Role.OFFICER)
    html = _page(client, round_id, group_id)
    table = re.search(r'id="areas-table"(.*?)</table>', html, re.S).group(1)
    row = re.search(r"Fokusområde 1: [^<]*</a></th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r'<td class="number">(\d+)</td>', row) == ["1", "2", "0", "2"]
    question = re.search(r'id="fraga-1"(.*?)</section>', html, re.S).group(1)
    assert "Fråga 1: Har nämnden resurser?" in question
    assert "Besvarad av 1 av 2 remissinstanser" in question
    assert "Kulturnämnden" in question and "Ja, med förstärkning." in question
    assert "Resurserna ses över." in question
    assert "Tillstyrker" not in question
    first = client.get(f"/rounds/{round_id}/summary").text
    measure = re.search(r'id="insats-1-1"(.*?)</section>', first, re.S).group(1)
    assert "<dt>Tillstyrker</dt><dd>2</dd>" in measure


def _workbook(round_id: int):
    buffer = io.BytesIO()
    write_xlsx(compile_summary(round_id), buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def test_the_excel_file_has_the_answers_per_question(app, questions):
    with app.app_context():
        summary = compile_summary(questions)
        wb = _workbook(questions)
    assert QUESTIONS_SHEET in wb.sheetnames and MATRIX_SHEET not in wb.sheetnames
    rows = list(wb[QUESTIONS_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("Del", "Nr", "Fråga", "Remissinstans", "Svar", "Bedömning")
    expected = {
        (area.title, q.number, q.title, c.organisation, c.text)
        for area in summary.focus_areas
        for q in area.measures
        for c in q.comments
        if c.text
    }
    assert expected and expected <= {tuple(r[:5]) for r in rows[1:]}
    counts = list(wb[SUMMARY_SHEET].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(counts) if r[0] == "Fråga nr")
    question_rows = [r[:3] for r in counts[start + 1 :] if r[0]]
    assert question_rows == [(q.number, q.title, q.answered) for q in summary.measures]
    assert not any("Tillstyrker" in str(c) for r in counts[start:] for c in r if c)


def test_the_excel_file_of_a_mixed_round(app, mixed):
    round_id, _group = mixed
    with app.app_context():
        wb = _workbook(round_id)
    matrix = list(wb[MATRIX_SHEET].iter_rows(values_only=True))
    assert [r[0] for r in matrix[1:]] == ["1:1"]  # the measure only
    assert matrix[1][2:5] == (2, 0, 2)
    answers = list(wb[QUESTIONS_SHEET].iter_rows(values_only=True))
    assert answers[1] == (
        None,
        "1",
        "Har nämnden resurser?",
        "Kulturnämnden",
        "Ja, med förstärkning.",
        "Resurserna ses över.",
    )
    counts = list(wb[SUMMARY_SHEET].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(counts) if r[0] == "Fråga nr")
    assert counts[start + 1][:3] == ("1", "Har nämnden resurser?", 1)


def test_the_word_report_says_how_many_answered(app, questions, mixed):
    round_id, _group = mixed
    with app.app_context():
        for rid in (questions, round_id):
            buffer = io.BytesIO()
            summary = write_report(rid, buffer)
            buffer.seek(0)
            text = "\n".join(p.text for p in Document(buffer).paragraphs)
            for q in (m for m in summary.measures if m.is_question):
                assert f"Besvarad av {q.answered} av {summary.counts.invited} remissinstanser" in text
                for c in q.comments:
                    assert c.organisation in text
    assert "Besvarad av 1 av 2 remissinstanser" in text and "Tillstyrker: 2. Avstyrker: 0." in text
    assert "Fråga 1: Har nämnden resurser?" in text
