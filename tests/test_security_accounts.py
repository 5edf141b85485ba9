"""Secrets never in logs; accounts not guessable; sessions bounded (issue 14, item 3).

* No log record holds a one-time link or its token: through an invitation, a reset, setting the
  password and signing in, and in the request lines the servers log.
* Signing in says the same for an unknown address, a wrong password, a deactivated account and
  an account without a password, takes the same time (one Argon2 check with the same
  parameters), and an unknown address slows down and "locks" exactly like an account.
* "Forgot password" sends at most three e-mails an hour per address, silently.
* Failed sign-ins are limited per client address in the database: across two app instances
  sharing it (two gunicorn workers), on SQLite and PostgreSQL; X-Forwarded-For only when
  ``PROXY_COUNT`` says a proxy sets it.
* A remember-me cookie issued more than 14 days ago is refused by the server."""

from __future__ import annotations

import logging
import re
import statistics
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from remiss import create_app
from remiss.auth import RedactPasswordLinks
from remiss.auth.models import Role, User
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind
from tests.factories import PASSWORD, make_organisation, make_user

KNOWN = "hanna@example.goteborg.se"
UNKNOWN = "ingen.alls@example.goteborg.se"
WRONG = "Fel e-postadress eller lösenord."


@pytest.fixture
def accounts(app):
    with app.app_context():
        make_user(Role.OFFICER, email=KNOWN, name="Hanna H")
        make_user(Role.OFFICER, email="slutat@example.goteborg.se", active=False)
        make_user(Role.MANAGER, email="utan.losenord@example.goteborg.se", password=None)
        make_user(Role.ADMIN, email="admin@example.goteborg.se")
        db.session.commit()


def sign_in(client, email, password=PASSWORD, address="10.0.0.1", **extra):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, **extra},
        environ_base={"REMOTE_ADDR": address},
    )


def account_mails(app) -> list[Message]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Message).where(Message.kind == MessageKind.ACCOUNT).order_by(Message.id)
        ).all()
        db.session.expunge_all()
        return rows


def link_in(message: Message) -> str:
    return re.search(r"http://localhost(/auth/password/[^\s\"<]+)", message.body_text).group(1)


# Secrets never in logs ----------------------------------------------------------------------
def test_no_link_or_token_is_logged_through_invitation_reset_and_sign_in(app, client, accounts, caplog):
    caplog.set_level(logging.DEBUG)
    admin = app.test_client()
    assert sign_in(admin, "admin@example.goteborg.se").status_code == 302
    with app.app_context():
        organisation_id = make_organisation("Kriminalvården").id
        db.session.commit()
    created = admin.post(
        "/admin/users/new",
        data={
            "name": "Kim K",
            "email": "kim@example.se",
            "role": "respondent",
            "organisation_id": organisation_id,
            "active": "y",
        },
        follow_redirects=True,
    )
    assert "Kontot för Kim K är skapat." in created.text  # the admin sees the link on screen
    client.post("/auth/forgot", data={"email": KNOWN})
    invitation, reset = account_mails(app)
    for message in (invitation, reset):
        path = link_in(message)
        assert client.get(path).status_code == 200
        assert client.post(path, data={"password": "ett långt lösenord", "confirm": "ett långt lösenord"})
    assert sign_in(client, "kim@example.se", "ett långt lösenord").status_code == 302

    tokens = [link_in(m).rsplit("/", 1)[1] for m in (invitation, reset)]
    for token in tokens:
        assert token not in caplog.text
    assert "/auth/password/" not in caplog.text
    assert "ett långt lösenord" not in caplog.text and PASSWORD not in caplog.text


@pytest.mark.parametrize(
    "logger, msg, args",
    [
        # The development server's request line.
        (
            "werkzeug",
            '%s - - [%s] "%s" %s -',
            ("127.0.0.1", "6/Dec/2026", "GET /auth/password/{t} HTTP/1.1", 200),
        ),
        # gunicorn's access log: the format with a dict of atoms.
        (
            "gunicorn.access",
            '%(h)s "%(r)s" %(s)s %(U)s',
            {
                "h": "10.1.1.1",
                "r": "GET /auth/password/{t}?x=1 HTTP/1.1",
                "s": "200",
                "U": "/auth/password/{t}",
            },
        ),
    ],
)
def test_the_request_lines_servers_log_hide_the_token(app, caplog, logger, msg, args):
    token = "Zq3-secret_Token42"
    if isinstance(args, dict):
        args = {k: v.format(t=token) if isinstance(v, str) else v for k, v in args.items()}
    else:
        args = tuple(a.format(t=token) if isinstance(a, str) else a for a in args)
    assert any(isinstance(f, RedactPasswordLinks) for f in logging.getLogger(logger).filters)
    caplog.set_level(logging.INFO, logger=logger)
    if isinstance(args, dict):
        logging.getLogger(logger).info(msg, args)
    else:
        logging.getLogger(logger).info(msg, *args)
    assert token not in caplog.text
    assert "/auth/password/[dold]" in caplog.text


# Accounts not guessable ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "email, password",
    [
        (UNKNOWN, "vad som helst"),
        (KNOWN, "fel lösenord"),
        ("slutat@example.goteborg.se", PASSWORD),  # deactivated, the right password
        ("slutat@example.goteborg.se", "fel lösenord"),
        ("utan.losenord@example.goteborg.se", "vad som helst"),  # an account without a password
    ],
    ids=["unknown", "wrong-password", "deactivated-right-password", "deactivated-wrong", "no-password"],
)
def test_every_refusal_looks_the_same(client, accounts, email, password):
    response = sign_in(client, email, password)
    assert response.status_code == 401
    assert WRONG in response.text
    assert "inaktiverat" not in response.text and "finns inte" not in response.text


def _normalised(page: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", re.sub(r'value="[^"]*"', "", page))


def test_an_unknown_address_slows_down_and_locks_exactly_like_an_account(app, accounts):
    """Known and unknown addresses, the same wrong tries: the same status and page each time,
    and both wait (the right password must wait too)."""
    known, unknown = app.test_client(), app.test_client()
    tries = app.config["LOGIN_FAILURES_BEFORE_DELAY"] + 2
    for _ in range(tries):
        a = sign_in(known, KNOWN, "fel", address="10.0.1.1")
        b = sign_in(unknown, UNKNOWN, "fel", address="10.0.1.2")
        assert a.status_code == b.status_code == 401
        assert _normalised(a.text).replace(KNOWN, "") == _normalised(b.text).replace(UNKNOWN, "")
    assert "För många misslyckade inloggningsförsök. Vänta" in a.text
    locked = sign_in(known, KNOWN, PASSWORD, address="10.0.1.1")
    assert locked.status_code == 401 and "Vänta" in locked.text


def test_an_unknown_address_is_as_slow_to_refuse_as_a_wrong_password(app, accounts):
    """The production Argon2 parameters; the medians of interleaved tries lie within 35 % (the
    check without a dummy hash is a hundred times faster)."""
    app.config.update(PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY", LOGIN_FAILURES_PER_ADDRESS=10_000)
    with app.app_context():
        User.by_email(KNOWN).set_password(PASSWORD)  # stored with the production parameters
        db.session.commit()
    client = app.test_client()
    sign_in(client, UNKNOWN, "x")  # warm up (the dummy hash is made once)
    sign_in(client, KNOWN, "x")
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(8):
        for who, email in (("known", KNOWN), ("unknown", f"ingen{i}@example.goteborg.se")):
            start = time.perf_counter()
            response = sign_in(client, email, "fel lösenord")
            times[who].append(time.perf_counter() - start)
            assert response.status_code == 401
    known, unknown = statistics.median(times["known"]), statistics.median(times["unknown"])
    assert known > 0.005, "the production profile should make a check take a while"
    assert abs(known - unknown) <= 0.35 * max(known, unknown), (known, unknown)


# Reset e-mails throttled per address -----------------------------------------------------------
FORGOT_ANSWER = "Om adressen har ett konto i remisstjänsten skickas en länk"


def test_reset_mails_are_throttled_per_address_and_the_page_says_the_same(app, client, accounts, monkeypatch):
    pages = []
    for _ in range(5):
        response = client.post("/auth/forgot", data={"email": KNOWN}, follow_redirects=True)
        pages.append((response.status_code, FORGOT_ANSWER in response.text))
    unknown = client.post("/auth/forgot", data={"email": UNKNOWN}, follow_redirects=True)
    assert pages == [(200, True)] * 5
    assert (unknown.status_code, FORGOT_ANSWER in unknown.text) == (200, True)
    assert [m.to_address for m in account_mails(app)] == [KNOWN] * 3
    # Another address has its own allowance.
    client.post("/auth/forgot", data={"email": "admin@example.goteborg.se"})
    assert len(account_mails(app)) == 4

    # An hour later, one more may go.
    later = utcnow() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr("remiss.auth.service.utcnow", lambda: later)
    client.post("/auth/forgot", data={"email": KNOWN.upper()})
    assert [m.to_address for m in account_mails(app)].count(KNOWN) == 4


# Failed sign-ins limited per client address, across workers -------------------------------------
BLOCKED = "För många misslyckade inloggningsförsök från din dator eller ditt nätverk"


def second_worker(app):
    """Another app instance on the same database, as a second gunicorn worker is."""
    keys = (
        "TESTING",
        "SECRET_KEY",
        "PASSWORD_HASH_PROFILE",
        "SQLALCHEMY_DATABASE_URI",
        "UPLOAD_FOLDER",
        "BASE_URL",
        "SERVER_NAME",
        "WTF_CSRF_ENABLED",
        "LOGIN_FAILURES_PER_ADDRESS",
        "PROXY_COUNT",
    )
    return create_app({k: app.config[k] for k in keys})


def test_failed_sign_ins_are_limited_per_client_address_across_workers(app, accounts, monkeypatch):
    app.config.update(LOGIN_FAILURES_PER_ADDRESS=6)
    other = second_worker(app)
    try:
        one, two = app.test_client(), other.test_client()
        # Six failures from one address, spread over both workers and over many accounts.
        for i in range(3):
            assert sign_in(one, f"gissning{i}@example.se", "x", address="192.0.2.7").status_code == 401
            assert sign_in(two, f"gissning{i}@example.se", "y", address="192.0.2.7").status_code == 401
        # Now both workers refuse that address, even with the right password ...
        for client in (one, two):
            response = sign_in(client, KNOWN, address="192.0.2.7")
            assert response.status_code == 429
            assert BLOCKED in response.text
        # ... and a made-up X-Forwarded-For does not get around it (no proxy configured).
        forged = sign_in(one, KNOWN, address="192.0.2.7", headers={"X-Forwarded-For": "198.51.100.1"})
        assert forged.status_code == 429
        # Other addresses are not affected; successes do not count.
        for address in ("192.0.2.8", "2001:db8::1"):
            response = sign_in(app.test_client(), KNOWN, address=address)
            assert response.status_code == 302, address
        # The window passes.
        later = utcnow() + timedelta(seconds=app.config["LOGIN_ADDRESS_WINDOW_SECONDS"] + 1)
        monkeypatch.setattr("remiss.auth.service.utcnow", lambda: later)
        assert sign_in(app.test_client(), KNOWN, address="192.0.2.7").status_code == 302
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_behind_the_proxy_the_client_address_comes_from_x_forwarded_for(app, accounts):
    app.config.update(LOGIN_FAILURES_PER_ADDRESS=2, PROXY_COUNT=1)
    behind = second_worker(app)
    try:
        client = behind.test_client()

        def attempt(client_address, secret="fel"):  # noqa: S107 (a wrong one)
            return client.post(
                "/auth/login",
                data={"email": KNOWN, "password": secret},
                environ_base={"REMOTE_ADDR": "10.9.9.9"},  # the proxy
                headers={"X-Forwarded-For": client_address},
            )

        assert attempt("198.51.100.1").status_code == 401
        assert attempt("198.51.100.1").status_code == 401
        assert attempt("198.51.100.1", PASSWORD).status_code == 429
        # Another client behind the same proxy is still let in.
        assert attempt("198.51.100.2", PASSWORD).status_code == 302
    finally:
        with behind.app_context():
            db.session.remove()
            db.engine.dispose()


# Remember-me bounded by the server --------------------------------------------------------------
def _remember_cookie_issued(app, monkeypatch, days_ago: float) -> str:
    issued = utcnow() - timedelta(days=days_ago)
    monkeypatch.setattr("remiss.auth.models.utcnow", lambda: issued)
    client = app.test_client()
    assert sign_in(client, KNOWN, remember="y").status_code == 302
    monkeypatch.undo()
    return client.get_cookie("remember_token").value


@pytest.mark.parametrize("days_ago, signed_in", [(13.9, True), (14.1, False), (15, False), (400, False)])
def test_a_remember_me_cookie_is_refused_14_days_after_it_was_issued(
    app, accounts, monkeypatch, days_ago, signed_in
):
    cookie = _remember_cookie_issued(app, monkeypatch, days_ago)
    browser = app.test_client()  # a browser that kept the cookie whatever it was told
    browser.set_cookie("remember_token", cookie)
    response = browser.get("/rounds/start")
    assert (response.status_code == 200) is signed_in
    if not signed_in:
        assert "/auth/login" in response.location


def test_a_session_carried_on_from_an_old_cookie_ends_too(app, accounts, monkeypatch):
    """The session made from a remember-me cookie carries the cookie's issue time: it does not
    outlive the 14 days either."""
    cookie = _remember_cookie_issued(app, monkeypatch, 13.99)
    browser = app.test_client()
    browser.set_cookie("remember_token", cookie)
    assert browser.get("/rounds/start").status_code == 200
    browser.delete_cookie("remember_token")
    assert browser.get("/rounds/start").status_code == 200  # the session alone
    later = utcnow() + timedelta(hours=1)
    monkeypatch.setattr("remiss.auth.utcnow", lambda: later)
    assert "/auth/login" in browser.get("/rounds/start").location
