"""Pages bounded by what they show (issue 18): every list page makes as many queries on a
large database as on a small one, and shows no more than a page of rows.

Two databases are built: a small one (8 rounds, 3 bodies) and a large one (60 rounds, 40
bodies, a round with 12 focus areas, 80 audit events and 70 messages). The page size is set to 5
(``PAGE_SIZE``) so that both fill a page and the responses can be compared in size."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, Position
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.rounds import reminders
from tests.factories import PASSWORD, make_organisation, make_round, make_user, send

TODAY = date.today()
PAGE = 5

SMALL = {"rounds": 8, "bodies": 3, "areas": 2, "events": 8, "messages": 8}
LARGE = {"rounds": 60, "bodies": 40, "areas": 12, "events": 80, "messages": 70}


@contextmanager
def count_queries(app, with_parameters: bool = False):
    """The statements run inside the block (each with its parameters when ``with_parameters``)."""
    statements: list = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters) if with_parameters else statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@contextmanager
def count_loaded():
    """How many rows of each model the ORM turned into objects (a query can be one and still
    load every body of a round)."""
    loaded: Counter[str] = Counter()

    def load(target, context):
        loaded[type(target).__name__] += 1

    sa.event.listen(sa.orm.Mapper, "load", load)
    try:
        yield loaded
    finally:
        sa.event.remove(sa.orm.Mapper, "load", load)


def _answer(recipient, read: bool = False) -> None:
    recipient.answer = Answer()
    draft = recipient.answer.start_draft()
    draft.position = Position.ASSENT
    recipient.answer.submit(by=None, received_on=TODAY)
    if not read:
        recipient.answer.read_at = None


def build(app, size: dict) -> dict:
    """A database of ``size``; returns the ids the pages need."""
    with app.app_context():
        officer = make_user(Role.OFFICER, email="officer@example.se", name="Olle Officer")
        make_user(Role.MANAGER, email="manager@example.se", name="Maja Manager")
        bodies = [make_organisation(f"Nämnd {i:03d} Ålderdom") for i in range(size["bodies"])]
        for i in range(size["rounds"]):
            late = i % 2 == 0
            round_ = make_round(
                officer,
                title=f"Förslag {i:03d} om äldreomsorg",
                dnr=f"{i:04d}/26",
                sent_on=TODAY - timedelta(days=40),
                deadline=TODAY - timedelta(days=3) if late else TODAY + timedelta(days=20),
                recipients=[bodies[(i + k) % len(bodies)] for k in range(min(3, len(bodies)))],
            )
            send(round_)
            for recipient in round_.recipients:
                recipient.invited_at = utcnow()
            _answer(round_.recipients[0])
            if i % 3 == 0:
                round_.assessment_final_at = utcnow()
        structure = {f"Område {a}": [f"Insats {a}.{m}" for m in range(3)] for a in range(size["areas"])}
        big = make_round(
            officer,
            title="Den stora remissen",
            dnr="9999/26",
            structure=structure,
            recipients=bodies,
            deadline=TODAY + timedelta(days=20),
        )
        send(big)
        for recipient in big.recipients:
            recipient.invited_at = utcnow()
        for recipient in big.recipients[: len(big.recipients) // 2]:
            _answer(recipient)
        for _ in range(size["events"]):
            db.session.add(AuditEvent(action="round.made_public", object_type="Round", round_id=big.id))
        for n in range(size["messages"]):
            db.session.add(
                Message(
                    kind=MessageKind.REMINDER,
                    round_id=big.id,
                    recipient_id=big.recipients[n % len(big.recipients)].id,
                    to_address="a@example.se",
                    subject=f"Påminnelse {n}",
                    body_text="Hej",
                    status=MessageStatus.SENT,
                )
            )
        # A body of the big round that has not answered yet, working on its draft.
        drafting = big.recipients[-1]
        make_user(Role.RESPONDENT, organisation=drafting.organisation, email="respondent@example.se")
        drafting.answer = Answer()
        drafting.answer.start_draft().position = Position.ASSENT
        db.session.commit()
        return {"big": big.id}


def pages(ids: dict) -> dict[str, list[str]]:
    big = ids["big"]
    return {
        "officer": [
            "/rounds/",
            "/rounds/?q=%C3%84LDREOMSORG",
            "/rounds/?status=open&sort=-deadline",
            "/rounds/?page=2",
            "/rounds/start",
            f"/rounds/{big}",
            f"/rounds/{big}?historik=2",
            f"/rounds/{big}/messages",
            f"/rounds/{big}/messages?page=2",
        ],
        "manager": ["/rounds/", f"/rounds/{big}", f"/rounds/{big}/messages"],
        "respondent": ["/answers/", f"/answers/rounds/{big}/edit", f"/answers/rounds/{big}/preview"],
        "anonymous": [
            "/register/",
            "/register/?q=%C3%A5lderdom",
            "/register/?q=f%C3%B6rslag+%C3%A4ldreomsorg&status=open",
            "/register/?page=2",
            "/register/feed.atom",
            f"/register/{big}",
            f"/register/{big}?page=2",
        ],
    }


def measure(app, size: dict) -> dict[str, tuple[int, int, int, Counter]]:
    """(queries, bytes, table rows, objects loaded per model) of every page on a database of
    ``size``."""
    app.config["PAGE_SIZE"] = PAGE
    ids = build(app, size)
    results = {}
    for who, urls in pages(ids).items():
        client = app.test_client()
        if who != "anonymous":
            response = client.post(
                "/auth/login",
                data={"email": f"{who}@example.se", "password": PASSWORD, "csrf_token": ""},
            )
            assert response.status_code == 302
        for url in urls:
            client.get(url)  # warm: the first request of a client compiles its queries
            with count_queries(app) as statements, count_loaded() as loaded:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            body = response.get_data()
            rows = len(re.findall(rb"<tr>|<entry>", body))
            key = f"{who} {url}".replace(f"/{ids['big']}", "/BIG")
            results[key] = (len(statements), len(body), rows, loaded)
    return results


def measure_on_a_fresh_database(app, tmp_path, measure, size):
    """``measure(other_app, size)`` on an app like ``app`` with a database of its own (emptied
    first: on PostgreSQL the same one, once ``app`` has let go of it), for comparing a small and
    a large database in one test."""
    from remiss import create_app
    from tests.conftest import TEST_DATABASE_URL, empty_schema

    other = create_app(
        {
            **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "PASSWORD_HASH_PROFILE", "BASE_URL")},
            "SERVER_NAME": "localhost",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'large.sqlite'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads-large"),
        }
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with other.app_context():
        empty_schema()
        db.create_all()
    try:
        return measure(other, size)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def small(app):
    return measure(app, SMALL)


def test_every_list_page_makes_the_same_number_of_queries_on_a_large_database(app, small, tmp_path):
    large = measure_on_a_fresh_database(app, tmp_path, measure, LARGE)
    assert small.keys() == large.keys()
    for page in small:
        queries_small, bytes_small, rows_small, loaded_small = small[page]
        queries_large, bytes_large, rows_large, loaded_large = large[page]
        assert queries_large == queries_small, (page, small[page], large[page])
        if page.startswith("respondent /answers/rounds/BIG"):
            # A body's answer pages show its own answer and the round's structure: none loads
            # the other bodies of the round (40 in the large database, 3 in the small one).
            for model in ("Recipient", "Organisation", "Answer", "AnswerVersion"):
                assert loaded_large[model] == loaded_small[model], (page, model, loaded_small, loaded_large)
        if page.split()[1].startswith("/rounds/BIG") and "messages" not in page:
            # The round page's table of bodies is paged: a page of them, whatever the round has.
            for model in ("Recipient", "Organisation", "Answer", "AnswerVersion"):
                assert loaded_large[model] <= PAGE, (page, model, loaded_small, loaded_large)
        if ("/rounds/BIG" in page and "messages" not in page) or "/register/BIG" in page:
            # A round's page shows its whole structure (what it shows); its bodies, audit trail,
            # e-mail log and public answers are paged.
            continue
        assert rows_large <= rows_small + 2 * PAGE, (page, small[page], large[page])
        assert bytes_large <= bytes_small * 1.25 + 2000, (page, small[page], large[page])


def test_the_round_page_shows_the_newest_trail_events_and_offers_older(app, client, login_as):
    ids = build(app, {"rounds": 1, "bodies": 2, "areas": 1, "events": 60, "messages": 0})
    login_as(Role.OFFICER)
    body = client.get(f"/rounds/{ids['big']}").text
    trail = body[body.index('id="historik"') :]
    assert trail.count("lade ut remissen i det offentliga") == 50
    assert "Visa äldre" in trail
    older = client.get(f"/rounds/{ids['big']}?historik=2").text
    older_trail = older[older.index('id="historik"') :]
    assert "Visa nyare" in older_trail and "Visa äldre" not in older_trail
    assert older_trail.count("<tr><td") >= 10  # the time cell may carry a class (nowrap)


def test_register_search_folds_swedish_letters_in_sql(app, client):
    build(app, {"rounds": 3, "bodies": 2, "areas": 1, "events": 0, "messages": 0})
    body = client.get("/register/?q=%C3%84LDREOMSORG").text  # ÄLDREOMSORG
    assert "Förslag 000 om äldreomsorg" in body
    assert "3 remisser" in body
    body = client.get("/register/?q=n%C3%A4mnd+001").text  # an invited body's name
    assert "Förslag 000" in body and "Förslag 001" in body and "Förslag 002" in body
    body = client.get("/register/?q=finns+inte").text
    assert "0 remisser" in body


def test_the_e_mail_job_makes_the_same_number_of_queries_however_many_answers(app):
    def second_run(size):
        build(app, size)
        with app.app_context():
            reminders.queue_due_messages(utcnow())
            with count_queries(app) as statements:
                assert reminders.queue_due_messages(utcnow()) == 0
        return len(statements)

    first = second_run({"rounds": 3, "bodies": 3, "areas": 1, "events": 0, "messages": 0})
    with app.app_context():
        db.session.remove()
        from tests.conftest import empty_schema

        empty_schema()
        db.create_all()
    second = second_run({"rounds": 30, "bodies": 20, "areas": 1, "events": 0, "messages": 0})
    assert first == second
