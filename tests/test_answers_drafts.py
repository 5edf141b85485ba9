"""The respondent's rounds and the shared draft: what the start and round pages show, saving,
text kept exactly as typed, the decision file, and two people of one organisation editing at once."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerVersion, MeasurePosition, Position
from remiss.auth.models import Role
from remiss.core.time import format_date
from remiss.extensions import db
from remiss.rounds.models import Round
from tests import files
from tests.answering import (
    CENTRUM,
    NORDOST,
    create_open_round,
    download,
    edit_url,
    load_form,
    read_form,
    sign_in,
    structure,
    the_draft,
    user_name,
)
from tests.factories import make_organisation, make_round, send


# The respondent's rounds ------------------------------------------------------------------------
def test_a_respondent_starts_on_its_rounds_open_first_with_days_left_and_status(app):
    today = date.today()
    create_open_round(app, title="Riktlinje för avhoppare", dnr="0412/23", deadline=today + timedelta(5))
    later = create_open_round(app, title="Handlingsplan mot nyrekrytering", deadline=today + timedelta(20))
    with app.app_context():
        closed = db.session.get(Round, create_open_round(app, title="Äldre remiss", dnr="0100/21"))
        closed.close()
        make_round(title="Ett utkast ingen ser", recipients=[CENTRUM])
        send(make_round(title="Till någon annan", recipients=["Kriminalvården"]))
        db.session.commit()
    client, _ = sign_in(app)
    client.post(edit_url(later), data=load_form(client, later) | {"comment": "Påbörjat"})

    start = client.get("/", follow_redirects=True)
    page = start.text
    assert start.request.path == "/answers/"
    assert '<a href="/answers/" aria-current="page">Våra remisser</a>' in page
    assert ">Start<" not in page
    assert page.index("Riktlinje för avhoppare") < page.index("Handlingsplan mot nyrekrytering")
    assert page.index("Handlingsplan mot nyrekrytering") < page.index("Äldre remiss")
    assert "Ej påbörjat" in page and "Utkast" in page
    deadline = (today + timedelta(5)).isoformat()
    assert re.search(rf'<td><span class="nowrap">{deadline}</span></td>\s*<td>5</td>', page)
    assert "Inget svar" in page  # the closed round, never answered
    assert "Ett utkast ingen ser" not in page and "Till någon annan" not in page


def test_the_start_page_takes_a_fixed_number_of_queries(app):
    """The page reads each round, answer and version with the list, not once per row."""

    def answered_round(**kwargs) -> None:
        round_id = create_open_round(app, **kwargs)
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            recipient = round_.recipient_for(make_organisation(CENTRUM).id)
            recipient.answer = Answer()
            recipient.answer.start_draft().position = Position.ASSENT
            recipient.answer.submit(by=None)
            db.session.commit()

    def queries_on_start_page(client) -> int:
        with app.app_context():
            engine = db.engine
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/answers/").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    def closed_round(title: str) -> None:
        with app.app_context():
            db.session.get(Round, create_open_round(app, title=title)).close()
            db.session.commit()

    answered_round(title="Första")
    closed_round("Stängd")
    client, _ = sign_in(app)
    few = queries_on_start_page(client)
    for number in range(4):
        answered_round(title=f"Remiss {number}")
        closed_round(f"Stängd {number}")
    assert queries_on_start_page(client) == few


def test_closed_rounds_are_listed_newest_first_a_page_at_a_time_and_open_ones_on_every_page(app):
    """Over the years a body gets hundreds of rounds: the start page lists the open ones and a
    page of the closed and archived ones (newest deadline first), counted in SQL."""
    today = date.today()
    app.config["PAGE_SIZE"] = 3
    create_open_round(app, title="Pågående remiss", deadline=today + timedelta(10))
    for number in range(7):
        deadline = today - timedelta(100 - number)
        round_id = create_open_round(app, title=f"Gammal remiss {number}", deadline=deadline)
        with app.app_context():
            db.session.get(Round, round_id).close()
            db.session.commit()
    client, _ = sign_in(app)

    first = client.get("/answers/").text
    assert "Pågående remiss" in first
    assert "Stängda och avslutade remisser (7 st, 1–3 visas)" in first
    shown = re.findall(r"Gammal remiss (\d)", first)
    assert shown == ["6", "5", "4"]  # newest deadline first
    assert "Sida 1 av 3" in first and 'href="/answers/?page=2#stangda-remisser"' in first

    last = client.get("/answers/?page=3").text
    assert "Pågående remiss" in last
    assert re.findall(r"Gammal remiss (\d)", last) == ["0"]
    assert "Stängda och avslutade remisser (7 st, 7–7 visas)" in last
    # A page past the end shows the last one; garbage shows the first.
    assert re.findall(r"Gammal remiss (\d)", client.get("/answers/?page=99").text) == ["0"]
    assert re.findall(r"Gammal remiss (\d)", client.get("/answers/?page=x").text) == ["6", "5", "4"]


def test_the_round_page_shows_description_documents_structure_and_our_extended_deadline(app):
    round_id = create_open_round(app, description="Förslaget gäller\nhela staden & <b>alla</b>.")
    with app.app_context():
        from remiss.documents import service
        from remiss.documents.models import DocumentKind

        round_ = db.session.get(Round, round_id)
        document = service.store(
            io.BytesIO(files.pdf()), "Remissförslag.pdf", kind=DocumentKind.DRAFT, allowed=(service.PDF,)
        )
        document.round_id = round_id
        db.session.add(document)
        recipient = round_.recipient_for(make_organisation(CENTRUM).id)
        recipient.grant_extension(round_.deadline + timedelta(days=14), "Nämnden sammanträder sent")
        extended = recipient.effective_deadline
        db.session.commit()
        document_id = document.id
    client, _ = sign_in(app)
    page = client.get(f"/answers/rounds/{round_id}").text
    assert "Förslaget gäller\nhela staden &amp; &lt;b&gt;alla&lt;/b&gt;." in page
    assert f'href="/documents/{document_id}">Remissförslag.pdf</a>' in page
    assert "Fokusområde 1: Ett samordnat arbete" in page and "Insats 1:2: Delta i insatser" in page
    assert format_date(extended) in page  # ISO in the facts list (one date format per context)
    assert "(anstånd; remissens sista svarsdag är" in page
    assert "Status: <strong>Ej påbörjat – anstånd till" in page
    assert "Börja svara" in page
    assert download(client, f"/documents/{document_id}").data == files.pdf()


# Saving the draft ---------------------------------------------------------------------------------
def test_saving_the_draft_keeps_every_position_and_comment(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, user_id = sign_in(app, name="Siv Sekreterare")
    form = load_form(client, round_id)
    assert form["version_token"] == "new"
    form |= {
        "position": "tillstyrker_delvis",
        "comment": "Vi tillstyrker i stort.",
        f"fa_{ids['1']}_position": "tillstyrker",
        f"m_{ids['1:2']}_position": "avstyrker",
        f"m_{ids['1:2']}_comment": "Insatsen saknar finansiering.",
        f"m_{ids['2:1']}_comment": "Bara en synpunkt.",
        "other_comments": "Tack för möjligheten.",
        "decided_by": "Socialnämnden Centrum",
        "decision_date": "2022-01-25",
        "decision_paragraph": "§ 14",
    }
    response = client.post(edit_url(round_id), data=form)
    assert response.status_code == 302 and response.headers["Location"] == edit_url(round_id)
    page = client.get(edit_url(round_id)).text
    assert "Utkastet är sparat" in page
    assert "av Siv Sekreterare" in page

    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.position is Position.PARTIAL_ASSENT
        assert draft.decision_text == "Socialnämnden Centrum 2022-01-25 § 14"
        assert draft.comment_on(focus_area_id=ids["1"]).position is MeasurePosition.ASSENT
        rejected = draft.comment_on(measure_id=ids["1:2"])
        assert (rejected.position, rejected.text) == (MeasurePosition.REJECT, "Insatsen saknar finansiering.")
        assert draft.comment_on(measure_id=ids["2:1"]).position is None
        assert draft.comment_on(measure_id=ids["1:1"]) is None
        assert draft.updated_by_id == user_id

    # What the page shows is what was saved: loading and saving again changes nothing.
    again = read_form(page, edit_url(round_id))
    assert again[f"m_{ids['1:2']}_comment"] == "Insatsen saknar finansiering."
    assert again["position"] == "tillstyrker_delvis"
    # Taking a position back: the blank choice.
    again[f"m_{ids['1:2']}_position"] = ""
    again[f"m_{ids['1:2']}_comment"] = ""
    assert client.post(edit_url(round_id), data=again).status_code == 302
    with app.app_context():
        assert the_draft(app, round_id).comment_on(measure_id=ids["1:2"]) is None


def test_a_colleague_of_the_same_organisation_continues_the_same_draft(app):
    round_id = create_open_round(app)
    first, _ = sign_in(app, name="Första Person")
    second, _ = sign_in(app, name="Andra Person")
    first.post(edit_url(round_id), data=load_form(first, round_id) | {"comment": "Påbörjat av första."})
    form = load_form(second, round_id)
    assert form["comment"] == "Påbörjat av första."
    second.post(edit_url(round_id), data=form | {"other_comments": "Fortsatt av andra."})
    with app.app_context():
        draft = the_draft(app, round_id)
        assert (draft.comment, draft.other_comments) == ("Påbörjat av första.", "Fortsatt av andra.")
        assert db.session.scalar(sa.select(sa.func.count(AnswerVersion.id))) == 1
    # The other organisation has its own, empty answer.
    other, _ = sign_in(app, organisation=NORDOST)
    assert load_form(other, round_id)["comment"] == ""


def test_invalid_input_gets_swedish_messages_and_nothing_is_saved(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    form = load_form(client, round_id) | {
        "comment": "Skrivet men ej sparat",
        "decision_date": "25 januari",
        "position": "kanske",
    }
    response = client.post(edit_url(round_id), data=form)
    assert response.status_code == 200
    assert "Formuläret innehåller fel" in response.text
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in response.text
    assert "Välj ett av ställningstagandena." in response.text
    assert "Skrivet men ej sparat" in response.text
    with app.app_context():
        assert the_draft(app, round_id) is None


# Text fidelity -------------------------------------------------------------------------------------
def test_text_is_kept_exactly_as_typed(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, _ = sign_in(app)
    typed = "\nInledande radbrytning.\r\nÅÄÖ åäö é ü – ”citat” & 'apostrof'\r\n\r\n   indraget\t tab  "
    html = "<script>alert('x')</script><b>fet</b>"
    form = load_form(client, round_id) | {"comment": typed, f"m_{ids['1:1']}_comment": html}
    assert client.post(edit_url(round_id), data=form).status_code == 302

    expected = typed.replace("\r\n", "\n")
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.comment == expected
        assert draft.comment_on(measure_id=ids["1:1"]).text == html

    page = client.get(edit_url(round_id)).text
    assert "<script>alert" not in page and "<b>fet</b>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;fet&lt;/b&gt;" in page
    assert read_form(page, edit_url(round_id))["comment"] == expected
    preview = client.get(f"/answers/rounds/{round_id}/preview").text
    assert "<script>alert" not in preview
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in preview
    assert "ÅÄÖ åäö é ü – ”citat” &amp; &#39;apostrof&#39;\n\n   indraget" in preview


def test_texts_of_20000_characters_are_kept_and_longer_ones_refused(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    # 20,000 characters as typed: a line break is one character even though the browser sends two.
    longest = "å" * 9_999 + "\r\n" + "ö" * 10_000
    form = load_form(client, round_id) | {"comment": longest, "other_comments": "x" * 20_000}
    assert client.post(edit_url(round_id), data=form).status_code == 302
    with app.app_context():
        draft = the_draft(app, round_id)
        assert len(draft.comment) == 20_000 and draft.comment == longest.replace("\r\n", "\n")
        assert len(draft.other_comments) == 20_000

    form = load_form(client, round_id) | {"comment": "ä" * 20_001}
    response = client.post(edit_url(round_id), data=form)
    assert response.status_code == 200
    assert "Texten får vara högst 20 000 tecken lång." in response.text
    assert "ä" * 20_001 in response.text  # what was typed stays in the form
    with app.app_context():
        assert the_draft(app, round_id).comment == longest.replace("\r\n", "\n")


# The decision file ---------------------------------------------------------------------------------
def test_the_signed_decision_is_attached_to_the_draft_and_can_be_removed(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    form = load_form(client, round_id) | {
        "comment": "Med beslut",
        "decision_file": (io.BytesIO(files.pdf()), "Protokollsutdrag § 14 Centrum.pdf"),
    }
    assert client.post(edit_url(round_id), data=form, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        (document,) = the_draft(app, round_id).documents
        document_id = document.id
        assert document.original_name == "Protokollsutdrag § 14 Centrum.pdf"
    page = client.get(edit_url(round_id)).text
    assert "Protokollsutdrag § 14 Centrum.pdf" in page
    assert download(client, f"/documents/{document_id}").data == files.pdf()

    # A second file (the statement, as ODT) is kept alongside.
    form = read_form(page, edit_url(round_id)) | {"decision_file": (io.BytesIO(files.odt()), "Yttrande.odt")}
    client.post(edit_url(round_id), data=form, content_type="multipart/form-data")
    with app.app_context():
        assert sorted(d.original_name for d in the_draft(app, round_id).documents) == [
            "Protokollsutdrag § 14 Centrum.pdf",
            "Yttrande.odt",
        ]

    response = client.post(f"/answers/rounds/{round_id}/documents/{document_id}/remove")
    assert response.status_code == 302
    assert "Filen Protokollsutdrag § 14 Centrum.pdf är borttagen" in client.get(edit_url(round_id)).text
    with app.app_context():
        assert [d.original_name for d in the_draft(app, round_id).documents] == ["Yttrande.odt"]


@pytest.mark.parametrize(
    "data, name, message",
    [
        (files.exe(), "beslut.pdf", "inte en fil av tillåten typ"),
        (files.xlsx(), "beslut.xlsx", "inte en fil av tillåten typ"),
        (files.pdf(), "beslut.docx", "har filändelsen .docx men innehållet är PDF"),
    ],
)
def test_a_refused_decision_file_saves_nothing(app, data, name, message):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    form = load_form(client, round_id) | {
        "comment": "Ska inte sparas",
        "decision_file": (io.BytesIO(data), name),
    }
    response = client.post(edit_url(round_id), data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.text
    assert "Ska inte sparas" in response.text
    with app.app_context():
        assert the_draft(app, round_id) is None


# Two people editing at once -------------------------------------------------------------------------
def test_the_second_save_merges_what_the_colleague_left_alone(app):
    """Anna and Bengt open the same draft; Anna saves 1:2 and the overall comment, Bengt then
    saves other comments: everything of both is kept (field-level merge; details in
    tests/test_answers_merge_routes.py)."""
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    anna, _ = sign_in(app, name="Anna Andersson")
    bengt, _ = sign_in(app, name="Bengt Berg")
    anna.post(
        edit_url(round_id), data=load_form(anna, round_id) | {"comment": "Grund", "position": "tillstyrker"}
    )
    anna_form = load_form(anna, round_id)
    bengt_form = load_form(bengt, round_id)
    anna_form |= {
        "comment": "Annas formulering",
        f"m_{ids['1:2']}_position": "avstyrker",
        f"m_{ids['1:2']}_comment": "Annas synpunkt på 1:2",
    }
    assert anna.post(edit_url(round_id), data=anna_form).status_code == 302
    response = bengt.post(edit_url(round_id), data=bengt_form | {"other_comments": "Bengts övriga"})
    assert response.status_code == 302
    page = bengt.get(edit_url(round_id)).text
    assert "Anna Andersson sparade ändringar i 1:2 och övergripande synpunkter" in page
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.comment == "Annas formulering" and draft.other_comments == "Bengts övriga"
        assert draft.comment_on(measure_id=ids["1:2"]).text == "Annas synpunkt på 1:2"


def test_a_draft_started_by_someone_else_meanwhile_is_merged_too(app):
    round_id = create_open_round(app)
    anna, _ = sign_in(app, name="Anna Andersson")
    bengt, _ = sign_in(app, name="Bengt Berg")
    anna_form = load_form(anna, round_id)
    bengt_form = load_form(bengt, round_id)
    assert anna.post(edit_url(round_id), data=anna_form | {"comment": "Anna först"}).status_code == 302
    response = bengt.post(edit_url(round_id), data=bengt_form | {"comment": "Bengt sen"})
    assert response.status_code == 409  # the same field: a conflict, Anna's text kept
    assert (
        "Anna Andersson" in response.text and "Anna först" in response.text and "Bengt sen" in response.text
    )
    with app.app_context():
        assert the_draft(app, round_id).comment == "Anna först"


def test_respondents_are_told_who_saved_by_name(app):
    round_id = create_open_round(app)
    client, user_id = sign_in(app, name="Åsa Öberg")
    client.post(edit_url(round_id), data=load_form(client, round_id) | {"comment": "x"})
    assert f"av {user_name(app, user_id)}" in client.get(f"/answers/rounds/{round_id}").text


def test_officers_cannot_use_the_respondents_form(app):
    round_id = create_open_round(app)
    officer, _ = sign_in(app, Role.OFFICER)
    assert officer.get(edit_url(round_id)).status_code == 403
