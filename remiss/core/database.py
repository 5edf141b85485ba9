"""Database connection settings: SQLite gets foreign keys, WAL and a busy timeout."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from remiss.core.sql import TRIGRAM_EXTENSION
from remiss.extensions import db

# The search indexes need the trigram extension before the tables are made (``create_all``; the
# migrations create it themselves).
sa.event.listen(db.metadata, "before_create", TRIGRAM_EXTENSION.execute_if(dialect="postgresql"))


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLite's own lower() folds only ASCII; searches must find "Åtgärd" by "åtgärd" too.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not getattr(engine, "_remiss_pragmas", False):
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            engine._remiss_pragmas = True
