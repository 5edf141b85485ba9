"""The structure proposed from the remissförslag's own Word file: headings, numbered lists,
headings that are plain bold text, a table of contents; shown in the paste's preview."""

import io

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.rounds.docx_structure import UnreadableDocument, propose_structure
from remiss.rounds.models import Round
from remiss.rounds.service import parse_structure
from tests import docx_drafts, files
from tests.factories import make_round
from tests.http import read_form


def read(data: bytes):
    proposal = propose_structure(io.BytesIO(data))
    return proposal, parse_structure(proposal.text)


def test_an_action_plan_gives_focus_areas_and_measures():
    proposal, parsed = read(docx_drafts.action_plan())
    assert proposal.source == "rubriker och listor"
    assert proposal.lines == [
        "Fokusområde 1: Ett samordnat arbete med helhetsperspektiv",
        "1.1 Stärka samordningen centralt och lokalt",
        "1.2 Säkerställa att samtliga berörda förvaltningar deltar",
        "Fokusområde 2: Kunskapsbaserat arbete och välgrundad kompetens",
        "2.1 Identifiera de egna verktygen",
    ]
    assert "Inledning" in proposal.skipped and "Innehåll" in proposal.skipped
    assert parsed.ok, parsed.problems
    assert parsed.summary == "2 fokusområden och 3 insatser"


def test_a_question_draft_gives_sections_and_questions():
    proposal, parsed = read(docx_drafts.question_draft())
    assert proposal.lines == [
        "Ekonomiska och kompetensmässiga förutsättningar",
        "Vilka ekonomiska förutsättningar har nämnden att följa riktlinjen?",
        "Vilka kompetensmässiga förutsättningar har nämnden?",
        "Ansvar och ärendehantering",
        "Hur ser nämnden på ansvarsfördelningen?",
        "Är hanteringen av avhopparärenden tydlig?",
    ]
    assert parsed.ok, parsed.problems
    assert [(a.kind.value, a.title, [m.label for m in a.measures]) for a in parsed.areas] == [
        ("section", "Ekonomiska och kompetensmässiga förutsättningar", ["Fråga 1", "Fråga 2"]),
        ("section", "Ansvar och ärendehantering", ["Fråga 3", "Fråga 4"]),
    ]


def test_headings_in_plain_bold_text_are_read_as_well_as_the_paste():
    proposal, parsed = read(docx_drafts.bold_headings())
    assert parsed.ok, parsed.problems
    assert [(a.title, [m.number for m in a.measures]) for a in parsed.areas] == [
        ("Förutsättningar", ["1", "2"]),
        ("Ansvar", ["3"]),
    ]
    assert "Förslag till riktlinje" in proposal.skipped


def test_a_document_with_only_a_table_of_contents_gives_it_without_page_numbers():
    proposal, parsed = read(docx_drafts.only_contents())
    assert proposal.source == "innehållsförteckningen"
    assert parsed.ok, parsed.problems
    assert [a.heading for a in parsed.areas] == [
        "Fokusområde 1: Ett samordnat arbete",
        "Fokusområde 2: Kunskap",
    ]
    assert [m.title for a in parsed.areas for m in a.measures] == [
        "Stärka samordningen",
        "Identifiera verktyg",
    ]


@pytest.mark.parametrize("data", [files.pdf(), b"PK\x03\x04 not a zip", files.xlsx()])
def test_what_is_not_a_word_document_is_refused(data):
    with pytest.raises(UnreadableDocument):
        propose_structure(io.BytesIO(data))


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER)


def test_uploading_the_draft_offers_the_structure_and_the_preview_saves_it(app, client, officer):
    with app.app_context():
        round_ = make_round(structure={})
        db.session.commit()
        round_id = round_.id
    response = client.post(
        f"/rounds/{round_id}/documents",
        data={
            "kind": "draft",
            "file": (io.BytesIO(docx_drafts.question_draft()), "Riktlinje avhoppare.docx"),
        },
        follow_redirects=True,
    )
    assert "Under Struktur kan du låta tjänsten föreslå remissens struktur" in response.text
    assert "Föreslå struktur från dokumentet" in response.text
    with app.app_context():
        document_id = db.session.scalar(sa.select(Document.id).where(Document.round_id == round_id))
    page = client.get(f"/rounds/{round_id}/structure/from-document/{document_id}").text
    assert "Struktur från dokumentet" in page and "Riktlinje avhoppare.docx" in page
    assert "Så läses raderna" in page and "Fråga 4: Är hanteringen av avhopparärenden tydlig?" in page
    assert "2 sektioner och 4 frågor läggs till" in page
    # Nothing is saved until the officer confirms (the form posts to the paste).
    with app.app_context():
        assert db.session.get(Round, round_id).focus_areas == []
    form = read_form(page, f"/rounds/{round_id}/structure/paste")
    client.post(f"/rounds/{round_id}/structure/paste", data={**form, "confirm": "1"})
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert [q.label for q in round_.questions] == ["Fråga 1", "Fråga 2", "Fråga 3", "Fråga 4"]


def test_a_document_of_another_round_or_a_pdf_proposes_nothing(app, client, officer):
    with app.app_context():
        round_ = make_round(structure={})
        other = make_round(structure={}, dnr="2/22")
        db.session.commit()
        round_id, other_id = round_.id, other.id
    client.post(
        f"/rounds/{other_id}/documents",
        data={"kind": "draft", "file": (io.BytesIO(docx_drafts.action_plan()), "Plan.docx")},
    )
    client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": "draft", "file": (io.BytesIO(files.pdf()), "Plan.pdf")},
    )
    with app.app_context():
        theirs = db.session.scalar(sa.select(Document.id).where(Document.round_id == other_id))
        pdf = db.session.scalar(sa.select(Document.id).where(Document.round_id == round_id))
    assert client.get(f"/rounds/{round_id}/structure/from-document/{theirs}").status_code == 404
    assert client.get(f"/rounds/{round_id}/structure/from-document/{pdf}").status_code == 404
