"""A hostile round file is a Swedish message, never a 500: nesting a hundred thousand levels
deep, a list or a number where text belongs, text longer than its column, a NUL byte."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round

BASE = {
    "title": "Riktlinje",
    "dnr": "1370/21",
    "sent_on": "2030-01-01",
    "deadline": "2030-02-01",
    "focus_areas": [{"number": "1", "title": "Ett", "measures": [{"number": "1:1", "title": "Fråga"}]}],
    "recipients": [],
}


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER)


def post(client, raw: bytes):
    return client.post("/rounds/import", data={"file": (io.BytesIO(raw), "remiss.json")})


def test_deep_nesting(app, client, officer):
    response = post(client, b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 200
    assert "Filen är inte giltig JSON" in response.text


@pytest.mark.parametrize(
    "change",
    [
        {"title": ["en", "lista"]},
        {"title": 12},
        {"dnr": {"a": 1}},
        {"focus_areas": "inte en lista"},
        {"focus_areas": [{"number": 1, "title": None, "measures": "x"}]},
        {"title": "T" * 600},
        {"recipients": [{"namn": "x"}]},
    ],
)
def test_a_wrong_shape_is_named_and_nothing_imported(app, client, officer, change):
    response = post(client, json.dumps(BASE | change).encode())
    assert response.status_code == 200, response.text[:500]
    assert "Ingenting importerades" in response.text or "kunde inte importeras" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_control_characters_in_a_file_are_removed(app, client, officer):
    response = post(client, json.dumps(BASE | {"title": "Noll\u0000byte\u2028rad"}).encode())
    assert response.status_code == 302, response.text[:500]
    with app.app_context():
        assert db.session.scalar(sa.select(Round.title)) == "Nollbyte\nrad"
