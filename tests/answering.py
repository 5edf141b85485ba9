"""Helpers for the answer tests: an open round, signed-in clients, and reading a form off a page
the way a browser would submit it."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from remiss.answers.models import AnswerVersion
from remiss.auth.models import Role, User
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round
from tests.factories import PASSWORD, make_round, make_user, send
from tests.http import read_form

CENTRUM = "Socialnämnden Centrum"
NORDOST = "Socialnämnden Nordost"


def create_open_round(app, *, deadline: date | None = None, sent_on: date | None = None, **kwargs) -> int:
    """An open round sent to Centrum and Nordost; returns its id."""
    with app.app_context():
        officer = User.by_email("handlaggare@example.goteborg.se") or make_user(
            Role.OFFICER, email="handlaggare@example.goteborg.se", name="Hanna Handläggare"
        )
        values = {}
        if deadline is not None:
            values["deadline"] = deadline
            values["sent_on"] = sent_on or deadline - timedelta(days=40)
        values.update(kwargs)
        round_ = make_round(officer=officer, recipients=[CENTRUM, NORDOST], **values)
        send(round_)
        db.session.commit()
        return round_.id


def sign_in(app, role: Role = Role.RESPONDENT, organisation: str | None = CENTRUM, name: str | None = None):
    """A new browser (test client) signed in as a new user; returns (client, user id)."""
    with app.app_context():
        user = make_user(role, organisation if role is Role.RESPONDENT else None, name=name)
        db.session.commit()
        email, user_id = user.email, user.id
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client, user_id


def the_draft(app, round_id: int, organisation: str = CENTRUM) -> AnswerVersion | None:
    """The organisation's draft as stored (read in a fresh session)."""
    db.session.remove()
    recipient = db.session.scalar(
        sa.select(Recipient).where(
            Recipient.round_id == round_id,
            Recipient.organisation_id
            == sa.select(Organisation.id).where(Organisation.name == organisation).scalar_subquery(),
        )
    )
    return recipient.answer.draft if recipient.answer else None


def structure(app, round_id: int) -> dict[str, int]:
    """``{"1": focus area id, "1:1": measure id, ...}`` of a round."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        ids = {}
        for area in round_.focus_areas:
            ids[area.number] = area.id
            for measure in area.measures:
                ids[measure.number] = measure.id
        return ids


def user_name(app, user_id: int) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(User.name).where(User.id == user_id))


def edit_url(round_id: int) -> str:
    return f"/answers/rounds/{round_id}/edit"


def load_form(client, round_id: int) -> dict[str, str]:
    response = client.get(edit_url(round_id))
    assert response.status_code == 200, response.text
    return read_form(response.text, edit_url(round_id))


def download(client, url: str):
    """GET a file; returns the (closed) response with its bytes read."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response
