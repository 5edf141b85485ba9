"""The list of rounds, the officer's start page, where each role lands, and JSON import."""

import io
import json
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, Position
from remiss.auth.models import Role
from remiss.demo import ORGANISATIONS_CSV, ROUND_FILES
from remiss.extensions import db
from remiss.organisations.service import import_organisations
from remiss.rounds.models import Round, RoundStatus
from tests.factories import make_round, make_user, send

TODAY = date.today()


@contextmanager
def count_queries(app):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def answer(recipient, received_on=None, read=False):
    recipient.answer = Answer()
    draft = recipient.answer.start_draft()
    draft.position = Position.ASSENT
    recipient.answer.submit(by=None, received_on=received_on or TODAY)
    if not read:
        recipient.answer.read_at = None


@pytest.fixture
def rounds(app):
    """Three rounds of two officers: an open one with answers, a closed one and a draft."""
    with app.app_context():
        hanna = make_user(Role.OFFICER, name="Hanna Handläggare", email="hanna@example.se")
        olle = make_user(Role.OFFICER, name="Olle Officer", email="olle@example.se")
        gang = make_round(
            officer=hanna,
            title="Handlingsplan mot nyrekrytering",
            dnr="1668/20",
            sent_on=date(2021, 11, 1),
            deadline=TODAY + timedelta(days=20),
            recipients=["Socialnämnden Centrum", "Socialnämnden Hisingen", "Kriminalvården"],
        )
        send(gang)
        answer(gang.recipients[0])
        guideline = make_round(
            officer=olle,
            title="Riktlinje för ÅTGÄRDER mot avhopp",
            dnr="1370/21",
            sent_on=date(2022, 12, 20),
            deadline=TODAY + timedelta(days=5),
            recipients=["Socialnämnden Centrum"],
        )
        send(guideline)
        guideline.close()
        make_round(
            officer=hanna,
            title="Utkast till policy",
            dnr="12/23",
            sent_on=date(2023, 2, 1),
            deadline=TODAY + timedelta(days=40),
        )
        db.session.commit()
    return {"hanna": "hanna@example.se", "olle": "olle@example.se"}


def sign_in(client, email):
    from tests.factories import PASSWORD

    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302


def titles(page):
    return [
        t
        for t in (
            "Handlingsplan mot nyrekrytering",
            "Riktlinje för ÅTGÄRDER mot avhopp",
            "Utkast till policy",
        )
        if t in page
    ]


def test_list_filters_search_and_sort(app, client, rounds, login_as):
    login_as(Role.MANAGER)
    page = client.get("/rounds/").text
    assert titles(page) == [
        "Handlingsplan mot nyrekrytering",
        "Riktlinje för ÅTGÄRDER mot avhopp",
        "Utkast till policy",
    ]
    # Sorted by deadline: nearest first, or latest first.
    assert (
        page.index("Riktlinje för ÅTGÄRDER")
        < page.index("Handlingsplan mot")
        < page.index("Utkast till policy")
    )
    page = client.get("/rounds/?sort=-deadline").text
    assert (
        page.index("Utkast till policy")
        < page.index("Handlingsplan mot")
        < page.index("Riktlinje för ÅTGÄRDER")
    )
    assert "1 / 3" in client.get("/rounds/").text

    assert titles(client.get("/rounds/?status=open").text) == ["Handlingsplan mot nyrekrytering"]
    assert titles(client.get("/rounds/?status=closed").text) == ["Riktlinje för ÅTGÄRDER mot avhopp"]
    assert titles(client.get("/rounds/?year=2021").text) == ["Handlingsplan mot nyrekrytering"]
    with app.app_context():
        olle_id = db.session.scalar(sa.select(Round.officer_id).where(Round.dnr == "1370/21"))
    assert titles(client.get(f"/rounds/?officer={olle_id}").text) == ["Riktlinje för ÅTGÄRDER mot avhopp"]
    # Search by case number or title, in any case, Swedish letters included.
    assert titles(client.get("/rounds/?q=1668/20").text) == ["Handlingsplan mot nyrekrytering"]
    assert titles(client.get("/rounds/?q=åtgärder").text) == ["Riktlinje för ÅTGÄRDER mot avhopp"]
    assert titles(client.get("/rounds/?q=NYREKRYTERING").text) == ["Handlingsplan mot nyrekrytering"]
    assert titles(client.get("/rounds/?q=100%25").text) == []
    assert "Inga remisser matchar." in client.get("/rounds/?q=finns+inte").text
    # A bad filter value is ignored, not an error.
    assert client.get("/rounds/?status=bogus&year=abc").status_code == 200


def test_list_counts_take_a_fixed_number_of_queries(app, client, rounds, login_as):
    login_as(Role.MANAGER)
    with count_queries(app) as few:
        client.get("/rounds/")
    with app.app_context():
        for i in range(5):
            round_ = make_round(dnr=f"{i}/24", recipients=["Socialnämnden Centrum", "Kriminalvården"])
            send(round_)
            answer(round_.recipients[0])
        db.session.commit()
    with count_queries(app) as many:
        page = client.get("/rounds/").text
    assert page.count("1 / 2") == 5
    assert len(many) == len(few)


def test_officer_start_page_shows_own_open_rounds_and_what_needs_attention(app, client, rounds):
    with app.app_context():
        hanna = db.session.scalar(sa.select(Round).where(Round.dnr == "1668/20")).officer
        late = make_round(
            officer=hanna,
            title="Försenad remiss",
            dnr="77/21",
            sent_on=TODAY - timedelta(days=60),
            deadline=TODAY - timedelta(days=3),
            recipients=["Polismyndigheten", "Socialnämnden Centrum"],
        )
        send(late)
        answer(late.recipients[1], received_on=TODAY - timedelta(days=1))
        db.session.commit()
        late_id = late.id
    sign_in(client, rounds["hanna"])
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/rounds/start"
    page = client.get("/rounds/start").text
    own = page.split("Mina öppna remisser", 1)[1]
    assert own.index("Försenad remiss") < own.index("Handlingsplan mot nyrekrytering")
    assert "Riktlinje för ÅTGÄRDER" not in page  # Olle's
    assert "Utkast till policy" in page  # among her drafts
    assert "Remissinstanser som inte svarat i tid (1)" in page and "Polismyndigheten" in page
    assert "3 dagar sedan" in page
    assert "Svar som inte är lästa (2)" in page

    with app.app_context():
        recipient_id = db.session.scalar(sa.select(Round).where(Round.id == late_id)).recipients[1].id
    response = client.post(f"/rounds/{late_id}/recipients/{recipient_id}/read", data={"back": "start"})
    assert response.headers["Location"] == "/rounds/start"
    page = client.get("/rounds/start").text
    assert "Svar som inte är lästa (1)" in page


def test_each_role_lands_where_its_work_is(client, login_as):
    login_as(Role.MANAGER)
    response = client.get("/")
    assert response.headers["Location"] == "/rounds/"
    assert client.get("/rounds/start").status_code == 403


def test_json_import_in_the_ui_twice_gives_two_rounds_with_the_same_dnr(app, client, login_as):
    with app.app_context():
        import_organisations(ORGANISATIONS_CSV.read_text(encoding="utf-8"))
        db.session.commit()
    login_as(Role.OFFICER)
    demo = next(f for f in ROUND_FILES if f.name == "handlingsplan-nyrekrytering.json")
    for _ in range(2):
        response = client.post(
            "/rounds/import",
            data={"file": (io.BytesIO(demo.read_bytes()), demo.name)},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert "Remissen 1668/20 är importerad." in response.text
    with app.app_context():
        imported = db.session.scalars(sa.select(Round)).all()
        assert [r.dnr for r in imported] == ["1668/20", "1668/20"]
        assert all(r.status is RoundStatus.CLOSED and len(r.recipients) == 16 for r in imported)
    assert "15 / 16" in client.get("/rounds/").text


def test_a_bad_json_file_names_its_problems_and_imports_nothing(app, client, login_as):
    login_as(Role.OFFICER)
    bad = {
        "title": "Trasig",
        "dnr": "1668-20",
        "sent_on": "2022-01-01",
        "deadline": "2021-12-01",
        "focus_areas": [],
    }
    page = client.post(
        "/rounds/import",
        data={"file": (io.BytesIO(json.dumps(bad).encode()), "trasig.json")},
        content_type="multipart/form-data",
    ).text
    assert "Filen kunde inte importeras" in page
    assert "dnr: ”1668-20” är inte ett diarienummer i formen 1668/20." in page
    assert "deadline: sista svarsdag måste vara efter utskicksdagen." in page
    assert "focus_areas: saknas eller är tom." in page
    page = client.post(
        "/rounds/import",
        data={"file": (io.BytesIO(b"{not json"), "trasig.json")},
        content_type="multipart/form-data",
    ).text
    assert "Filen är inte giltig JSON" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0
