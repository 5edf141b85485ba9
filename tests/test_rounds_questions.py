"""A question is a question (issue 13): a round lists focus areas and measures, asks questions
(numbered 1, 2, 3 … optionally under headed sections), or both; a question takes a free-text
answer and no position, and every page says "frågor" where the round asks them."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from remiss.answers.models import MeasurePosition
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import AreaKind, FocusArea, Measure, MeasureKind, Round
from tests.answering import CENTRUM, NORDOST, download, edit_url, load_form, sign_in, the_draft
from tests.factories import make_round, make_user, send


def question_round(mixed: bool = False, **kwargs) -> Round:
    """A draft round with two sections of questions (1, 2 | 3), after a focus area when mixed."""
    round_ = make_round(structure={"Samordning": ["Stärka samordningen"]} if mixed else {}, **kwargs)
    start = len(round_.focus_areas)
    sections = {
        "Förutsättningar": ["Vilka ekonomiska förutsättningar har ni?", "Vilken kompetens behövs?"],
        "Ansvar": ["Hur ser ni på ansvarsfördelningen?"],
    }
    number = 0
    for offset, (title, questions) in enumerate(sections.items(), start=1):
        area = FocusArea(
            number=str(start + offset), title=title, position=start + offset, kind=AreaKind.SECTION
        )
        for position, question in enumerate(questions, start=1):
            number += 1
            area.measures.append(
                Measure(number=str(number), title=question, position=position, kind=MeasureKind.QUESTION)
            )
        round_.focus_areas.append(area)
    db.session.flush()
    return round_


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER)


def open_question_round(app, mixed: bool = False) -> int:
    with app.app_context():
        officer = make_user(Role.OFFICER, email="hanna@example.goteborg.se", name="Hanna Handläggare")
        round_ = question_round(mixed=mixed, officer=officer, recipients=[CENTRUM, NORDOST])
        send(round_)
        db.session.commit()
        return round_.id


def numbers(app, round_id):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return [(a.kind.value, a.title, [m.number for m in a.measures]) for a in round_.focus_areas]


# The words, written once on the models --------------------------------------------------------------
def test_the_round_says_what_it_lists_and_asks(ctx):
    plan = make_round()
    guideline = question_round()
    mixed = question_round(mixed=True, dnr="1/22")
    assert (plan.lists_measures, plan.asks_questions) == (True, False)
    assert (guideline.lists_measures, guideline.asks_questions) == (False, True)
    assert mixed.is_mixed
    assert plan.structure_heading == "Fokusområden och insatser"
    assert guideline.structure_heading == "Frågor"
    assert mixed.structure_heading == "Fokusområden, insatser och frågor"
    assert guideline.part_by_part == "fråga för fråga" and plan.part_by_part == "insats för insats"
    section = guideline.focus_areas[0]
    assert (section.label, section.heading, section.takes_answer) == ("Sektion 1", "Förutsättningar", False)
    assert plan.focus_areas[0].heading == "Fokusområde 1: Ett samordnat arbete"
    question = guideline.measures[2]
    assert (question.label, question.takes_position, question.answer_word) == ("Fråga 3", False, "Svar")
    assert plan.measures[0].label == "Insats 1:1" and plan.measures[0].takes_position


# The structure by hand --------------------------------------------------------------------------------
def test_sections_and_questions_by_hand_and_moving_renumbers(app, client, officer):
    with app.app_context():
        round_ = make_round(structure={})
        db.session.commit()
        round_id = round_.id
    url = f"/rounds/{round_id}/structure"
    assert (
        client.post(
            f"{url}/areas", data={"kind": "section", "number": "1", "title": "Förutsättningar"}
        ).status_code
        == 302
    )
    assert (
        client.post(f"{url}/areas", data={"kind": "questions", "number": "2", "title": ""}).status_code == 302
    )
    with app.app_context():
        first, second = (a.id for a in db.session.get(Round, round_id).focus_areas)
    page = client.get(url).text
    assert "Ny fråga i sektion 1" in page and "Frågor utan rubrik" in page
    for area_id, number, title in (
        (second, "1", "Har ni synpunkter i övrigt?"),
        (first, "2", "Vilka ekonomiska förutsättningar har ni?"),
    ):
        response = client.post(
            f"{url}/areas/{area_id}/measures",
            data={f"area{area_id}-number": number, f"area{area_id}-title": title},
        )
        assert response.status_code == 302, response.text
    # The question added with the next number into the earlier section: numbered in order.
    assert numbers(app, round_id) == [("section", "Förutsättningar", ["1"]), ("questions", "", ["2"])]
    # A question is numbered 3, never 1:3.
    refused = client.post(
        f"{url}/areas/{first}/measures", data={f"area{first}-number": "1:3", f"area{first}-title": "X"}
    )
    assert refused.status_code == 422 and "En fråga numreras med ett heltal, t.ex. 3." in refused.text
    client.post(
        f"{url}/areas/{first}/measures",
        data={f"area{first}-number": "3", f"area{first}-title": "Vilken kompetens?"},
    )
    assert numbers(app, round_id) == [("section", "Förutsättningar", ["1", "2"]), ("questions", "", ["3"])]
    with app.app_context():
        moved = db.session.scalar(sa.select(Measure).where(Measure.title == "Vilken kompetens?")).id
    page = client.post(f"{url}/measures/{moved}/move/up", follow_redirects=True).text
    assert "Fråga 2 flyttades uppåt och heter nu Fråga 1." in page
    assert numbers(app, round_id) == [("section", "Förutsättningar", ["1", "2"]), ("questions", "", ["3"])]
    # Moving the section below the headless group: the questions follow the order shown.
    client.post(f"{url}/areas/{first}/move/down")
    assert numbers(app, round_id) == [("questions", "", ["1"]), ("section", "Förutsättningar", ["2", "3"])]
    # A section with questions does not become a focus area.
    response = client.post(
        f"{url}/areas/{first}/edit", data={"kind": "focus_area", "number": "2", "title": "X"}
    )
    assert response.status_code == 422 and "ta bort dem innan det blir ett fokusområde" in response.text


def test_a_question_round_is_pasted_with_its_sections(app, client, officer):
    with app.app_context():
        round_ = make_round(structure={})
        db.session.commit()
        round_id = round_.id
    text = (
        "Förutsättningar\n"
        "1. Vilka ekonomiska förutsättningar har ni att följa riktlinjen?\t4\n"
        "2) Vilken kompetens behövs? ........ 5\n"
        "Ansvar och ärendehantering\n"
        "Fråga 3 Hur ser ni på ansvarsfördelningen?\n"
    )
    url = f"/rounds/{round_id}/structure/paste"
    preview = client.post(url, data={"text": text, "preview": "1"}).text
    assert "Så läses raderna" in preview
    assert "Fråga 2: Vilken kompetens behövs?" in preview and "sidnummer 5 borttaget" in preview
    assert "2 sektioner och 3 frågor läggs till" in preview
    response = client.post(url, data={"text": text, "confirm": "1"})
    assert "2 sektioner och 3 frågor är tillagda" in client.get(response.headers["Location"]).text
    assert numbers(app, round_id) == [
        ("section", "Förutsättningar", ["1", "2"]),
        ("section", "Ansvar och ärendehantering", ["3"]),
    ]
    with app.app_context():
        titles = db.session.scalars(sa.select(Measure.title).order_by(Measure.id)).all()
    assert titles[1] == "Vilken kompetens behövs?"
    show = client.get(f"/rounds/{round_id}").text
    assert "<h3>Frågor</h3>" in show and "Fråga 3: Hur ser ni på ansvarsfördelningen?" in show
    assert "Fokusområden och insatser" not in show


# Answering -------------------------------------------------------------------------------------------
def test_a_question_is_answered_in_text_with_no_position(app):
    round_id = open_question_round(app)
    client, _ = sign_in(app)
    page = client.get(edit_url(round_id)).text
    assert "<h2>Frågor</h2>" in page
    assert "Svar på fråga 1" in page
    assert (
        "Ställningstagande till fråga" not in page
        and "Tillstyrker" not in page.split("<h2>Frågor</h2>")[1].split("Övriga synpunkter")[0]
    )
    form = load_form(client, round_id)
    assert not any(name.endswith("_position") and name.startswith("m_") for name in form)
    with app.app_context():
        question = db.session.scalar(sa.select(Measure).where(Measure.number == "3"))
        key = f"m_{question.id}"
    form.update(
        {"position": "tillstyrker", f"{key}_comment": "Ansvaret är tydligt.", f"{key}_position": "avstyrker"}
    )
    response = client.post(edit_url(round_id), data={**form, "preview": "1"})
    assert response.status_code == 302, response.text
    with app.app_context():
        comment = the_draft(app, round_id).comment_on(measure_id=question.id)
        assert (comment.text, comment.position) == ("Ansvaret är tydligt.", None)
    preview = client.get(response.headers["Location"]).text
    assert "Svar per fråga" in preview and "Ansvaret är tydligt." in preview
    assert "Ställningstaganden och synpunkter per fokusområde och insats" not in preview
    assert "Inte besvarad" in preview  # questions 1 and 2


def test_a_mixed_round_shows_each_as_what_it_is(app):
    round_id = open_question_round(app, mixed=True)
    client, _ = sign_in(app)
    page = client.get(edit_url(round_id)).text
    assert "<h2>Fokusområden, insatser och frågor</h2>" in page
    assert "Ställningstagande till insats 1:1" in page and "Synpunkter på insats 1:1" in page
    assert "Svar på fråga 1" in page and "Ställningstagande till fråga 1" not in page
    form = load_form(client, round_id)
    with app.app_context():
        measure = db.session.scalar(sa.select(Measure).where(Measure.number == "1:1"))
        question = db.session.scalar(sa.select(Measure).where(Measure.number == "1"))
        ids = measure.id, question.id
    form.update(
        {
            "position": "tillstyrker",
            f"m_{ids[0]}_position": "tillstyrker",
            f"m_{ids[0]}_comment": "Bra insats.",
            f"m_{ids[1]}_comment": "Budgeten räcker inte.",
        }
    )
    response = client.post(edit_url(round_id), data={**form, "preview": "1"})
    preview = client.get(response.headers["Location"]).text
    assert "Ställningstaganden och synpunkter per fokusområde och insats" in preview
    assert "Svar per fråga" in preview and "Budgeten räcker inte." in preview
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.comment_on(measure_id=ids[0]).position is MeasurePosition.ASSENT
        assert draft.comment_on(measure_id=ids[1]).position is None


def test_the_excel_answer_template_has_no_position_for_a_question(app):
    round_id = open_question_round(app, mixed=True)
    client, _ = sign_in(app)
    response = download(client, f"/answers/rounds/{round_id}/template")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Remissvar"]
    assert sheet.cell(row=5, column=5).value == "Synpunkter och svar"
    rows = {sheet.cell(row=r, column=2).value: r for r in range(6, sheet.max_row + 1)}
    validated = {
        cell for dv in sheet.data_validations.dataValidation for rng in dv.sqref.ranges for cell in rng.cells
    }
    assert (rows["Insats 1:1"], 4) in validated
    assert (rows["Fråga 1"], 4) not in validated and (rows["Fråga 3"], 4) not in validated
    assert rows["Sektion 2"] and sheet.cell(row=rows["Sektion 2"], column=1).value is None  # a heading row
    # A position written on a question is refused, naming the row; an answer is read.
    sheet.cell(row=rows["Fråga 3"], column=5).value = "Ansvaret är tydligt."
    sheet.cell(row=rows["Fråga 1"], column=4).value = "Tillstyrker"
    stream = io.BytesIO()
    workbook.save(stream)
    upload = client.post(
        f"/answers/rounds/{round_id}/template/upload",
        data={"file": (io.BytesIO(stream.getvalue()), "svar.xlsx")},
        follow_redirects=True,
    )
    assert f"Rad {rows['Fråga 1']}: fråga 1 besvaras med text och tar inget ställningstagande." in upload.text
    sheet.cell(row=rows["Fråga 1"], column=4).value = None
    stream = io.BytesIO()
    workbook.save(stream)
    client.post(
        f"/answers/rounds/{round_id}/template/upload",
        data={"file": (io.BytesIO(stream.getvalue()), "svar.xlsx")},
    )
    with app.app_context():
        question = db.session.scalar(sa.select(Measure).where(Measure.number == "3"))
        assert the_draft(app, round_id).comment_on(measure_id=question.id).text == "Ansvaret är tydligt."


# The demo ---------------------------------------------------------------------------------------------
def test_the_demo_guideline_asks_questions_answered_by_six_bodies(app, runner):
    from remiss.answers.service import answer_items

    runner.invoke(args=["load-demo"])
    with app.app_context():
        guideline = db.session.scalar(sa.select(Round).where(Round.dnr == "1370/21"))
        plan = db.session.scalar(sa.select(Round).where(Round.dnr == "1668/20"))
        assert guideline.asks_questions and not guideline.lists_measures
        assert [q.label for q in guideline.questions] == [f"Fråga {n}" for n in range(1, 6)]
        assert [a.kind for a in guideline.focus_areas] == [AreaKind.SECTION] * 3
        assert plan.lists_measures and not plan.asks_questions and len(plan.measures) == 11
        answered = {}
        for recipient in guideline.recipients:
            version = recipient.latest_submitted or recipient.draft
            assert version is not None, recipient.organisation.name
            items = [
                i for i in answer_items(version, guideline) if i.is_question and i.kind == "m" and i.text
            ]
            assert items and all(i.position is None for i in items)
            answered[recipient.organisation.name] = len(items)
        assert set(answered) == {
            "Socialnämnden Centrum",
            "Socialnämnden Hisingen",
            "Socialnämnden Nordost",
            "Socialnämnden Sydväst",
            "Polismyndigheten Storgöteborg",
            "Kriminalvården",
        }
