"""Login hardening beyond tests/test_auth.py: ``next`` in its encoded disguises through the real
login page, a session from before signing in is worth nothing after it, signing out ends the
remember-me cookie and the other devices, reset links work once and expire."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role, TokenPurpose, User, UserToken
from remiss.auth.service import issue_password_link
from remiss.extensions import db
from tests.factories import PASSWORD, make_user


@pytest.fixture
def officer(app):
    with app.app_context():
        user = make_user(Role.OFFICER, email="hanna@example.goteborg.se")
        db.session.commit()
        return user.email


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def next_on_the_page(client, query: str) -> str:
    """What the login page carries forward in its hidden ``next`` field."""
    page = client.get(f"/auth/login?{query}").text
    tag = re.search(r'<input[^>]*name="next"[^>]*>', page)[0]
    value = re.search(r'value="([^"]*)"', tag)
    return html.unescape(value[1]) if value else ""


@pytest.mark.parametrize(
    "query",
    [
        "next=%2F%2Fevil.example",
        "next=%2F%2F%2Fevil.example",
        "next=https%3A%2F%2Fevil.example%2F",
        "next=http%3Aevil.example",
        "next=%2F%5Cevil.example",
        "next=%5C%5Cevil.example",
        "next=%2F%09%2Fevil.example",  # browsers drop the tab: //evil.example
        "next=%09%2F%2Fevil.example",
        "next=%20%2F%2Fevil.example",
        "next=%E2%80%8B%2F%2Fevil.example",  # a zero-width space in front
        "next=%EF%BC%8F%EF%BC%8Fevil.example",  # fullwidth solidus
        "next=javascript%3Aalert(document.cookie)",
        "next=%2F%0D%0ALocation%3A%20https%3A%2F%2Fevil.example",
        "next=%2F%00%2Fevil.example",
        "next=data%3Atext%2Fhtml%2C%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_an_unsafe_next_leads_to_the_start_page(client, officer, query):
    target = next_on_the_page(client, query)
    response = sign_in(client, officer, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "query, location",
    [
        ("next=%2Faccessibility", "/accessibility"),
        ("next=%2Fadmin%2Fusers%2F%3Fsort%3Dname", "/admin/users/?sort=name"),
        # Encoded twice: a path on this site that happens to contain %2F; the browser stays here.
        ("next=%2F%252F%252Fevil.example", "/%2F%2Fevil.example"),
    ],
)
def test_a_safe_next_is_followed(client, officer, query, location):
    response = sign_in(client, officer, next=next_on_the_page(client, query))
    assert response.headers["Location"] == location
    parts = urlsplit(response.headers["Location"])
    assert not parts.scheme and not parts.netloc


def test_a_session_from_before_signing_in_is_not_signed_in(app, client, officer):
    """Session fixation: whatever cookie a visitor had before, signing in issues a new one, and the
    old one stays anonymous."""
    with client.session_transaction() as session:  # e.g. the CSRF token of the login form
        session["csrf_token"] = "0123456789abcdef"
    before = client.get_cookie("session").value
    sign_in(client, officer)
    after = client.get_cookie("session").value
    assert after != before
    planted = app.test_client()
    planted.set_cookie("session", before)
    response = planted.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_signing_out_ends_the_remember_me_cookie_and_every_other_device(app, client, officer):
    response = sign_in(client, officer, remember="y")
    assert response.status_code == 302
    remember = client.get_cookie("remember_token").value
    # "/" sends everyone to a start page; the officer's own start page tells signed in from not.
    laptop = app.test_client()
    sign_in(laptop, officer)
    assert laptop.get("/rounds/start").status_code == 200

    # The remember-me cookie alone signs in, before signing out ...
    alone = app.test_client()
    alone.set_cookie("remember_token", remember)
    assert alone.get("/rounds/start").status_code == 200

    client.post("/auth/logout")
    assert client.get("/rounds/start").status_code == 302
    # ... but not after: neither the cookie nor the other device's session.
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert replay.get("/rounds/start").status_code == 302
    assert laptop.get("/rounds/start").status_code == 302


def _link(app, email: str, purpose=TokenPurpose.RESET) -> str:
    with app.test_request_context():
        link = issue_password_link(User.by_email(email), purpose)
        db.session.commit()
    return urlsplit(link).path


def _set(client, path: str, password: str):
    return client.post(path, data={"password": password, "confirm": password})


def test_a_reset_link_works_once(app, client, officer):
    path = _link(app, officer)
    assert client.get(path).status_code == 200
    assert _set(client, path, "första nya lösenordet").status_code == 302
    again = client.get(path)
    assert again.status_code == 410 and "Länken gäller inte" in again.text
    assert _set(client, path, "andra nya lösenordet").status_code == 410
    assert sign_in(client, officer, "andra nya lösenordet").status_code == 401
    assert sign_in(client, officer, "första nya lösenordet").status_code == 302


def test_using_one_link_spends_the_older_ones(app, client, officer):
    older = _link(app, officer)
    newer = _link(app, officer)
    assert _set(client, newer, "det nya lösenordet").status_code == 302
    assert client.get(older).status_code == 410
    assert _set(client, older, "ett annat lösenord").status_code == 410


def test_an_expired_reset_link_does_nothing(app, client, officer):
    path = _link(app, officer)
    with app.app_context():
        token = db.session.scalar(sa.select(UserToken))
        token.expires_at = token.created_at
        db.session.commit()
    assert client.get(path).status_code == 410
    assert _set(client, path, "ett nytt lösenord").status_code == 410
    assert sign_in(client, officer).status_code == 302  # the old password still holds


@pytest.mark.parametrize("token", ["", "x", "a" * 500, "../../etc/passwd", "%00", "' OR 1=1 --"])
def test_made_up_links_are_refused(client, token):
    response = client.get(f"/auth/password/{token}")
    assert response.status_code in (404, 410)
    assert response.status_code == 404 or "Länken gäller inte" in response.text
