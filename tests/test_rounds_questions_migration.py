"""Migration 0007 turns questions numbered under a focus area (``Fråga 1:1``) into questions:
the focus area becomes a section, the questions are numbered 1, 2, 3 … in the round, answers stay
with them. Runs on whichever database the tests use (SQLite, or PostgreSQL through
REMISS_TEST_DATABASE_URL)."""

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from remiss.extensions import db
from tests.conftest import empty_schema


def _before() -> str:
    """Whatever revision 0007 follows."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision("0007").down_revision


def _insert_old_round(connection) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO round (id, title, dnr, description, decision, sent_on, deadline, status, "
            "reminder_days, assessment, assessment_changes, is_public, created_at, updated_at) VALUES "
            "(1, 'Riktlinje', '1370/21', '', '', '2022-12-14', '2023-02-14', 'draft', '14,3', '', '', "
            "false, '2022-12-14 08:00:00', '2022-12-14 08:00:00')"
        )
    )
    areas = [
        (1, "1", "Förutsättningar", 1),
        (2, "2", "Samordning", 2),  # a focus area with measures and a question
        (3, "3", "Förhållandet till policyn", 3),
    ]
    for area_id, number, title, position in areas:
        connection.execute(
            sa.text(
                "INSERT INTO focus_area (id, round_id, number, title, position, assessment) "
                "VALUES (:id, 1, :number, :title, :position, '')"
            ),
            {"id": area_id, "number": number, "title": title, "position": position},
        )
    rows = [
        (1, 1, "1:1", "Ekonomiska förutsättningar", "question", 1),
        (2, 1, "1:2", "Kompetensmässiga förutsättningar", "question", 2),
        (3, 2, "2:1", "Stärka samordningen", "measure", 1),
        (4, 2, "2:2", "Hur ser ni på samordningen?", "question", 2),
        (5, 3, "3:1", "Intentioner som behöver stärkas", "question", 1),
    ]
    for row_id, area_id, number, title, kind, position in rows:
        connection.execute(
            sa.text(
                "INSERT INTO measure (id, focus_area_id, number, title, kind, position, assessment) "
                "VALUES (:id, :area, :number, :title, :kind, :position, '')"
            ),
            {
                "id": row_id,
                "area": area_id,
                "number": number,
                "title": title,
                "kind": kind,
                "position": position,
            },
        )
    if connection.dialect.name == "postgresql":  # rows given ids by hand: move the sequences on
        for table in ("round", "focus_area", "measure"):
            connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"))


def _structure(connection):
    areas = connection.execute(
        sa.text("SELECT id, kind, number, title FROM focus_area WHERE round_id = 1 ORDER BY position")
    ).all()
    return [
        (
            kind,
            number,
            title,
            [
                tuple(row)
                for row in connection.execute(
                    sa.text(
                        "SELECT id, number, kind FROM measure WHERE focus_area_id = :a ORDER BY position"
                    ),
                    {"a": area_id},
                )
            ],
        )
        for area_id, kind, number, title in areas
    ]


def test_questions_under_focus_areas_become_questions_and_back(app):
    with app.app_context():
        before = _before()
        empty_schema()
        upgrade(revision=before)
        with db.engine.begin() as connection:
            _insert_old_round(connection)
        upgrade(revision="0007")
        with db.engine.connect() as connection:
            assert _structure(connection) == [
                ("section", "1", "Förutsättningar", [(1, "1", "question"), (2, "2", "question")]),
                ("focus_area", "2", "Samordning", [(3, "2:1", "measure")]),
                ("section", "4", "Samordning", [(4, "3", "question")]),
                ("section", "3", "Förhållandet till policyn", [(5, "4", "question")]),
            ]
        downgrade(revision=before)
        with db.engine.connect() as connection:
            structure = connection.execute(
                sa.text("SELECT number, title FROM focus_area WHERE round_id = 1 ORDER BY position")
            ).all()
            assert [tuple(r) for r in structure] == [
                ("1", "Förutsättningar"),
                ("2", "Samordning"),
                ("4", "Samordning"),
                ("3", "Förhållandet till policyn"),
            ]
            numbers = connection.execute(sa.text("SELECT id, number FROM measure ORDER BY id")).all()
            assert [tuple(r) for r in numbers] == [(1, "1:1"), (2, "1:2"), (3, "2:1"), (4, "4:1"), (5, "3:1")]
        upgrade()
