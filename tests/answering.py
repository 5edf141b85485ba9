"""Helpers for the answer tests: an open round, signed-in clients, and reading a form off a page
the way a browser would submit it."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import sqlalchemy as sa

from remiss.answers.models import AnswerVersion
from remiss.auth.models import Role, User
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round
from tests.factories import PASSWORD, make_round, make_user

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
        round_.open()
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


class _FormReader(HTMLParser):
    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            elif kind not in ("file", "submit"):
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the one line break right after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.values[self._textarea] = text
            self._textarea = None
        if tag == "form":
            self.inside = False


def read_form(html: str, action: str) -> dict[str, str]:
    """The fields of the form posting to ``action`` as a browser would send them unchanged."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.values, f"no form posting to {action}"
    return reader.values


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
