"""Signing in and out, slowdown, safe next, invitation and reset links."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role, TokenPurpose, User, UserToken
from remiss.auth.service import is_safe_next, issue_password_link
from remiss.extensions import db
from remiss.notifications.models import Message
from tests.factories import PASSWORD, make_user


def login(client, email, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def officer(app):
    with app.app_context():
        user = make_user(Role.OFFICER, email="hanna@example.goteborg.se", name="Hanna H")
        db.session.commit()
        return user.email


def test_login_page_is_swedish(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="sv">' in page
    assert "Logga in" in page and "Lösenord" in page and "E-postadress" in page


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_login_and_logout(client, officer):
    response = login(client, officer)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True).text
    assert "Hanna H" in page and "Handläggare" in page
    response = client.post("/auth/logout")
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/rounds/start").status_code == 302


def test_wrong_password_gets_a_swedish_message(client, officer):
    response = login(client, officer, "wrong password")
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord." in response.text
    response = login(client, "nobody@example.goteborg.se")
    assert "Fel e-postadress eller lösenord." in response.text


def test_repeated_failures_slow_down_the_account(app, client, officer):
    for _ in range(4):
        assert "Fel e-postadress" in login(client, officer, "nope").text
    response = login(client, officer, "nope")
    assert "För många misslyckade inloggningsförsök. Vänta 30 sekunder" in response.text
    # Even the right password must wait now.
    response = login(client, officer)
    assert response.status_code == 401
    assert "För många misslyckade inloggningsförsök" in response.text
    with app.app_context():
        user = User.by_email(officer)
        assert user.failed_logins == 5
        user.locked_until = user.locked_until - timedelta(seconds=31)  # time passes
        db.session.commit()
    # The next failure doubles the wait.
    assert "Vänta 60 sekunder" in login(client, officer, "nope").text
    with app.app_context():
        user = User.by_email(officer)
        user.locked_until = user.locked_until - timedelta(seconds=61)
        db.session.commit()
    assert login(client, officer).status_code == 302
    with app.app_context():
        assert User.by_email(officer).failed_logins == 0


def test_deactivated_account_cannot_sign_in(app, client, officer):
    with app.app_context():
        User.by_email(officer).active = False
        db.session.commit()
    response = login(client, officer)
    assert response.status_code == 401
    # The same answer as a wrong password or an unknown address: nothing tells which it was.
    assert "Fel e-postadress eller lösenord." in response.text
    assert "inaktiverat" not in response.text


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/admin/users/", True),
        ("/rounds/1?tab=2", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
        ("/\nLocation: x", False),
    ],
)
def test_safe_next(target, safe):
    assert is_safe_next(target) is safe


def test_login_follows_safe_next_only(client, officer):
    response = login(client, officer, next="/accessibility")
    assert response.headers["Location"] == "/accessibility"
    client.post("/auth/logout")
    response = login(client, officer, next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_session_changes_at_login_and_old_cookie_dies_at_logout(app, client, officer):
    client.get("/auth/login")
    login(client, officer)
    cookie = client.get_cookie("session").value
    assert client.get("/rounds/start").status_code == 200
    client.post("/auth/logout")
    # A copy of the signed-in cookie, replayed after logout, is no longer a session.
    other = app.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/rounds/start").status_code == 302


def test_login_replaces_the_previous_session(client, officer):
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, officer)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(str(1))


def test_remember_me_cookie_lasts_at_most_14_days(client, officer):
    response = login(client, officer, remember="y")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=1209600" in cookie or "Expires=" in cookie


def _issue(app, email, purpose=TokenPurpose.INVITATION):
    with app.test_request_context():
        user = User.by_email(email)
        link = issue_password_link(user, purpose)
        db.session.commit()
    return link.replace("http://localhost", "")


def test_invitation_link_sets_password_once(app, client):
    with app.app_context():
        make_user(Role.RESPONDENT, "Kriminalvården", email="kim@example.se", password=None)
        db.session.commit()
    path = _issue(app, "kim@example.se")
    page = client.get(path)
    assert page.status_code == 200 and "Välkommen till remisstjänsten" in page.text
    response = client.post(path, data={"password": "kort", "confirm": "kort"})
    assert "Lösenordet måste ha minst 12 tecken." in response.text
    response = client.post(path, data={"password": "ett långt lösenord", "confirm": "annat"})
    assert "Lösenorden är inte lika." in response.text
    response = client.post(path, data={"password": "ett långt lösenord", "confirm": "ett långt lösenord"})
    assert response.status_code == 302
    assert login(client, "kim@example.se", "ett långt lösenord").status_code == 302
    client.post("/auth/logout")
    # The link works once.
    again = client.get(path)
    assert again.status_code == 410 and "Länken gäller inte" in again.text
    response = client.post(path, data={"password": "ett annat lösenord", "confirm": "ett annat lösenord"})
    assert response.status_code == 410
    assert login(client, "kim@example.se", "ett annat lösenord").status_code == 401


def test_invitation_link_expires_after_72_hours(app, client):
    with app.app_context():
        make_user(Role.MANAGER, email="chef@example.se", password=None)
        db.session.commit()
    path = _issue(app, "chef@example.se")
    with app.app_context():
        token = db.session.scalar(sa.select(UserToken))
        assert timedelta(hours=71) < token.expires_at - token.created_at <= timedelta(hours=72)
        token.expires_at = token.created_at  # 72 hours later
        db.session.commit()
    assert client.get(path).status_code == 410


def test_forgot_password_gives_the_same_answer_for_any_address(app, client, officer, caplog):
    caplog.set_level("DEBUG")
    known = client.post("/auth/forgot", data={"email": officer}, follow_redirects=True)
    unknown = client.post("/auth/forgot", data={"email": "x@example.se"}, follow_redirects=True)
    message = "Om adressen har ett konto i remisstjänsten skickas en länk"
    assert message in known.text and message in unknown.text
    assert known.status_code == unknown.status_code == 200
    assert "/auth/password/" not in caplog.text  # the link goes by e-mail only
    with app.app_context():
        [mail] = db.session.scalars(sa.select(Message)).all()
        assert mail.to_address == officer
        path = re.search(r"http://localhost(/auth/password/\S+)", mail.body_text).group(1)
    client.post(path, data={"password": "nytt långt lösenord", "confirm": "nytt långt lösenord"})
    assert login(client, officer, "nytt långt lösenord").status_code == 302


def test_reset_ends_existing_sessions(app, client, officer):
    login(client, officer)
    assert client.get("/rounds/start").status_code == 200
    path = _issue(app, officer, TokenPurpose.RESET)
    app.test_client().post(path, data={"password": "nytt långt lösenord", "confirm": "nytt långt lösenord"})
    assert client.get("/rounds/start").status_code == 302
