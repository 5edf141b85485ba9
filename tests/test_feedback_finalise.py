"""Feedback (återkoppling): the officer marks the assessment as final; every body that answered
gets a page and an e-mail with its comments next to the office's assessment, and no one else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.feedback import service
from remiss.jobs import run_due_jobs
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.rounds.models import Round
from tests.mail import smtp_fixture  # noqa: F401
from tests.register_data import ALDRE, CENTRUM, GROUND, KRIMINALVARDEN, POLISEN, build_world


@pytest.fixture
def world(app):
    with app.app_context():
        w = build_world()
        round_ = db.session.get(Round, w.public_id)
        round_.assessment = "Stadsledningskontoret delar remissinstansernas syn på samverkan."
        round_.assessment_changes = "Insats 1:1 har skrivits om och ansvaret förtydligats."
        round_.measures[0].assessment = "Samverkans omfattning beskrivs nu i avsnitt 3."
        round_.focus_areas[1].assessment = "Verktygen väljs i samråd med socialtjänsten."
        db.session.commit()
    return w


def messages(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(Message).order_by(Message.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_finalising_sends_feedback_to_every_body_that_answered(app, client, login_as, world):
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{world.public_id}/feedback/finalise")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Bedömningen är slutlig. Återkopplingen skickas till 3 remissinstanser som svarat." in page

    with app.app_context():
        round_ = db.session.get(Round, world.public_id)
        assert round_.assessment_final_at is not None
        recipients = {r.organisation.name: r for r in round_.recipients}
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "assessment.finalised")
            )
            == 1
        )
    sent = messages(app)
    # Centrum, Polisen (its answer under correction still counts) and Kriminalvården; not Äldre.
    assert {m.recipient_id for m in sent} == {
        recipients[CENTRUM].id,
        recipients[POLISEN].id,
        recipients[KRIMINALVARDEN].id,
    }
    assert recipients[ALDRE].id not in {m.recipient_id for m in sent}
    for message in sent:
        assert message.kind is MessageKind.FEEDBACK
        assert message.status is MessageStatus.PENDING
        assert message.round_id == world.public_id
        assert message.dedup_key == f"feedback:{message.recipient_id}:{world.public_id}"
        assert message.subject == (
            "Återkoppling på ert remissvar: Handlingsplan mot nyrekrytering till kriminella nätverk "
            "(dnr 1668/20)"
        )
        assert f"http://localhost/rounds/{world.public_id}/feedback" in message.body_text
        assert f'href="http://localhost/rounds/{world.public_id}/feedback"' in message.body_html
    centrum = next(m for m in sent if m.recipient_id == recipients[CENTRUM].id)
    assert centrum.to_address == "socialn.mnden.centrum@example.goteborg.se"
    text = centrum.body_text
    assert "Till Socialnämnden Centrum" in text
    assert "Samverkans omfattning behöver beskrivas." in text  # its own comment on 1:1 …
    assert "Samverkans omfattning beskrivs nu i avsnitt 3." in text  # … next to the assessment
    assert "Insats 1:1 har skrivits om och ansvaret förtydligats." in text  # the changes
    assert "Verktygen väljs i samråd med socialtjänsten." in text
    assert "Samverkans omfattning beskrivs nu i avsnitt 3." in centrum.body_html
    # Another body's comments are not in Centrum's e-mail.
    assert "Polisen tillstyrker." not in text


def test_finalising_twice_adds_nothing(app, client, login_as, world):
    login_as(Role.OFFICER)
    client.post(f"/rounds/{world.public_id}/feedback/finalise")
    first = messages(app)
    response = client.post(f"/rounds/{world.public_id}/feedback/finalise", follow_redirects=True)
    assert "Bedömningen är redan slutlig sedan" in response.text
    assert [m.id for m in messages(app)] == [m.id for m in first]
    # Even queued again directly, an existing message is not duplicated.
    with app.app_context():
        round_ = db.session.get(Round, world.public_id)
        assert service.queue_feedback_messages(round_, now=round_.assessment_final_at) == 0
        db.session.commit()
    assert len(messages(app)) == 3


@pytest.mark.parametrize(
    "prepare, message",
    [
        (lambda r: r.reopen(), "Bedömningen kan markeras som slutlig först när remissen är stängd."),
        (
            lambda r: (
                [setattr(x, "assessment", "") for x in [r, *r.focus_areas, *r.measures]]
                and setattr(r, "assessment_changes", "")
            ),
            "Skriv stadsledningskontorets bedömning innan den markeras som slutlig.",
        ),
    ],
)
def test_finalising_is_refused_with_a_reason(app, client, login_as, world, prepare, message):
    with app.app_context():
        prepare(db.session.get(Round, world.public_id))
        db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{world.public_id}/feedback/finalise", follow_redirects=True)
    assert message in response.text
    assert messages(app) == []
    with app.app_context():
        assert db.session.get(Round, world.public_id).assessment_final_at is None


def test_a_draft_round_cannot_be_finalised(client, login_as, world):
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{world.draft_round_id}/feedback/finalise", follow_redirects=True)
    assert "först när remissen är stängd" in response.text


def finalise(app, world):
    with app.app_context():
        service.finalise(db.session.get(Round, world.public_id), actor=None)
        db.session.commit()


def test_a_body_that_answered_sees_its_feedback_page(app, client, login_as, world):
    finalise(app, world)
    login_as(Role.RESPONDENT, CENTRUM)
    response = client.get(f"/rounds/{world.public_id}/feedback")
    assert response.status_code == 200
    page = response.text
    assert "Återkoppling på ert remissvar" in page
    assert "Samverkans omfattning behöver beskrivas." in page
    assert "Samverkans omfattning beskrivs nu i avsnitt 3." in page
    assert "Insats 1:1 har skrivits om och ansvaret förtydligats." in page
    # Its own confidential comment is its own: shown to it, without the public notice.
    assert "Uppgifter om en enskild familj i Backa." in page
    assert "Uppgiften omfattas av sekretess" not in page
    assert "Polisen tillstyrker." not in page
    # The recipient parameter does not let a respondent read another body's feedback.
    page = client.get(
        f"/rounds/{world.public_id}/feedback", query_string={"recipient": world.polisen_recipient}
    ).text
    assert "Polisen tillstyrker." not in page


def test_no_feedback_page_before_final_or_for_a_body_that_did_not_answer(app, client, login_as, world):
    login_as(Role.RESPONDENT, CENTRUM)
    assert client.get(f"/rounds/{world.public_id}/feedback").status_code == 404
    finalise(app, world)
    client.post("/auth/logout")
    login_as(Role.RESPONDENT, ALDRE)
    assert client.get(f"/rounds/{world.public_id}/feedback").status_code == 404


def test_the_office_previews_and_reads_any_body_s_feedback(app, client, login_as, world):
    login_as(Role.MANAGER)
    page = client.get(f"/rounds/{world.public_id}/feedback").text
    assert "Socialnämnden Centrum" in page and "(förhandsgranskning)" in page
    assert ALDRE not in page
    assert "Markera bedömningen som slutlig" not in page  # managers do not finalise
    response = client.get(
        f"/rounds/{world.public_id}/feedback", query_string={"recipient": world.polisen_recipient}
    )
    assert "Förhandsgranskning" in response.text and "Polisen tillstyrker." in response.text
    assert "RÄTTELSE" not in response.text
    assert (
        client.get(
            f"/rounds/{world.public_id}/feedback", query_string={"recipient": world.aldre_recipient}
        ).status_code
        == 404
    )


def test_the_officer_finalises_from_the_feedback_page(client, login_as, world):
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{world.public_id}/feedback").text
    assert "Markera bedömningen som slutlig och skicka återkoppling" in page
    assert 'data-confirm="Markera bedömningen som slutlig?' in page


def test_the_public_register_shows_the_feedback_to_everyone(app, client, world):
    assert client.get(f"/register/{world.public_id}/feedback").status_code == 404
    finalise(app, world)
    round_page = client.get(f"/register/{world.public_id}").text
    assert f'href="/register/{world.public_id}/feedback"' in round_page
    page = client.get(f"/register/{world.public_id}/feedback").text
    assert "Stadsledningskontoret delar remissinstansernas syn på samverkan." in page
    assert "Insats 1:1 har skrivits om och ansvaret förtydligats." in page
    assert "Samverkans omfattning beskrivs nu i avsnitt 3." in page
    assert "Samverkans omfattning behöver beskrivas." in page  # Centrum's public comment
    assert f"Uppgiften omfattas av sekretess enligt {GROUND}" in page  # its confidential one
    assert "Uppgifter om en enskild familj i Backa." not in page
    assert "Sekretessbelagt resonemang" not in page and "RÄTTELSE" not in page


def test_the_feedback_e_mail_is_delivered_by_the_e_mail_job_once(app, client, login_as, world, smtp):
    """The feedback area records its messages; the notifications area's job delivers them."""
    login_as(Role.OFFICER)
    client.post(f"/rounds/{world.public_id}/feedback/finalise")
    with app.app_context():
        report = run_due_jobs(utcnow())
    feedback = [r for r in smtp.received if r.subject.startswith("Återkoppling på ert remissvar")]
    assert sorted(r.rcpt_tos[0] for r in feedback) == sorted(
        [
            "socialn.mnden.centrum@example.goteborg.se",
            "polismyndigheten@example.goteborg.se",
            "kriminalv.rden@example.goteborg.se",
        ]
    )
    assert report.sent == len(smtp.received)
    centrum = next(r for r in feedback if r.rcpt_tos[0].startswith("socialn.mnden.centrum"))
    assert "Samverkans omfattning beskrivs nu i avsnitt 3." in centrum.text
    assert f'href="http://localhost/rounds/{world.public_id}/feedback"' in centrum.html
    assert {m.status for m in messages(app) if m.kind is MessageKind.FEEDBACK} == {MessageStatus.SENT}
    smtp.clear()
    with app.app_context():
        run_due_jobs(utcnow())
    assert smtp.received == []
