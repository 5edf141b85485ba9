"""The whole loop on the demo data: Göteborg's action plan against recruitment to gangs, sent to
16 bodies of which 15 answered."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.time import local_today
from remiss.demo import load_demo
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind
from remiss.rounds.models import Round


def test_the_demo_round_published_and_finalised(app, client, login_as):
    with app.app_context():
        load_demo()
        round_ = db.session.scalar(sa.select(Round).where(Round.is_closed))
        round_.measures[0].assessment = "Samverkan beskrivs nu i en egen bilaga."
        db.session.commit()
        round_id = round_.id
        silent = [r.organisation.name for r in round_.recipients if r.latest_submitted is None]
        answered = {r.id for r in round_.recipients if r.latest_submitted is not None}
    assert len(answered) == 15 and len(silent) == 1

    login_as(Role.OFFICER)
    client.post(f"/rounds/{round_id}/publicity", data={"is_public": "y"})
    client.post(f"/rounds/{round_id}/feedback/finalise")
    client.post("/auth/logout")

    with app.app_context():
        queued = db.session.scalars(sa.select(Message).where(Message.kind == MessageKind.FEEDBACK)).all()
        assert {m.recipient_id for m in queued} == answered

    page = client.get("/register/", query_string={"q": "NYREKRYTERING"}).text
    assert f'href="/register/{round_id}"' in page and "1 remiss för" in page
    # The open round is listed too (every sent round is, by default); its draft sibling is not.
    page = client.get("/register/", query_string={"q": "avhoppare"}).text
    assert "1 remiss för" in page
    page = client.get(f"/register/{round_id}").text
    assert "15 av 16 remissinstanser har svarat" in page
    assert f"{silent[0]}</th>\n    <td>Inget svar" in page
    feedback = client.get(f"/register/{round_id}/feedback").text
    assert "Samverkan beskrivs nu i en egen bilaga." in feedback
    assert "Vi vill att handlingsplanen beskriver samverkans omfattning" in feedback


def test_the_demo_round_shows_the_dates_it_really_had(app):
    """1668/20 went out on 1 November 2021 and closed the day after its deadline; each answer was
    received when the file says, and the history says so, not the day the demo was loaded."""
    with app.app_context():
        load_demo()
        round_ = db.session.scalar(sa.select(Round).where(Round.dnr == "1668/20"))
        assert round_.is_closed
        assert local_today(round_.opened_at) == date(2021, 11, 1) == round_.sent_on
        assert local_today(round_.closed_at) == date(2022, 2, 1)
        versions = [r.latest_submitted for r in round_.recipients if r.has_submitted]
        assert len(versions) == 15
        for version in versions:
            assert local_today(version.submitted_at) == version.received_on
            assert version.channel.label and version.is_registered
            assert version.answer.read_at is not None  # registered by the office: read
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.round_id == round_.id)).all()
        history = [e for e in events if e.action != "round.imported"]
        assert {e.action for e in history} >= {
            "round.created",
            "round.opened",
            "answer.registered",
            "round.closed",
        }
        for event in history:
            assert date(2021, 11, 1) <= local_today(event.at) <= date(2022, 2, 28), (event.action, event.at)
        registered = {e.details["organisation"]: e for e in history if e.action == "answer.registered"}
        for version in versions:
            event = registered[version.answer.recipient.organisation.name]
            assert local_today(event.at) == version.received_on
        [opened] = [e for e in history if e.action == "round.opened"]
        assert local_today(opened.at) == date(2021, 11, 1)
        # A closed round sends nothing when imported: its invitations and receipts would be stale.
        assert (
            db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.round_id == round_.id)) == 0
        )


def test_importing_an_open_round_invites_every_recipient(app):
    """The other demo round is open: importing it sends what sending it does, an invitation to
    every recipient's address, and a receipt for each answer the file has."""
    with app.app_context():
        load_demo()
        round_ = db.session.scalar(sa.select(Round).where(Round.dnr == "1370/21"))
        assert round_.is_open
        kinds = db.session.scalars(sa.select(Message.kind).where(Message.round_id == round_.id)).all()
        assert kinds.count(MessageKind.INVITATION) == len(round_.recipients) == 6
        assert kinds.count(MessageKind.RECEIPT) == 5
