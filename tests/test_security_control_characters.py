"""Control characters never get past the request: a NUL byte (which PostgreSQL refuses), an
escape, a line or paragraph separator typed or posted into any field or query argument is
removed (tabs and line breaks kept), on SQLite and PostgreSQL alike – no 500, nothing lost that a
person typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.core.text import clean_text, one_line
from remiss.extensions import db
from remiss.rounds.models import Round

HOSTILE = "a\x00b\x1bc\u2028d\u2029e\x7ff\x9fg\ufffeh"


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        (HOSTILE, "abc\nd\nefgh"),
        ("rad 1\r\nrad 2\n\ttabb", "rad 1\r\nrad 2\n\ttabb"),  # multi-line text keeps its shape
        ("Åtgärder – ”citat” €", "Åtgärder – ”citat” €"),
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


def test_one_line_for_headers():
    assert one_line("Remiss\r\nBcc: x@example.se\u2028rad") == "Remiss Bcc: x@example.se rad"


def test_a_nul_byte_at_sign_in_is_just_a_wrong_password(client, login_as):
    response = client.post("/auth/login", data={"email": "ingen\x00@example.se", "password": "x\x00y"})
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord" in response.text


def test_searches_with_control_characters(app, client, login_as):
    login_as(Role.MANAGER)
    for path in ("/rounds/", "/register/"):
        response = client.get(path, query_string={"q": HOSTILE})
        assert response.status_code == 200, path


def test_a_round_title_is_stored_without_control_characters(app, client, login_as):
    officer = login_as(Role.OFFICER)
    response = client.post(
        "/rounds/new",
        data={
            "title": "Remiss\x00 med\u2028radbrytning",
            "dnr": "12/26",
            "description": "Första raden\r\nAndra\x1b raden",
            "decision": "",
            "officer_id": str(officer.id),
            "sent_on": "2030-01-01",
            "deadline": "2030-02-01",
        },
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round))
        assert round_.title == "Remiss med radbrytning"  # a one-line field stays one line
        assert round_.description == "Första raden\nAndra raden"
