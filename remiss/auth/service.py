"""Signing in, with slowdown after repeated failures, and one-time password links."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for

from remiss.auth.models import TokenPurpose, User, UserToken, password_hasher
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


def _wait_text(seconds: float) -> str:
    seconds = max(1, int(seconds + 0.999))
    if seconds < 90:
        return f"{seconds} sekunder"
    return f"{(seconds + 59) // 60} minuter"


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """Return the user whose credentials these are, or raise ``LoginRefused`` with the Swedish
    message to show. Failures are counted per account; after ``LOGIN_FAILURES_BEFORE_DELAY`` in a
    row the account must wait, twice as long after each further failure. The caller commits."""
    now = now or utcnow()
    config = current_app.config
    user = User.by_email(email)
    wrong = LoginRefused("Fel e-postadress eller lösenord.")
    if user is None:
        # Spend the time a real check takes, so timing does not tell which addresses exist.
        hasher = password_hasher()
        hasher.verify(_dummy_hash(hasher), _DUMMY_PASSWORD)
        raise wrong
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused(
            "För många misslyckade inloggningsförsök. Vänta "
            f"{_wait_text((user.locked_until - now).total_seconds())} och försök igen."
        )
    if not user.check_password(password):
        user.failed_logins += 1
        excess = user.failed_logins - config["LOGIN_FAILURES_BEFORE_DELAY"]
        if excess >= 0:
            delay = min(config["LOGIN_DELAY_SECONDS"] * 2**excess, config["LOGIN_MAX_DELAY_SECONDS"])
            user.locked_until = now + timedelta(seconds=delay)
            raise LoginRefused(
                f"För många misslyckade inloggningsförsök. Vänta {_wait_text(delay)} och försök igen."
            )
        raise wrong
    if not user.active:
        raise LoginRefused("Kontot är inaktiverat. Kontakta systemförvaltaren.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


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
    current_app.logger.info("%s link for %s: %s", purpose.label, user.email, link)
    queue(messages.account(user, link, invited=purpose is TokenPurpose.INVITATION))
    return link


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
