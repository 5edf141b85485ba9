"""Sent once, whatever happens: the command twice, two runs at the same moment in two threads
and in two processes, two transactions recording the same message. The suite runs on SQLite
(a file) and on PostgreSQL, so each of these runs on both."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications import messages
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.notifications.outbox import queue
from remiss.rounds.models import Recipient
from tests.mail import at, smtp_fixture  # noqa: F401
from tests.servers import flask_command
from tests.test_notifications_flow import DEADLINE, OPENED, open_round

MANY = [
    "Socialnämnden Centrum",
    "Socialnämnden Nordost",
    "Socialnämnden Sydväst",
    "Socialnämnden Hisingen",
    "Kriminalvården",
    "Polismyndigheten",
    "Utbildningsnämnden",
    "Förskolenämnden",
]


def message_ids(received) -> Counter:
    return Counter(r.message["Message-ID"] for r in received)


def count_messages(**filters) -> int:
    query = sa.select(sa.func.count(Message.id))
    for name, value in filters.items():
        query = query.where(getattr(Message, name) == value)
    return db.session.scalar(query)


def test_send_due_messages_twice_through_the_command_sends_nothing_twice(app, runner, smtp):
    open_round(app, recipients=MANY[:3])
    first = runner.invoke(args=["send-due-messages", "--now", "2031-02-03T08:00"])
    assert first.exit_code == 0, first.output
    assert "skickade" in first.output
    sent = len(smtp.received)
    assert sent >= 3  # three invitations (and the Monday digest)
    second = runner.invoke(args=["send-due-messages", "--now", "2031-02-03T08:05"])
    assert second.output.strip() == (
        "E-post: 0 nya meddelanden, 0 skickade, 0 misslyckade, 0 sparade i utkorgen, 0 stoppade."
    )
    assert len(smtp.received) == sent

    reminder_day = (DEADLINE - timedelta(days=14)).isoformat()
    first = runner.invoke(args=["send-due-messages", "--now", f"{reminder_day}T06:00"])
    assert "3 nya meddelanden, 3 skickade" in first.output
    runner.invoke(args=["send-due-messages", "--now", f"{reminder_day}T06:30"])
    assert len(smtp.received) == sent + 3
    assert max(message_ids(smtp.received).values()) == 1


def test_the_command_refuses_a_time_it_cannot_read(app, runner):
    result = runner.invoke(args=["send-due-messages", "--now", "i morgon"])
    assert result.exit_code != 0
    assert "”i morgon” är inte en tidpunkt som 2022-01-17T08:00." in result.output


def _run_in_threads(app, now, count=2) -> list:
    barrier = threading.Barrier(count)
    reports, errors = [], []

    def work():
        with app.app_context():
            try:
                barrier.wait()
                reports.append(run_due_jobs(now))
            except Exception as error:  # reported below, with the test's failure
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return reports


def test_two_runs_at_once_in_two_threads_send_each_message_once(app, smtp):
    open_round(app, recipients=MANY)
    moments = [
        OPENED,  # eight invitations waiting for delivery, and a digest due
        at(DEADLINE - timedelta(days=14), 6),  # eight reminders due
        at(DEADLINE - timedelta(days=3), 6),
        at(DEADLINE + timedelta(days=1), 6),  # eight overdue notices, each with a copy
    ]
    for now in moments:
        before = len(smtp.received)
        reports = _run_in_threads(app, now, count=3)
        with app.app_context():
            sent_rows = count_messages(status=MessageStatus.SENT)
        assert len(smtp.received) == sent_rows
        assert sum(r.sent for r in reports) == len(smtp.received) - before > 0
    assert max(message_ids(smtp.received).values()) == 1
    with app.app_context():
        assert count_messages(kind=MessageKind.INVITATION) == 8
        assert count_messages(kind=MessageKind.REMINDER) == 16
        assert count_messages(kind=MessageKind.OVERDUE) == 8
        assert count_messages() == count_messages(status=MessageStatus.SENT)
        assert db.session.scalar(sa.select(sa.func.max(Message.attempts))) == 1


def _command(app, now: str, tmp_path) -> subprocess.Popen:
    return flask_command(
        app,
        tmp_path,
        "send-due-messages",
        "--now",
        now,
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=str(app.config["MAIL_PORT"]),
        BASE_URL="http://localhost",
    )


def test_two_runs_at_once_in_two_processes_send_each_message_once(app, smtp, tmp_path):
    open_round(app, recipients=MANY)
    with app.app_context():
        db.engine.dispose()  # the processes get the database to themselves
    # Fourteen days before the deadline: the eight invitations still wait for delivery, and eight
    # reminders are due. Both processes record the reminders and deliver all sixteen.
    now = f"{(DEADLINE - timedelta(days=14)).isoformat()}T06:00"
    processes = [_command(app, now, tmp_path) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert all("E-post:" in o for o in outputs), outputs
    assert len(smtp.received) == 16  # eight invitations, eight reminders
    assert max(message_ids(smtp.received).values()) == 1
    assert sorted(Counter(tuple(r.rcpt_tos) for r in smtp.received).values()) == [2] * 8


def test_the_database_refuses_a_second_message_with_the_same_key(app):
    open_round(app, recipients=MANY[:1])
    with app.app_context():
        db.session.add(
            Message(
                kind=MessageKind.INVITATION,
                dedup_key=db.session.scalar(sa.select(Message.dedup_key)),
                to_address="x@example.se",
                subject="x",
                body_text="x",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_two_transactions_recording_the_same_message_record_it_once(app):
    """The second INSERT waits for the first transaction and then does nothing: the database
    decides, whatever the code of either transaction saw before."""
    round_id = open_round(app, recipients=MANY[:1])
    with app.app_context():
        db.session.execute(sa.delete(Message))
        db.session.commit()
    first_inserted = threading.Event()
    let_first_commit = threading.Event()
    results: dict[str, int | None] = {}
    errors: list[Exception] = []

    def record(name: str, hold: bool) -> None:
        with app.app_context():
            try:
                recipient = db.session.scalar(sa.select(Recipient).where(Recipient.round_id == round_id))
                composed = messages.reminder(recipient, 3, at(date(2031, 3, 28)))
                results[name] = queue(composed)
                if hold:
                    first_inserted.set()
                    let_first_commit.wait(10)
                db.session.commit()
            except Exception as error:
                errors.append(error)
                first_inserted.set()
            finally:
                db.session.remove()

    first = threading.Thread(target=record, args=("first", True))
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=record, args=("second", False))
    second.start()
    time.sleep(0.5)  # the second is now waiting on the first's uncommitted row
    let_first_commit.set()
    first.join(30)
    second.join(30)
    assert errors == []
    assert results["first"] is not None and results["second"] is None
    with app.app_context():
        assert count_messages() == 1
