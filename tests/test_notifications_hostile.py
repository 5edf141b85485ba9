"""The e-mail job survives any message (issue 14, item 4). Three invitations go out through the
real job to a real local SMTP server; the middle one is poisoned in the database in one way or
another. The first and the third always arrive; the middle one arrives with its header text
made one line, or is marked failed with a Swedish reason that the officer's e-mail log and the
admin's outbox show – and a later run does not try it again and again. Nothing leaves the job
as an exception."""

from __future__ import annotations

import smtplib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role, User
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications import service
from remiss.notifications.models import Message, MessageStatus
from remiss.rounds.models import Round
from tests.factories import make_user
from tests.http import signed_in_client
from tests.mail import at, smtp_fixture  # noqa: F401
from tests.test_notifications_flow import CENTRUM, KRIMINALVARDEN, NORDOST, OFFICER, open_round

NOW = at(date(2031, 2, 4), 9)  # a Tuesday: no weekly digest in the way
FIRST, MIDDLE, THIRD = CENTRUM, NORDOST, KRIMINALVARDEN
EVIL = "evil@attacker.example"


def three_invitations(app) -> tuple[int, int]:
    """A round sent to three bodies: the round's id and the middle invitation's id."""
    round_id = open_round(
        app,
        now=NOW,
        recipients=["Socialnämnden Centrum", "Socialnämnden Nordost", "Kriminalvården"],
    )
    with app.app_context():
        messages = db.session.scalars(sa.select(Message).order_by(Message.id)).all()
        assert [m.to_address for m in messages] == [FIRST, MIDDLE, THIRD]
        return round_id, messages[1].id


def poison(app, message_id: int, **values) -> None:
    """Write straight into the row, past every form and the outbox."""
    with app.app_context():
        db.session.execute(sa.update(Message).where(Message.id == message_id).values(**values))
        db.session.commit()


def run(app, now=NOW):
    with app.app_context():
        return run_due_jobs(now)


def middle(app, message_id: int) -> Message:
    with app.app_context():
        message = db.session.get(Message, message_id)
        db.session.expunge(message)
        return message


# Header text that would break the message is made one line, and the message goes ------------
@pytest.mark.parametrize(
    "title",
    [
        "Riktlinje\r\nBcc: evil@attacker.example",
        "Riktlinje\u2028för avhoppare",
        "Riktlinje\nför\r avhoppare\u2029",
    ],
    ids=["crlf-header-injection", "u2028", "lf-cr-u2029"],
)
def test_a_title_with_line_breaks_in_the_database_still_gives_one_line_subjects(app, smtp, title):
    round_id = open_round(app, now=NOW, title="Riktlinje")
    with app.app_context():
        # The title as a crafted request or an old row could have left it (forms strip this now)...
        db.session.execute(sa.update(Round).where(Round.id == round_id).values(title=title))
        # ... and a subject already in the outbox with the line break in it.
        ids = db.session.scalars(sa.select(Message.id).order_by(Message.id)).all()
        db.session.execute(
            sa.update(Message).where(Message.id == ids[1]).values(subject=f"Remiss: {title} (dnr 1370/21)")
        )
        db.session.commit()
    report = run(app)
    assert (report.sent, report.failed) == (3, 0)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted([FIRST, MIDDLE, THIRD])
    assert all(EVIL not in r.rcpt_tos for r in smtp.received)
    for received in smtp.received:
        assert "\n" not in received.subject and "\r" not in received.subject
        assert "\u2028" not in received.subject and "\u2029" not in received.subject
        assert received.message["Bcc"] is None
    [poisoned] = smtp.to(MIDDLE)
    assert poisoned.subject.startswith("Remiss: Riktlinje ")


def test_a_round_title_with_line_breaks_is_queued_as_one_line(app, smtp):
    """Composed from a title with line breaks, the stored subject is one line already."""
    with app.app_context():
        make_user(Role.OFFICER, email=OFFICER, name="Hanna Handläggare")
        db.session.commit()
    open_round(app, now=NOW, title="Riktlinje\r\nBcc: evil@attacker.example\u2028slut")
    with app.app_context():
        subjects = db.session.scalars(sa.select(Message.subject)).all()
    assert subjects and all("\n" not in s and "\r" not in s and "\u2028" not in s for s in subjects)
    assert all("Riktlinje Bcc: evil@attacker.example slut" in s for s in subjects)


# A message that cannot be sent fails with its reason; the others go ------------------------
def _not_an_address(app, smtp, monkeypatch, message_id):
    poison(app, message_id, to_address="inte en adress")
    return "”inte en adress” är inte en giltig e-postadress"


def _header_injection_in_the_address(app, smtp, monkeypatch, message_id):
    poison(app, message_id, to_address=f"{NORDOST}\r\nBcc: {EVIL}")
    return "är inte en giltig e-postadress"


def _header_injection_in_the_copy(app, smtp, monkeypatch, message_id):
    poison(app, message_id, cc_address=f"{OFFICER}\nBcc: {EVIL}")
    return "Kopians adress"


def _a_recipient_the_server_refuses(app, smtp, monkeypatch, message_id):
    poison(app, message_id, to_address="finns.inte@example.goteborg.se")

    async def refuse_unknown(server, session, envelope, address, rcpt_options):
        if address == "finns.inte@example.goteborg.se":
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(smtp.collector, "handle_RCPT", refuse_unknown, raising=False)
    return "E-postservern tog inte emot mottagaren: finns.inte@example.goteborg.se (550)"


def _a_body_the_server_refuses(app, smtp, monkeypatch, message_id):
    poison(app, message_id, body_text="X-VIRUS-MARKER: content the filter refuses")
    collector = smtp.collector
    accept = collector.handle_DATA

    async def refuse_marked(server, session, envelope):
        if b"X-VIRUS-MARKER" in envelope.original_content:
            return "554 5.6.0 Innehållet avvisas"
        return await accept(server, session, envelope)

    monkeypatch.setattr(collector, "handle_DATA", refuse_marked)
    return "E-postservern svarade 554"


def _the_library_refuses_to_build_it(app, smtp, monkeypatch, message_id):
    build = service.build_email

    def build_or_raise(message, sender):
        if message.id == message_id:
            raise LookupError("unknown encoding: x-broken")  # whatever the library may raise
        return build(message, sender)

    monkeypatch.setattr(service, "build_email", build_or_raise)
    return "Meddelandet kunde inte skapas: LookupError"


def _the_library_refuses_to_send_it(app, smtp, monkeypatch, message_id):
    poison(app, message_id, body_text="BROKEN-BODY")
    send = smtplib.SMTP.send_message

    def send_or_raise(self, msg, *args, **kwargs):
        if "BROKEN-BODY" in msg.get_body(preferencelist=("plain",)).get_content():
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return send(self, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", send_or_raise)
    return "Meddelandet kunde inte skickas: UnicodeEncodeError"


POISONS = [
    _not_an_address,
    _header_injection_in_the_address,
    _header_injection_in_the_copy,
    _a_recipient_the_server_refuses,
    _a_body_the_server_refuses,
    _the_library_refuses_to_build_it,
    _the_library_refuses_to_send_it,
]


@pytest.mark.parametrize("poisoned", POISONS, ids=lambda f: f.__name__.strip("_"))
def test_one_bad_message_fails_with_its_reason_and_the_others_are_delivered(app, smtp, monkeypatch, poisoned):
    round_id, middle_id = three_invitations(app)
    reason = poisoned(app, smtp, monkeypatch, middle_id)

    report = run(app)  # nothing raises

    assert (report.sent, report.failed) == (2, 1)
    assert [r.rcpt_tos for r in smtp.received] == [[FIRST], [THIRD]]
    assert all(EVIL not in r.rcpt_tos for r in smtp.received)
    bad = middle(app, middle_id)
    assert bad.status is MessageStatus.FAILED
    assert reason in bad.last_error and bad.last_error.endswith("Meddelandet skickas inte igen.")
    assert bad.next_attempt_at is None and bad.attempts == 1

    # Later runs leave it failed and visible; they do not try it again and again.
    for hours in (1, 13, 48):
        report = run(app, NOW + timedelta(hours=hours))
        assert (report.sent, report.failed) == (0, 0)
    assert len(smtp.received) == 2
    again = middle(app, middle_id)
    assert (again.status, again.attempts, again.last_error) == (MessageStatus.FAILED, 1, bad.last_error)

    # The officer sees the reason in the round's e-mail log, the admin in the outbox.
    with app.app_context():
        officer_id = User.by_email(OFFICER).get_id()
        admin_id = make_user(Role.ADMIN).get_id()
        db.session.commit()
    log = signed_in_client(app, officer_id).get(f"/rounds/{round_id}/messages")
    assert log.status_code == 200
    assert "Misslyckades" in log.text and "Inga fler försök" in log.text
    outbox = signed_in_client(app, admin_id).get("/outbox?status=failed")
    assert outbox.status_code == 200
    for page in (log.text, outbox.text):
        assert reason.replace("”", "&#8221;") in page or reason in page


def test_a_mail_server_that_is_down_is_still_retried(app, smtp):
    """Giving up is for messages that cannot be sent; a server that is down is a passing fault."""
    _, middle_id = three_invitations(app)
    smtp.stop()
    report = run(app)
    assert report.failed == 3
    down = middle(app, middle_id)
    assert down.status is MessageStatus.FAILED and down.next_attempt_at == NOW + timedelta(minutes=5)
    assert "skickas inte igen" not in down.last_error
    smtp.start()
    assert run(app, NOW + timedelta(minutes=5)).sent == 3


def test_an_error_outside_building_and_sending_gives_that_message_up_and_goes_on(app, smtp, monkeypatch):
    """Even an error in deciding whether a message still applies (or in the database) fails
    that one message only."""
    _, middle_id = three_invitations(app)
    from remiss.rounds import reminders

    stale = reminders.stale_reason

    def stale_or_raise(message):
        if message.id == middle_id:
            raise RuntimeError("something nobody foresaw")
        return stale(message)

    monkeypatch.setattr(reminders, "stale_reason", stale_or_raise)
    report = run(app)
    assert (report.sent, report.failed) == (2, 1)
    bad = middle(app, middle_id)
    assert bad.status is MessageStatus.FAILED and bad.next_attempt_at is None
    assert "Meddelandet kunde inte hanteras: RuntimeError: something nobody foresaw" in bad.last_error
    assert run(app, NOW + timedelta(days=1)).failed == 0
