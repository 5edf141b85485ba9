"""The lists of rounds read an index in their order instead of sorting every round (issue 18
§1): the public register newest sent first, the officers' rounds list by deadline; and their
searches find a word inside a title through trigram indexes on PostgreSQL. The page's
own statement, with its parameters, is captured as the page runs and explained by the
database. On PostgreSQL sorting is switched off for the explanation, since on a test's few rows
a sort is cheaper and would be chosen anyway: what is checked is that the index exists and
serves the order, which is what keeps a page's cost flat at 10,000 rounds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from tests.factories import make_round, make_user, send
from tests.test_scale_pages import count_queries


@pytest.fixture
def rounds(app):
    with app.app_context():
        officer = make_user(Role.OFFICER, email="ansvarig@example.se")
        for i in range(6):
            sent = date.today() - timedelta(days=40 + i)
            round_ = make_round(
                officer=officer,
                recipients=["Socialnämnden Centrum"],
                title=f"Plan {i}",
                dnr=f"{100 + i}/26",
                sent_on=sent,
                deadline=sent + timedelta(days=30 + i),
            )
            send(round_)
        db.session.commit()


def statements_of(app, client, url: str) -> list[tuple[str, object]]:
    """Every statement the page ``url`` ran, with its parameters."""
    with count_queries(app, with_parameters=True) as seen:
        assert client.get(url).status_code == 200
    return seen


def plan(app, statement: str, parameters, switch_off=("enable_sort",)) -> str:
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            for setting in switch_off:
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        else:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        db.session.rollback()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def page_statement(app, client, url: str, marker: str) -> tuple[str, object]:
    """The statement of ``url`` that reads its page (has ``marker`` and a ``LIMIT``)."""
    [found] = [(s, p) for s, p in statements_of(app, client, url) if marker in s and "LIMIT" in s]
    return found


@pytest.mark.parametrize(
    ("who", "url", "order", "index"),
    [
        (None, "/register/", "ORDER BY round.sent_on DESC, round.id DESC", "ix_round_sent_on_id"),
        (Role.OFFICER, "/rounds/", "ORDER BY round.deadline, round.id", "ix_round_deadline_id"),
        (Role.OFFICER, "/rounds/?status=open", "ORDER BY round.deadline, round.id", "ix_round_deadline_id"),
    ],
)
def test_a_list_of_rounds_reads_its_order_from_an_index(
    app, client, login_as, rounds, who, url, order, index
):
    if who is not None:
        login_as(who)
    explained = plan(app, *page_statement(app, client, url, order))
    assert index in explained, explained
    assert "Sort" not in explained and "TEMP B-TREE FOR ORDER BY" not in explained, explained


@pytest.mark.parametrize(
    ("who", "url", "indexes"),
    [
        (
            None,
            "/register/?q=plan",
            ["ix_round_title_trigram", "ix_round_dnr_trigram"],
        ),
        (Role.OFFICER, "/rounds/?q=plan", ["ix_round_title_trigram", "ix_round_dnr_trigram"]),
    ],
)
def test_a_search_finds_words_inside_titles_through_trigram_indexes_on_postgresql(
    app, client, login_as, rounds, who, url, indexes
):
    """``lower(title) LIKE '%word%'`` is served by the trigram indexes (core.sql): with
    sequential scans switched off, the page's own statement reads every one of them, so each
    index exists and matches the expression the search writes."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's lower() is the app's Python function: no index serves it")
    if who is not None:
        login_as(who)
    statement, parameters = page_statement(app, client, url, "lower(round.title)")
    explained = plan(app, statement, parameters, switch_off=("enable_seqscan",))
    for index in indexes:
        assert index in explained, (index, explained)


TRIGRAM_INDEXES = {
    "ix_round_title_trigram": "round USING gin (lower((title)::text) gin_trgm_ops)",
    "ix_round_dnr_trigram": "round USING gin (lower((dnr)::text) gin_trgm_ops)",
    "ix_organisation_name_trigram": "organisation USING gin (lower((name)::text) gin_trgm_ops)",
    "ix_organisation_short_name_trigram": "organisation USING gin (lower((short_name)::text) gin_trgm_ops)",
}


def trigram_index_definitions() -> dict[str, str]:
    """The trigram indexes as PostgreSQL describes them (``CREATE INDEX … ON public.…``)."""
    rows = db.session.execute(
        sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%\\_trigram'")
    )
    return {name: definition.split(" ON public.", 1)[1] for name, definition in rows}


def test_the_trigram_indexes_are_gin_indexes_of_trigrams_on_postgresql(app):
    """What the plans cannot show and Alembic does not compare (the access method and the
    operator class): each index as the database made it from the models."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        assert trigram_index_definitions() == TRIGRAM_INDEXES
