"""The whole loop on the demo data: Göteborg's action plan against recruitment to gangs, sent to
16 bodies of which 15 answered."""

from __future__ import annotations

import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.demo import load_demo
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind
from remiss.rounds.models import Round, RoundStatus


def test_the_demo_round_published_and_finalised(app, client, login_as):
    with app.app_context():
        load_demo()
        round_ = db.session.scalar(sa.select(Round).where(Round.status == RoundStatus.CLOSED))
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
    page = client.get("/register/", query_string={"q": "avhoppare"}).text  # the open round: not public
    assert "0 remisser" in page
    page = client.get(f"/register/{round_id}").text
    assert "15 av 16 remissinstanser har svarat" in page
    assert f"{silent[0]}</th>\n    <td>Inget svar" in page
    feedback = client.get(f"/register/{round_id}/feedback").text
    assert "Samverkan beskrivs nu i en egen bilaga." in feedback
    assert "Vi vill att handlingsplanen beskriver samverkans omfattning" in feedback
