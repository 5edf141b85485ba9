"""Delivery: the mail server down and back, retries at growing intervals, the outbox without a
mail server, messages that no longer apply, password links, SMTP login."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications import service
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.notifications.service import retry_delay
from remiss.rounds import operations
from remiss.rounds.models import Recipient, Round
from tests.factories import make_organisation, make_user
from tests.mail import SMTPServer, at, smtp_fixture  # noqa: F401
from tests.test_notifications_flow import CENTRUM, DEADLINE, NORDOST, OPENED, open_round, submit


def run(app, now):
    with app.app_context():
        return run_due_jobs(now)


def statuses(app) -> list[tuple[str, int]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Message).order_by(Message.id)).all()
        return [(m.status.value, m.attempts) for m in rows]


def test_with_the_mail_server_down_messages_fail_and_are_delivered_when_it_is_back(app, smtp):
    open_round(app, recipients=["Socialnämnden Centrum", "Socialnämnden Nordost"])
    smtp.stop()
    now = at(date(2031, 2, 4))
    report = run(app, now)  # nothing raises
    assert (report.sent, report.failed) == (0, 2)
    with app.app_context():
        failed = db.session.scalars(sa.select(Message)).all()
        assert {m.status for m in failed} == {MessageStatus.FAILED}
        assert {m.attempts for m in failed} == {1}
        assert all(
            m.last_error.startswith(f"Kunde inte ansluta till e-postservern 127.0.0.1:{smtp.port}")
            for m in failed
        )
        assert {m.next_attempt_at for m in failed} == {now + timedelta(minutes=5)}

    # Not before its time; then the second attempt, still down, waits longer.
    run(app, now + timedelta(minutes=4))
    assert statuses(app) == [("failed", 1), ("failed", 1)]
    run(app, now + timedelta(minutes=5))
    assert statuses(app) == [("failed", 2), ("failed", 2)]
    with app.app_context():
        assert {m.next_attempt_at for m in db.session.scalars(sa.select(Message))} == {
            now + timedelta(minutes=5) + timedelta(minutes=15)
        }

    # The server is back: delivered at the next retry, once each.
    smtp.start()
    run(app, now + timedelta(minutes=10))
    assert smtp.received == []
    report = run(app, now + timedelta(minutes=20))
    assert report.sent == 2
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted([CENTRUM, NORDOST])
    assert statuses(app) == [("sent", 3), ("sent", 3)]
    with app.app_context():
        assert all(m.last_error is None and m.sent_at for m in db.session.scalars(sa.select(Message)))
    run(app, now + timedelta(days=1))
    assert len(smtp.received) == 2


def test_retries_wait_longer_each_time_and_stop_after_the_last_attempt():
    delays = [retry_delay(n) for n in range(1, service.MAX_ATTEMPTS + 1)]
    assert delays[:4] == [timedelta(minutes=m) for m in (5, 15, 45, 135)]
    assert delays == sorted(delays) and max(delays) == timedelta(hours=12)


def test_a_message_is_given_up_after_the_last_attempt(app, smtp):
    open_round(app, recipients=["Socialnämnden Centrum"])
    smtp.stop()
    now = at(date(2031, 2, 4))
    for _ in range(service.MAX_ATTEMPTS + 2):
        run(app, now)
        now += timedelta(hours=13)
    with app.app_context():
        message = db.session.scalar(sa.select(Message))
        assert (message.status, message.attempts, message.next_attempt_at) == (
            MessageStatus.FAILED,
            service.MAX_ATTEMPTS,
            None,
        )


def test_a_request_does_not_wait_for_a_mail_server_that_is_down(app, client, smtp):
    """Requests only record messages; delivery is the scheduler's. A reset link asked for
    while the server is down is answered at once, and sent when the server is back."""
    with app.app_context():
        make_user(Role.OFFICER, email="glomsk@example.goteborg.se")
        db.session.commit()
    smtp.stop()
    response = client.post("/auth/forgot", data={"email": "glomsk@example.goteborg.se"})
    assert response.status_code == 302
    assert statuses(app) == [("pending", 0)]
    run(app, utcnow())
    assert statuses(app) == [("failed", 1)]
    smtp.start()
    run(app, utcnow() + timedelta(minutes=6))
    [mail] = smtp.received
    assert mail.subject == "Nytt lösenord till Remisstjänsten"


def test_a_password_link_arrives_by_email_and_is_not_kept_after_sending(app, client, smtp, caplog):
    with app.app_context():
        make_user(Role.RESPONDENT, email="kim@example.se", name="Kim Svensson")
        db.session.commit()
    with caplog.at_level(logging.INFO):
        client.post("/auth/forgot", data={"email": "kim@example.se"})
    assert "/auth/password/" not in caplog.text  # never in a log (issue 14, item 3)
    run(app, utcnow())
    [mail] = smtp.received
    assert mail.rcpt_tos == ["kim@example.se"]
    assert "Hej Kim Svensson," in mail.text and "gäller i 72 timmar" in mail.text
    link = re.search(r"http://localhost(/auth/password/\S+)", mail.text).group(1)
    assert client.get(link).status_code == 200
    with app.app_context():
        message = db.session.scalar(sa.select(Message))
        assert message.kind is MessageKind.ACCOUNT and message.status is MessageStatus.SENT
        assert "/auth/password/" not in message.body_text + message.body_html
        assert message.body_text == service.ACCOUNT_BODY_REDACTED


def test_without_a_mail_server_messages_are_kept_in_the_outbox(app, client, login_as):
    assert app.config["MAIL_HOST"] is None
    open_round(app, recipients=["Socialnämnden Centrum"])
    report = run(app, OPENED)
    assert report.kept == 2 and report.sent == 0  # the invitation and the Monday digest
    assert statuses(app) == [("kept", 0), ("kept", 0)]
    run(app, OPENED + timedelta(days=1))
    assert statuses(app) == [("kept", 0), ("kept", 0)]
    login_as(Role.ADMIN)
    page = client.get("/outbox")
    assert page.status_code == 200
    assert "Sparat i utkorgen" in page.text
    assert "Remiss: Riktlinje för stöd till avhoppare (dnr 1370/21)" in page.text
    with app.app_context():
        invitation = db.session.scalar(sa.select(Message).where(Message.kind == MessageKind.INVITATION))
    page = client.get(f"/messages/{invitation.id}")
    assert "Till Socialnämnden Centrum" in page.text
    assert "BEGIN:VCALENDAR" in page.text


def test_a_reminder_that_no_longer_applies_is_stopped(app, smtp):
    round_id = open_round(app, recipients=["Socialnämnden Centrum", "Socialnämnden Nordost"])
    run(app, OPENED)
    smtp.stop()
    reminder_day = at(DEADLINE - timedelta(days=3), 6)
    run(app, reminder_day)  # two reminders recorded, both failed
    assert [s for s in statuses(app)[-2:]] == [("failed", 1), ("failed", 1)]
    # Before the retry Centrum answers and Nordost gets an extension.
    submit(app, round_id, CENTRUM, reminder_day + timedelta(hours=2))
    with app.app_context():
        nordost = db.session.scalar(sa.select(Recipient).where(Recipient.contact_email == NORDOST))
        operations.grant_extension(
            nordost,
            DEADLINE + timedelta(days=2),
            "Sammanträde",
            by=None,
            now=reminder_day + timedelta(hours=2),
        )
        db.session.commit()
    smtp.start()
    smtp.clear()
    report = run(app, reminder_day + timedelta(hours=3))
    assert report.cancelled == 2
    assert sorted(r.subject.split()[0] for r in smtp.received) == ["Anstånd:", "Kvitto"]
    with app.app_context():
        stopped = db.session.scalars(
            sa.select(Message).where(Message.status == MessageStatus.CANCELLED)
        ).all()
        assert sorted(m.last_error for m in stopped) == [
            "Skickades inte: remissinstansen har redan svarat.",
            "Skickades inte: sista svarsdagen har ändrats.",
        ]


def test_a_run_that_died_after_claiming_leaves_the_message_to_a_later_run(app, smtp):
    open_round(app, recipients=["Socialnämnden Centrum"])
    now = at(date(2031, 2, 4))
    with app.app_context():
        message_id = db.session.scalar(sa.select(Message.id))
        assert service._claim(message_id, now)  # ... and the run dies here
    run(app, now + timedelta(minutes=1))
    assert smtp.received == []
    run(app, now + service.CLAIM_LEASE)
    assert len(smtp.received) == 1
    assert statuses(app) == [("sent", 2)]


def test_delivery_logs_in_when_credentials_are_configured(app):
    server = SMTPServer(credentials=("remiss", "hemligt"))
    server.start()
    try:
        app.config.update(
            MAIL_HOST="127.0.0.1",
            MAIL_PORT=server.port,
            MAIL_USERNAME="remiss",
            MAIL_PASSWORD="hemligt",
            MAIL_TIMEOUT=3,
        )
        round_id = open_round(app, recipients=["Socialnämnden Centrum"])
        assert run(app, at(date(2031, 2, 4))).sent == 1
        assert server.logins == ["remiss"] and len(server.received) == 1
        app.config["MAIL_PASSWORD"] = "fel"
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            operations.add_recipients(
                round_,
                [make_organisation("Kriminalvården")],
                by=None,
                contact_email="kv@example.se",
                now=at(date(2031, 2, 5)),
            )
            db.session.commit()
        report = run(app, at(date(2031, 2, 5)))
        assert report.failed == 1
        with app.app_context():
            failed = db.session.scalar(sa.select(Message).where(Message.status == MessageStatus.FAILED))
            assert failed.last_error.startswith("Kunde inte ansluta till e-postservern")
        assert len(server.received) == 1
    finally:
        server.stop()
