"""A round's e-mail from opening to the last overdue notice, through a real SMTP server and a
clock the test controls. The round is sent, answered and extended through the same operations
the views call (``rounds.operations.open_round`` queues the invitations, and so on)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from icalendar import Calendar

from remiss.answers import operations as answering
from remiss.answers.models import Answer, MeasureComment, MeasurePosition, Position
from remiss.auth.models import Role, User
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.rounds import operations
from remiss.rounds.models import Recipient, Round
from tests.factories import make_round, make_user
from tests.mail import at, smtp_fixture  # noqa: F401

DEADLINE = date(2031, 3, 31)
OPENED = at(date(2031, 2, 3))
CENTRUM = "socialn.mnden.centrum@example.goteborg.se"  # the factory's slug of the name
NORDOST = "socialn.mnden.nordost@example.goteborg.se"
KRIMINALVARDEN = "kriminalv.rden@example.goteborg.se"
OFFICER = "hanna.handlaggare@goteborg.se"
RESPONDENT = "kim@centrum.example.se"


def run(app, now):
    with app.app_context():
        return run_due_jobs(now)


def subjects(received, prefix):
    return [r for r in received if r.subject.startswith(prefix)]


def open_round(app, now=OPENED, **kwargs) -> int:
    with app.app_context():
        officer = User.by_email(OFFICER) or make_user(Role.OFFICER, email=OFFICER, name="Hanna Handläggare")
        if User.by_email(RESPONDENT) is None:
            make_user(Role.RESPONDENT, "Socialnämnden Centrum", email=RESPONDENT, name="Kim Svensson")
        values = {
            "recipients": ["Socialnämnden Centrum", "Socialnämnden Nordost", "Kriminalvården"],
            "sent_on": now.date(),
            "deadline": DEADLINE,
            "title": "Riktlinje för stöd till avhoppare",
            "dnr": "1370/21",
        }
        values.update(kwargs)
        round_ = make_round(officer=officer, **values)
        db.session.add(
            Document(
                round=round_,
                kind=DocumentKind.DRAFT,
                original_name="Förslag till riktlinje – bilaga 1.pdf",
                stored_name="a" * 32,
                content_type="application/pdf",
                size=1000,
                sha256="0" * 64,
            )
        )
        operations.open_round(round_, by=officer, now=now)
        db.session.commit()
        return round_.id


def recipient_of(round_id: int, email: str) -> Recipient:
    return db.session.scalar(
        sa.select(Recipient).where(Recipient.round_id == round_id, Recipient.contact_email == email)
    )


def submit(app, round_id, email, now, position=Position.PARTIAL_ASSENT):
    with app.app_context():
        recipient = recipient_of(round_id, email)
        user = User.by_email(RESPONDENT)
        answer = recipient.answer or Answer(recipient=recipient)
        db.session.add(answer)
        draft = answer.start_draft(by=user)
        draft.position = position
        draft.decided_by = "Socialnämnden Centrum"
        draft.decision_date = now.date()
        draft.decision_paragraph = "14"
        measure = recipient.round.measures[0]
        draft.comments.append(
            MeasureComment(measure=measure, position=MeasurePosition.REJECT, text="För vagt.")
        )
        version = answering.submit_answer(answer, by=user, now=now)
        db.session.commit()
        return version.receipt_number


def test_a_round_from_invitation_to_the_last_overdue_notice(app, smtp):
    round_id = open_round(app)

    # The round opens: an invitation to each recipient, with the deadline as a calendar event.
    report = run(app, OPENED)
    invitations = subjects(smtp.received, "Remiss: ")
    assert sorted(r.rcpt_tos[0] for r in invitations) == sorted([CENTRUM, NORDOST, KRIMINALVARDEN])
    assert report.sent == len(smtp.received)
    invitation = smtp.to(NORDOST)[0]
    assert invitation.subject == (
        "Remiss: Riktlinje för stöd till avhoppare (dnr 1370/21) – sista svarsdag 31 mars 2031"
    )
    assert invitation.message["From"] == app.config["MAIL_SENDER"]
    assert "Till Socialnämnden Nordost" in invitation.text
    assert "Sista svarsdag:  31 mars 2031" in invitation.text
    assert (
        "Förslag till riktlinje – bilaga 1.pdf (Remissförslag): http://localhost/documents/"
        in invitation.text
    )
    assert "Så svarar ni:" in invitation.text and "http://localhost/" in invitation.text
    assert "Hanna Handläggare" in invitation.text
    assert "Sista svarsdag är <strong>31 mars 2031</strong>" in invitation.html
    calendar = Calendar.from_ical(invitation.attachment("sista-svarsdag.ics"))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == DEADLINE
    assert event.decoded("dtend") == DEADLINE + timedelta(days=1)
    assert "1370/21" in str(event["summary"])
    assert str(calendar["method"]) == "PUBLISH"
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(days=-3)

    # Socialnämnden Centrum answers: a receipt to its mailbox and to the person who submitted.
    receipt_number = submit(app, round_id, CENTRUM, at(date(2031, 3, 10), 14, 30))
    smtp.clear()
    run(app, at(date(2031, 3, 10), 14, 35))
    [receipt] = subjects(smtp.received, "Kvitto ")
    assert receipt.rcpt_tos == [CENTRUM, RESPONDENT]
    assert receipt.message["Cc"] == RESPONDENT
    assert (
        receipt.subject
        == f"Kvitto {receipt_number}: remissvar på Riktlinje för stöd till avhoppare (dnr 1370/21)"
    )
    assert f"Kvittonummer:    {receipt_number}" in receipt.text
    assert "Inkommet:        2031-03-10 14:30" in receipt.text
    assert "Version:         1" in receipt.text
    assert "Inskickat av:    Kim Svensson" in receipt.text
    assert "Ställningstagande till förslaget som helhet: Tillstyrker delvis" in receipt.text
    assert "Nämndens beslut: Socialnämnden Centrum 2031-03-10 § 14" in receipt.text
    assert "- Insats 1:1 Stärka samordningen: Avstyrker, med synpunkt" in receipt.text

    # 14 days before: reminders only to those who have not submitted.
    smtp.clear()
    run(app, at(DEADLINE - timedelta(days=14)))
    reminders = subjects(smtp.received, "Påminnelse")
    assert sorted(r.rcpt_tos[0] for r in reminders) == sorted([NORDOST, KRIMINALVARDEN])
    assert "Sista svarsdag är 31 mars 2031, om 14 dagar." in reminders[0].text
    # Later the same day and the next day: nothing new.
    smtp.clear()
    run(app, at(DEADLINE - timedelta(days=14), 17))
    run(app, at(DEADLINE - timedelta(days=13)))
    assert subjects(smtp.received, "Påminnelse") == []

    # 3 days before: the second reminder.
    run(app, at(DEADLINE - timedelta(days=3)))
    reminders = subjects(smtp.received, "Påminnelse")
    assert sorted(r.rcpt_tos[0] for r in reminders) == sorted([NORDOST, KRIMINALVARDEN])
    assert "om 3 dagar" in reminders[0].text

    # Kriminalvården gets an extension: a confirmation with the new date and a moved event.
    new_deadline = date(2031, 4, 14)
    granted = at(date(2031, 3, 29), 10)
    with app.app_context():
        recipient = recipient_of(round_id, KRIMINALVARDEN)
        operations.grant_extension(
            recipient, new_deadline, "Nämnden sammanträder den 10 april.", by=None, now=granted
        )
        db.session.commit()
    smtp.clear()
    run(app, granted)
    [confirmation] = smtp.received
    assert confirmation.rcpt_tos == [KRIMINALVARDEN]
    assert confirmation.subject.startswith("Anstånd: ny sista svarsdag 14 april 2031")
    assert "Ny sista svarsdag: 14 april 2031 (remissens sista svarsdag är 31 mars 2031)." in confirmation.text
    assert "Skäl: Nämnden sammanträder den 10 april." in confirmation.text
    [moved] = Calendar.from_ical(confirmation.attachment("sista-svarsdag.ics")).walk("VEVENT")
    [first] = Calendar.from_ical(invitation.attachment("sista-svarsdag.ics")).walk("VEVENT")
    assert moved.decoded("dtstart") == new_deadline
    assert str(moved["uid"]) != str(first["uid"])  # Kriminalvården's own event, not Nordost's
    assert moved.decoded("sequence") > 0

    # The round's deadline day: no reminder any more to Nordost; the 14-day reminder for the new
    # date goes to Kriminalvården.
    smtp.clear()
    run(app, at(DEADLINE))
    [reminder] = [r for r in smtp.received if not r.subject.startswith("Veckosammanfattning")]
    assert reminder.rcpt_tos == [KRIMINALVARDEN]
    assert "Sista svarsdag är 14 april 2031, om 14 dagar." in reminder.text

    # The day after the deadline: an overdue notice to Nordost with a copy to the officer;
    # nothing to Kriminalvården (extended) or Centrum (answered).
    smtp.clear()
    run(app, at(DEADLINE + timedelta(days=1)))
    [overdue] = smtp.received
    assert overdue.rcpt_tos == [NORDOST, OFFICER]
    assert overdue.message["Cc"] == OFFICER
    assert overdue.subject.startswith("Remissvar saknas: Riktlinje för stöd till avhoppare (dnr 1370/21)")
    assert "var 31 mars 2031" in overdue.text
    assert "En kopia av meddelandet har gått till handläggaren Hanna Handläggare." in overdue.text
    smtp.clear()
    run(app, at(DEADLINE + timedelta(days=2)))
    assert smtp.received == []

    # Kriminalvården: 3 days before its own date, then overdue the day after it.
    run(app, at(new_deadline - timedelta(days=3)))
    assert [(r.rcpt_tos, "om 3 dagar" in r.text) for r in smtp.received] == [([KRIMINALVARDEN], True)]
    smtp.clear()
    run(app, at(new_deadline + timedelta(days=1)))
    [overdue] = smtp.received
    assert overdue.rcpt_tos == [KRIMINALVARDEN, OFFICER]
    assert "var 14 april 2031" in overdue.text

    # Every message is recorded once, sent, with one attempt.
    with app.app_context():
        rows = db.session.scalars(sa.select(Message).where(Message.round_id == round_id)).all()
        assert {m.status for m in rows} == {MessageStatus.SENT}
        assert {m.attempts for m in rows} == {1}
        kinds = sorted(m.kind.value for m in rows)
        assert kinds == sorted(
            ["invitation"] * 3 + ["receipt"] + ["reminder"] * 6 + ["extension"] + ["overdue"] * 2
        )


def test_nothing_for_draft_or_closed_rounds(app, smtp):
    with app.app_context():
        officer = make_user(Role.OFFICER, email=OFFICER)
        make_round(
            officer=officer, recipients=["Socialnämnden Nordost"], sent_on=date(2031, 2, 1), deadline=DEADLINE
        )
        db.session.commit()
    closed_id = open_round(app, title="En stängd remiss", recipients=["Kriminalvården"])
    run(app, OPENED)
    smtp.clear()
    with app.app_context():
        db.session.get(Round, closed_id).close(at(date(2031, 3, 1)))
        db.session.commit()
    for day in (DEADLINE - timedelta(days=14), DEADLINE - timedelta(days=3), DEADLINE + timedelta(days=1)):
        run(app, at(day, 6))  # before the digest hour on Mondays
    assert smtp.received == []
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Message.id)).where(Message.kind == MessageKind.REMINDER)
            )
            == 0
        )


def test_a_recipient_added_to_an_open_round_is_invited(app, smtp):
    round_id = open_round(app, recipients=["Socialnämnden Centrum"])
    run(app, OPENED)
    smtp.clear()
    added = at(date(2031, 2, 11))
    with app.app_context():
        from tests.factories import make_organisation

        organisation = make_organisation("Polismyndigheten", email="polisen@example.se")
        round_ = db.session.get(Round, round_id)
        operations.add_recipients(
            round_, [organisation], by=None, contact_email="registrator@polisen.example.se", now=added
        )
        db.session.commit()
    run(app, added)
    [invitation] = smtp.received
    assert invitation.rcpt_tos == ["registrator@polisen.example.se"]
    assert "Till Polismyndigheten" in invitation.text
    assert invitation.attachment("sista-svarsdag.ics") is not None


def test_a_reminder_day_before_the_invitation_is_skipped(app, smtp):
    """A round opened 10 days before its deadline sends no "14 days" reminder right after the
    invitation, but does send the 3-day one."""
    opened = at(DEADLINE - timedelta(days=10))
    open_round(app, now=opened, recipients=["Kriminalvården"])
    run(app, opened)
    smtp.clear()
    run(app, at(DEADLINE - timedelta(days=9), 6))
    assert smtp.received == []
    run(app, at(DEADLINE - timedelta(days=3), 6))
    assert [r.subject.startswith("Påminnelse") for r in smtp.received] == [True]


def test_the_weekly_digest_goes_to_the_responsible_officer_once_a_week(app, smtp):
    round_id = open_round(app)
    submit(app, round_id, CENTRUM, at(date(2031, 3, 12)))
    smtp.clear()
    monday = at(date(2031, 3, 17), 7, 30)
    run(app, at(date(2031, 3, 17), 6))  # before 07:00: not yet
    assert subjects(smtp.received, "Veckosammanfattning") == []
    run(app, monday)
    run(app, at(date(2031, 3, 17), 15))
    run(app, at(date(2031, 3, 18), 9))  # Tuesday: not a digest day
    [digest] = subjects(smtp.received, "Veckosammanfattning")
    assert digest.rcpt_tos == [OFFICER]
    assert digest.subject == "Veckosammanfattning vecka 12: 1 öppen remiss"
    assert "Riktlinje för stöd till avhoppare (dnr 1370/21)" in digest.text
    assert "Svar: 1 av 3 inskickade, 0 utkast" in digest.text
    assert "Olästa svar: Socialnämnden Centrum" in digest.text
    smtp.clear()
    run(app, at(date(2031, 3, 24), 8))  # the next Monday
    assert [d.subject for d in subjects(smtp.received, "Veckosammanfattning")] == [
        "Veckosammanfattning vecka 13: 1 öppen remiss"
    ]
