"""Configuration in layers: defaults here, then ``instance/config.py``, then ``REMISS_*``
environment variables, then (in tests) the dict passed to ``create_app``."""

from __future__ import annotations

import json
import os
from datetime import timedelta


class Defaults:
    # No SECRET_KEY here on purpose: outside debug and tests the app refuses to start without one.
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # resolved in create_app: instance/remiss.sqlite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # one 20 MB upload plus the form around it
    MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    UPLOAD_FOLDER = None  # resolved in create_app: instance/uploads

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Set when the app sits behind TLS (the city's reverse proxy): browsers are then told to
    # use https only (Strict-Transport-Security).
    BEHIND_TLS = False
    HSTS_SECONDS = 365 * 24 * 3600
    # Uploaded files that no row refers to are removed once they are this old (a partial
    # upload of a killed worker, a file whose transaction never committed).
    ORPHAN_FILE_AGE = timedelta(days=1)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Argon2id parameters: a profile of argon2.profiles (RFC_9106_HIGH_MEMORY is stronger still).
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"  # noqa: S105 (a parameter set, not a password)

    # Login slowdown: after this many consecutive failures an account waits, doubling each time.
    LOGIN_FAILURES_BEFORE_DELAY = 5
    LOGIN_DELAY_SECONDS = 30
    LOGIN_MAX_DELAY_SECONDS = 15 * 60
    TOKEN_VALID_HOURS = 72
    # Failed sign-ins per client address (all accounts, all workers: counted in the database);
    # beyond this many in a window the address is answered 429 until the window is over.
    LOGIN_FAILURES_PER_ADDRESS = 20
    LOGIN_ADDRESS_WINDOW_SECONDS = 15 * 60
    # "Forgot password" e-mails per e-mail address and window; beyond it nothing is sent (the
    # page says the same thing either way).
    RESET_EMAILS_PER_ADDRESS = 3
    RESET_WINDOW_SECONDS = 3600
    # How many reverse proxies in front of the app set X-Forwarded-For (and -Proto): the client
    # address is taken from that header only when this is above 0.
    PROXY_COUNT = 0

    # The public register (/register/): every sent round is listed there and in its feed unless
    # the officer keeps it out (on); or only the rounds an officer chooses to list (off). A
    # round whose officer has made a choice keeps it whichever way this is set.
    REGISTER_LISTS_SENT_ROUNDS = True

    # Public base URL for links in e-mail (no request context in scheduled jobs).
    BASE_URL = "http://127.0.0.1:5000"

    # SMTP: with no host, messages stay in the database outbox.
    MAIL_HOST = None
    MAIL_PORT = 25
    MAIL_SECURITY = "none"  # none | starttls | ssl
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "Remisshantering Göteborgs Stad <remiss@example.goteborg.se>"
    MAIL_TIMEOUT = 10

    # The scheduler process (`flask run-scheduler`) runs remiss.jobs.run_due_jobs this often; the weekly
    # digest to officers goes out on this weekday (0 = Monday) from this local hour.
    # Sign-in through the city's identity provider (OpenID Connect, authorization code flow with
    # PKCE). Offered when an issuer and a client id are set; without them only passwords exist.
    # Register the tracker there with the redirect URI BASE_URL + /auth/oidc/callback and the
    # post-logout redirect URI BASE_URL + /auth/oidc/signed-out (README).
    OIDC_ISSUER = None  # e.g. "https://login.goteborg.se/realms/stad" (discovery below it)
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    OIDC_SCOPES = "openid email profile"
    OIDC_EMAIL_CLAIM = "email"
    OIDC_NAME_CLAIM = "name"
    OIDC_GROUPS_CLAIM = "groups"
    # Sign out of the provider too (RP-initiated logout) when it offers an end_session_endpoint.
    OIDC_END_SESSION = True
    OIDC_TIMEOUT_SECONDS = 10
    # The city's own addresses: with "require the provider" on, they cannot sign in by password.
    OIDC_CITY_EMAIL_DOMAINS = ["goteborg.se"]
    # Whom a person without a mapped group is told to ask (Swedish, after "Be …").
    OIDC_ACCESS_CONTACT = "remisstjänstens systemförvaltare på stadsledningskontoret"

    # The accessibility statement (tillgänglighetsredogörelse, /accessibility) as Digg's template
    # asks for it: the dates of the assessment, of publication and of the statement's last
    # update (ISO dates, e.g. "2026-12-06"), and where reports of problems go. Reports from the
    # statement's form are kept for the admin and sent by e-mail to ACCESSIBILITY_CONTACT_EMAIL;
    # the statement promises an answer within ACCESSIBILITY_RESPONSE_WORKING_DAYS.
    ACCESSIBILITY_CONTACT_EMAIL = "remisstjansten@example.goteborg.se"
    ACCESSIBILITY_CONTACT_PHONE = "031-365 00 00"  # Göteborgs Stads kontaktcenter
    ACCESSIBILITY_RESPONSE_WORKING_DAYS = 5
    ACCESSIBILITY_ASSESSED_ON = "2026-12-06"
    SERVICE_PUBLISHED_ON = "2026-11-22"
    STATEMENT_UPDATED_ON = "2026-12-06"
    # Reports from visitors who are not signed in, per client address and window; beyond it the
    # form asks them to wait or to write to the e-mail address instead.
    ACCESSIBILITY_REPORTS_PER_ADDRESS = 10
    ACCESSIBILITY_REPORT_WINDOW_SECONDS = 3600

    SCHEDULER_INTERVAL_SECONDS = 60
    # The scheduler and the job workers run this much below the web workers' CPU priority
    # (os.nice), so that a large export or import on the same machine does not slow the pages
    # people are waiting for; 0 keeps them at the same priority.
    BACKGROUND_NICENESS = 10
    NOTIFICATIONS_DIGEST_WEEKDAY = 0
    NOTIFICATIONS_DIGEST_HOUR = 7


ENV_PREFIX = "REMISS_"


def from_environment(environ: dict[str, str] | None = None) -> dict:
    """Read ``REMISS_FOO=value`` into ``{"FOO": value}``; JSON literals are decoded, so
    ``REMISS_MAIL_PORT=587`` is an int and ``REMISS_SESSION_COOKIE_SECURE=false`` a bool.
    ``REMISS_DATABASE_URL`` is the familiar alias of ``SQLALCHEMY_DATABASE_URI``; ``SECRET_KEY``
    is read with or without the prefix."""
    environ = os.environ if environ is None else environ
    values: dict = {}
    if environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = environ["SECRET_KEY"]
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX:
            continue
        key = name[len(ENV_PREFIX) :]
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if key == "DATABASE_URL":
            key, value = "SQLALCHEMY_DATABASE_URI", raw
        values[key] = value
    return values
