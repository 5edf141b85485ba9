"""Every state-changing request (every POST route in the URL map) without a valid CSRF token is
refused with the Swedish "Formuläret har gått ut" page, and nothing in the database changes.
A new POST route is covered here automatically."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from tests import test_role_matrix
from tests.http import csrf_token, signed_in_client
from tests.test_role_matrix import ROUTES, allowed_roles, url_of

url_values = test_role_matrix.url_values  # the fixture: a value for every URL argument

pytestmark = pytest.mark.csrf

POST_ROUTES = [route for route in ROUTES if route.values[2] == "POST"]

# Plausible form data: the token is all that is missing.
GENERIC = {"name": "Ändrat namn", "email": "andrad@example.se", "password": "ett långt lösenord"}


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table, to prove that nothing changed."""
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        state[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    db.session.rollback()
    return state


@pytest.mark.parametrize("endpoint, rule, method", POST_ROUTES)
@pytest.mark.parametrize("token", ["missing", "wrong", "another session's"])
def test_post_without_a_valid_token_is_refused(app, endpoint, rule, method, url_values, token):
    values, users = url_values
    url = url_of(app, endpoint, values)
    allowed = allowed_roles(endpoint, method)  # from the permission table (tests/permissions.py)
    # Someone who may use the route, so that only the token stands in the way.
    role = None if allowed is None else sorted(allowed, key=lambda r: r.value)[0]
    client = signed_in_client(app, users[role] if role else None)
    data = dict(GENERIC)
    if token == "wrong":
        data["csrf_token"] = "IjAxMjM0NTY3ODlhYmNkZWYi.Zm9v.YmFy"
    elif token == "another session's":
        other = signed_in_client(app, users[role] if role else None)
        data["csrf_token"] = csrf_token(other)

    with app.app_context():
        before = database_state()
    response = client.post(url, data=data)
    assert response.status_code == 400, f"{role} POST {url} with a {token} token: {response.status_code}"
    assert "Formuläret har gått ut" in response.text
    assert "Ladda om sidan och försök igen." in response.text
    with app.app_context():
        assert database_state() == before


def test_the_same_post_with_the_token_goes_through(app, url_values):
    """The control: with the page's token the same kind of request changes things, so the refusals
    above are the token's doing."""
    values, users = url_values
    client = signed_in_client(app, users[Role.ADMIN])
    token = csrf_token(client, "/admin/organisations/new")
    response = client.post(
        "/admin/organisations/new",
        data={
            "csrf_token": token,
            "name": "Ny nämnd",
            "short_name": "NN",
            "kind": "namnd",
            "email": "ny@example.se",
            "active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM organisation WHERE name = 'Ny nämnd'")) == 1


def test_signing_out_needs_the_token_too(app, url_values):
    values, users = url_values
    client = signed_in_client(app, users[Role.OFFICER])
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/rounds/start").status_code == 200  # still signed in
    token = csrf_token(client, "/rounds/start")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    response = client.get("/rounds/start")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
