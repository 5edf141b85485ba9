"""Rounds that ask questions, in a real browser (issue 13): the officer builds one question round
from a pasted list and another from the uploaded Word draft (made here with python-docx:
headings, a numbered list, a table of contents with page numbers), each through the preview that
shows how every line is read; a respondent answers the questions with no position offered, and a
mixed round shows its measures with positions beside its questions without. axe checks every new
page in each state."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from remiss.auth.models import User
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round
from tests import docx_drafts
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import sign_in, sign_out
from tests.factories import send

pytestmark = pytest.mark.e2e

QUESTIONS = """Förutsättningar att följa riktlinjen
1. Vilka ekonomiska förutsättningar har nämnden att följa riktlinjen?\t4
2) Vilka kompetensmässiga förutsättningar har nämnden? ........ 4

Ansvar och ärendehantering
• Hur ser nämnden på ansvarsfördelningen?
Fråga 4 Är hanteringen av avhopparärenden tydlig? 6"""

MIXED = """Fokusområde 1: Samordning
Insats 1:1 Stärka samordningen centralt och lokalt\t3
Frågor till remissinstanserna
Fråga 1 Vilka insatser saknas?"""


def draft_round(app, title: str, dnr: str) -> int:
    """A draft round with its facts and Socialnämnden Centrum as recipient, as an officer has it
    before describing the structure."""
    with app.app_context():
        officer = db.session.scalar(sa.select(User).where(User.email == "handlaggare@example.goteborg.se"))
        centrum = Organisation.by_name("Socialnämnden Centrum")
        today = date.today()
        round_ = Round(
            title=title,
            dnr=dnr,
            officer=officer,
            description="",
            sent_on=today - timedelta(days=1),
            deadline=today + timedelta(days=30),
        )
        round_.recipients.append(Recipient(organisation=centrum, contact_email=centrum.email))
        db.session.add(round_)
        db.session.commit()
        return round_.id


def send_round(app, round_id: int) -> None:
    with app.app_context():
        send(db.session.get(Round, round_id))
        db.session.commit()


def flash(page, text: str):
    return page.locator(".flash").filter(has_text=text)


def test_question_rounds_from_a_pasted_list_and_a_word_draft(live_server, page, new_page, tmp_path):
    app = live_server.app
    pasted = draft_round(app, "Riktlinje för arbete med avhoppare", "1371/26")
    from_word = draft_round(app, "Riktlinje om stöd till anhöriga", "1372/26")
    sign_in(page, "handlaggare@example.goteborg.se")

    # --- A question round from a pasted list --------------------------------------------------------
    page.goto(f"/rounds/{pasted}/structure")
    assert_accessible(page, "structure, empty")
    page.get_by_role("link", name="Klistra in innehållsförteckning eller frågor").click()
    page.get_by_label("Innehållsförteckning eller frågor").fill(QUESTIONS + "\nSe bilaga 3")
    page.get_by_role("button", name="Förhandsgranska").click()
    lines = page.get_by_role("table", name="Varje inklistrad rad och vad den blir")
    expect(lines).to_contain_text("Fråga 2: Vilka kompetensmässiga förutsättningar har nämnden?")
    expect(lines).to_contain_text("sidnummer 4 borttaget")
    expect(page.get_by_text("Rad 8: ”Se bilaga 3” kan inte läsas.").first).to_be_visible()
    assert_accessible(page, "paste, a line that cannot be read")
    page.get_by_label("Innehållsförteckning eller frågor").fill(QUESTIONS)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_text("2 sektioner och 4 frågor läggs till.")).to_be_visible()
    assert_accessible(page, "paste, preview of questions")
    page.get_by_role("button", name="Spara strukturen").click()
    expect(flash(page, "2 sektioner och 4 frågor är tillagda.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sektion 2: Ansvar och ärendehantering")).to_be_visible()
    expect(page.get_by_role("cell", name="Fråga 3", exact=True)).to_be_visible()
    assert_accessible(page, "structure, sections with questions")
    # Moving a question renumbers it.
    section = page.locator("section.structure-area").filter(has_text="Ansvar och ärendehantering")
    section.get_by_role("row", name=re.compile("Fråga 4")).get_by_role("button", name="Flytta upp").click()
    expect(flash(page, "Fråga 4 flyttades uppåt och heter nu Fråga 3.")).to_be_visible()
    page.goto(f"/rounds/{pasted}")
    expect(page.get_by_role("heading", name="Frågor", exact=True)).to_be_visible()
    expect(page.get_by_text("Fråga 3: Är hanteringen av avhopparärenden tydlig?")).to_be_visible()

    # --- A question round from the uploaded Word draft ---------------------------------------------
    draft = tmp_path / "Riktlinje anhöriga.docx"
    draft.write_bytes(docx_drafts.question_draft())
    page.goto(f"/rounds/{from_word}")
    upload = page.locator("form").filter(has=page.get_by_role("button", name="Ladda upp"))
    upload.get_by_label("Typ").select_option(label="Remissförslag")
    upload.get_by_label("Fil").set_input_files(str(draft))
    upload.get_by_role("button", name="Ladda upp").click()
    expect(flash(page, "föreslå remissens struktur")).to_be_visible()
    page.get_by_role("link", name=re.compile("Föreslå struktur från dokumentet")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Struktur från dokumentet")
    expect(page.get_by_text("2 sektioner och 4 frågor läggs till.")).to_be_visible()
    expect(page.get_by_label("Innehållsförteckning eller frågor")).to_have_value(
        re.compile("^Ekonomiska och kompetensmässiga förutsättningar\n")
    )
    assert_accessible(page, "structure proposed from the Word draft")
    page.get_by_role("button", name="Spara strukturen").click()
    expect(flash(page, "2 sektioner och 4 frågor är tillagda.")).to_be_visible()
    expect(page.get_by_role("cell", name="Fråga 4", exact=True)).to_be_visible()

    # --- The respondent answers the questions: no position offered --------------------------------
    send_round(app, pasted)
    sign_out(page)
    sara = new_page()
    sign_in(sara, "centrum@example.goteborg.se")
    sara.goto(f"/answers/rounds/{pasted}/edit")
    expect(sara.get_by_role("heading", name="Frågor", exact=True)).to_be_visible()
    questions = sara.locator(".answer-measure--question")
    expect(questions).to_have_count(4)
    expect(questions.get_by_role("radio")).to_have_count(0)
    expect(sara.get_by_role("group", name=re.compile("Ställningstagande till fråga"))).to_have_count(0)
    assert_accessible(sara, "answer form, a question round")
    sara.get_by_role("group", name="Ställningstagande till förslaget som helhet").get_by_label(
        "Tillstyrker", exact=True
    ).check()
    sara.get_by_label("Svar på fråga 1").fill("Budgeten räcker om målgruppen inte växer.")
    sara.get_by_label("Svar på fråga 4").fill("Ansvaret är tydligt.")
    sara.get_by_role("button", name="Spara och förhandsgranska").click()
    expect(sara.get_by_role("heading", level=1)).to_contain_text("Förhandsgranska svaret")
    answers = sara.get_by_role("table", name="Svar per fråga")
    expect(answers.get_by_role("row", name=re.compile("Fråga 1"))).to_contain_text("Budgeten räcker")
    expect(answers.get_by_role("row", name=re.compile("Fråga 2"))).to_contain_text("Inte besvarad")
    expect(sara.get_by_role("table", name=re.compile("per fokusområde och insats"))).to_have_count(0)
    assert_accessible(sara, "answer preview, a question round")
    sara.on("dialog", lambda dialog: dialog.accept())
    sara.get_by_role("button", name="Skicka in svaret").click()
    expect(sara.get_by_role("heading", level=1)).to_have_text("Kvitto på inskickat svar")
    expect(sara.get_by_text("2 av 4 besvarade")).to_be_visible()
    assert_accessible(sara, "receipt, a question round")

    # --- The officer's summary and Excel file: answers per question, no assent counts -------------
    officer = new_page()
    sign_in(officer, "handlaggare@example.goteborg.se")
    officer.goto(f"/rounds/{pasted}/summary")
    expect(officer.get_by_text("Besvarad av 1 av 1 remissinstans").first).to_be_visible()
    expect(officer.get_by_text("Budgeten räcker om målgruppen inte växer.")).to_be_visible()
    expect(officer.get_by_role("columnheader", name="Avstyrker")).to_have_count(0)  # no assent counts
    assert_accessible(officer, "summary, a question round")
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Ladda ner som Excel").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Svar per fråga" in workbook.sheetnames
    answers_sheet = [
        [cell for cell in row if cell] for row in workbook["Svar per fråga"].iter_rows(values_only=True)
    ]
    assert any("Budgeten räcker om målgruppen inte växer." in row for row in answers_sheet), answers_sheet
    assert "Matris" not in workbook.sheetnames  # positions and assent counts cover measures only


def test_a_mixed_round_offers_positions_on_measures_only(live_server, page, new_page):
    app = live_server.app
    round_id = draft_round(app, "Handlingsplan med frågor", "1373/26")
    sign_in(page, "handlaggare@example.goteborg.se")
    page.goto(f"/rounds/{round_id}/structure/paste")
    page.get_by_label("Innehållsförteckning eller frågor").fill(MIXED)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_text("1 fokusområde, 1 sektion, 1 insats och 1 fråga läggs till.")).to_be_visible()
    assert_accessible(page, "paste, preview of a mixed round")
    page.get_by_role("button", name="Spara strukturen").click()
    assert_accessible(page, "structure, a mixed round")
    send_round(app, round_id)
    sara = new_page()
    sign_in(sara, "centrum@example.goteborg.se")
    sara.goto(f"/answers/rounds/{round_id}/edit")
    expect(sara.get_by_role("heading", name="Fokusområden, insatser och frågor")).to_be_visible()
    expect(sara.get_by_role("group", name="Ställningstagande till insats 1:1")).to_be_visible()
    expect(sara.get_by_role("group", name="Ställningstagande till fråga 1")).to_have_count(0)
    expect(sara.get_by_label("Svar på fråga 1")).to_be_visible()
    assert_accessible(sara, "answer form, a mixed round")
