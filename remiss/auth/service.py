"""Signing in, with slowdown after repeated failures per e-mail address and a limit per client
address, and one-time password links (throttled per address)."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from argon2.exceptions import VerificationError
from flask import current_app, url_for

from remiss.auth.models import (
    LoginFailure,
    RateCounter,
    TokenPurpose,
    User,
    UserToken,
    normalise_email,
    password_hasher,
)
from remiss.core.errors import DomainError
from remiss.core.time import utcnow
from remiss.notifications import messages
from remiss.notifications.outbox import queue

_DUMMY_PASSWORD = "a password nobody has"  # noqa: S105 (compared against, never accepted)


@functools.cache
def _dummy_hash(hasher) -> str:
    return hasher.hash(_DUMMY_PASSWORD)


class LoginRefused(DomainError):
    pass


class TooManyFailures(DomainError):
    """Too many failed sign-ins from one client address (answered 429)."""


WRONG = "Fel e-postadress eller lösenord."
ADDRESS_BLOCKED = (
    "För många misslyckade inloggningsförsök från din dator eller ditt nätverk. "
    "Vänta en stund och försök igen."
)


def _wait_text(seconds: float) -> str:
    seconds = max(1, int(seconds + 0.999))
    if seconds < 90:
        return f"{seconds} sekunder"
    return f"{(seconds + 59) // 60} minuter"


def _locked(seconds: float) -> LoginRefused:
    return LoginRefused(
        f"För många misslyckade inloggningsförsök. Vänta {_wait_text(seconds)} och försök igen."
    )


def _spend_a_check() -> None:
    """The time checking a password takes (the same Argon2 parameters), without a password."""
    hasher = password_hasher()
    try:
        hasher.verify(_dummy_hash(hasher), _DUMMY_PASSWORD + "!")
    except VerificationError:
        pass


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """Return the user whose credentials these are, or raise ``LoginRefused`` with the Swedish
    message to show. The answer never tells whether the address has an account: an unknown
    address, a wrong password and a deactivated account get the same message after the same
    work (one Argon2 check), and failures are counted and slowed down the same way for an
    address without an account (``LoginFailure``) as for an account: after
    ``LOGIN_FAILURES_BEFORE_DELAY`` in a row the address must wait, twice as long after each
    further failure. The caller commits."""
    now = now or utcnow()
    config = current_app.config
    user = User.by_email(email)
    state: User | LoginFailure | None = user if user is not None else LoginFailure.find(email)
    if state is not None and state.locked_until is not None and state.locked_until > now:
        _spend_a_check()
        raise _locked((state.locked_until - now).total_seconds())
    if user is None or not user.password_hash:
        _spend_a_check()
        right = False
    else:
        right = user.check_password(password)
    if not right or not user.active:
        if state is None:
            state = LoginFailure.for_email(email, now)
        state.failed_logins += 1
        if isinstance(state, LoginFailure):
            state.updated_at = now
        excess = state.failed_logins - config["LOGIN_FAILURES_BEFORE_DELAY"]
        if excess >= 0:
            delay = min(config["LOGIN_DELAY_SECONDS"] * 2**excess, config["LOGIN_MAX_DELAY_SECONDS"])
            state.locked_until = now + timedelta(seconds=delay)
            raise _locked(delay)
        raise LoginRefused(WRONG)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


# Limits per client address and per e-mail address, in the database ----------------------------
LOGIN_SCOPE = "login-address"
RESET_SCOPE = "reset-email"


def check_client(address: str, now: datetime | None = None) -> None:
    """Raise ``TooManyFailures`` when ``address`` (the client's IP) has failed to sign in
    ``LOGIN_FAILURES_PER_ADDRESS`` times in the current window."""
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_ADDRESS_WINDOW_SECONDS"])
    failures = RateCounter.current(LOGIN_SCOPE, address, window, now or utcnow())
    if failures >= config["LOGIN_FAILURES_PER_ADDRESS"]:
        raise TooManyFailures(ADDRESS_BLOCKED)


def count_client_failure(address: str, now: datetime | None = None) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_ADDRESS_WINDOW_SECONDS"])
    return RateCounter.hit(LOGIN_SCOPE, address, window, now or utcnow())


def reset_allowed(email: str, now: datetime | None = None) -> bool:
    """Count a "forgot password" request for ``email`` (with or without an account) and say
    whether an e-mail may go out: at most ``RESET_EMAILS_PER_ADDRESS`` per window."""
    config = current_app.config
    window = timedelta(seconds=config["RESET_WINDOW_SECONDS"])
    count = RateCounter.hit(RESET_SCOPE, normalise_email(email), window, now or utcnow())
    return count <= config["RESET_EMAILS_PER_ADDRESS"]


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no ``//`` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def issue_password_link(user: User, purpose: TokenPurpose) -> str:
    """Create a one-time link to set a password and return its absolute URL."""
    token = UserToken.issue(user, purpose, timedelta(hours=current_app.config["TOKEN_VALID_HOURS"]))
    link = url_for("auth.set_password", token=token, _external=True)
    # Never logged: whoever reads a log could use it. It goes by e-mail (and to the admin who
    # asked for it on screen, or the command line).
    queue(messages.account(user, link, invited=purpose is TokenPurpose.INVITATION))
    return link


def compose_unsent_reset(email: str) -> None:
    """Write, and throw away, the e-mail a reset would send: a request for an address that gets
    no e-mail takes about as long as one that does."""
    stand_in = User(name=email, email=email)
    token = secrets.token_urlsafe(32)
    UserToken.hash(token)
    messages.account(stand_in, url_for("auth.set_password", token=token, _external=True), invited=False)


def use_password_link(token: str, password: str, now: datetime | None = None) -> User:
    """Set the password of the token's user and spend the token (and any other of theirs)."""
    now = now or utcnow()
    found = UserToken.find_valid(token, now)
    if found is None:
        raise DomainError("Länken är ogiltig, redan använd eller har gått ut. Be om en ny länk.")
    found.user.set_password(password)
    for other in found.user_tokens_open():
        other.used_at = now
    return found.user
