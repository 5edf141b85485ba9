"""``flask --app app backup FILE``: a consistent copy of the SQLite database while the app writes,
and on PostgreSQL a clear pointer to pg_dump. These tests use their own SQLite file whatever
database the rest of the suite runs on."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from remiss import create_app
from remiss.audit.models import AuditEvent
from remiss.core.time import utcnow
from remiss.extensions import db

EVENTS = AuditEvent.__table__


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'remiss.sqlite'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        db.create_all()
        # Enough rows that copying takes a while: 40 000 events in pairs.
        now = utcnow()
        rows = [
            {"at": now, "action": "seed", "object_type": "", "summary": f"seed {i // 2}", "details": {}}
            for i in range(40_000)
        ]
        db.session.execute(sa.insert(EVENTS), rows)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


class Writer(threading.Thread):
    """The app at work: commits audit events two at a time, each pair in one transaction."""

    def __init__(self, app):
        super().__init__(name="writer", daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.pairs = 0

    def run(self):
        with self.app.app_context():
            while not self.stop.is_set():
                summary = f"pair {self.pairs}"
                row = {
                    "at": utcnow(),
                    "action": "write",
                    "object_type": "",
                    "summary": summary,
                    "details": {},
                }
                with db.engine.begin() as connection:
                    connection.execute(sa.insert(EVENTS), [row, dict(row)])
                self.pairs += 1
            db.session.remove()


def count_events(app) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(EVENTS))


def test_backup_while_the_app_writes(sqlite_app, tmp_path):
    writer = Writer(sqlite_app)
    writer.start()
    try:
        while writer.pairs < 20:  # the writer is well under way
            time.sleep(0.01)
        before = count_events(sqlite_app)
        target = tmp_path / "kopia.sqlite"
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
        after = count_events(sqlite_app)
        pairs_during = writer.pairs
        time.sleep(0.2)
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert "Säkerhetskopian är sparad i" in result.output
    assert "Integritetskontrollen gav ok" in result.output
    assert "Kopiera också mappen med uppladdade filer" in result.output
    assert writer.pairs > pairs_during  # the app went on writing after the backup

    with contextlib.closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        copied = copy.execute("SELECT count(*) FROM audit_event").fetchone()[0]
        summaries = Counter(row[0] for row in copy.execute("SELECT summary FROM audit_event"))
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # Everything committed before the backup began is in the copy, nothing after it ended, and
    # no transaction is torn in half: every pair is whole.
    assert before <= copied <= after
    assert set(summaries.values()) == {2}
    assert {"audit_event", "round", "user_account", "answer_version"} <= tables
    assert not list(tmp_path.glob(".*.part"))


def test_an_existing_file_is_not_overwritten(sqlite_app, tmp_path):
    target = tmp_path / "kopia.sqlite"
    target.write_text("viktig fil")
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "finns redan. Välj ett nytt filnamn." in result.output
    assert target.read_text() == "viktig fil"


def test_the_database_itself_is_not_a_target(sqlite_app, tmp_path):
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "remiss.sqlite")])
    assert result.exit_code == 1
    assert "finns redan" in result.output


def test_postgresql_points_to_pg_dump(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://remiss:hemligt@db.example:5432/remiss",
        }
    )
    target = tmp_path / "kopia.dump"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "Databasen är PostgreSQL" in result.output
    assert "pg_dump --format=custom" in result.output
    assert "postgresql://remiss@db.example:5432/remiss" in result.output
    assert "hemligt" not in result.output
    assert not target.exists()
