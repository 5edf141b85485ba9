"""The outbox: recording a composed message once, under its dedup key, in the caller's
transaction. Operations call ``queue`` right where the message is caused (an invitation when a
round is sent, a receipt when an answer is submitted); the e-mail job delivers it later."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from remiss.core.text import one_line
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.notifications.messages import Composed
from remiss.notifications.models import Message, MessageStatus


def _values(composed: Composed, now: datetime) -> dict:
    return {
        "kind": composed.kind,
        "dedup_key": composed.dedup_key,
        "round_id": composed.round_id,
        "recipient_id": composed.recipient_id,
        # Header text is one line from the start (a title with a line break in it, U+2028 …);
        # delivery normalises again, for rows written before.
        "to_address": one_line(composed.to)[:254],
        "cc_address": one_line(composed.cc)[:254] or None,
        "subject": one_line(composed.subject)[:300],
        "body_text": composed.text,
        "body_html": composed.html,
        "ics": composed.ics,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "created_at": now,
    }


def queue(composed: Composed, now: datetime | None = None) -> int | None:
    """Record ``composed`` in the outbox unless a message with its dedup key exists; return the
    new row's id, or None when it was already there. Runs in the caller's transaction and is
    safe when another transaction records the same key at the same moment: the database's
    UNIQUE index decides (``ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite, a SAVEPOINT
    elsewhere)."""
    values = _values(composed, now or utcnow())
    table = Message.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[table.c.dedup_key])
            .returning(table.c.id)
        )
        return db.session.execute(statement).scalar_one_or_none()
    try:  # pragma: no cover - other databases
        with db.session.begin_nested():
            return db.session.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()
    except IntegrityError:  # pragma: no cover
        return None
