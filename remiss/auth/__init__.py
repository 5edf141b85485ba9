"""Accounts, roles, signing in and out, invitation and reset links."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from remiss.core.time import utcnow
from remiss.extensions import db, login_manager

# The paths of secret links: a one-time password link, the personal link of a round's
# invitation (``remiss.answers.invitation``). Whoever reads a log must not be able to use them.
SECRET_LINK_PATHS = ("/auth/password/", "/inbjudan/")
_SECRET_LINK = re.compile("(" + "|".join(map(re.escape, SECRET_LINK_PATHS)) + r")[^\s\"'?#]+")
# Request lines are logged by these (the development server, gunicorn's access log).
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


class RedactPasswordLinks(logging.Filter):
    """Replaces the token of ``/auth/password/<token>`` and ``/inbjudan/<token>`` in a log record
    with ``[dold]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 (a broken record is logging's business)
            return True
        if any(path in text for path in SECRET_LINK_PATHS):
            record.msg, record.args = _SECRET_LINK.sub(r"\1[dold]", text), None
        return True


def issued_in_time(issued: str, now: datetime | None = None) -> bool:
    """Whether a sign-in issued at ``issued`` (Unix seconds) is younger than the remember-me
    cookie may be (``REMEMBER_COOKIE_DURATION``, 14 days)."""
    if not issued.isdigit():
        return False
    now = now or utcnow()
    at = datetime.fromtimestamp(int(issued), UTC)
    return at <= now + timedelta(minutes=1) and now - at <= current_app.config["REMEMBER_COOKIE_DURATION"]


def init_app(app: Flask) -> None:
    # Behind the city's reverse proxy the client's address (which the sign-in limit counts) is
    # taken from X-Forwarded-For, but only from as many proxies as PROXY_COUNT says; by default
    # none, so a client cannot pick its own address with a made-up header.
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # The app's own logger too: an error in a request is logged with the request's path.
    for logger in [*(logging.getLogger(name) for name in REQUEST_LOGGERS), app.logger]:
        if not any(isinstance(f, RedactPasswordLinks) for f in logger.filters):
            logger.addFilter(RedactPasswordLinks())

    @login_manager.user_loader
    def load_user(user_id: str):
        from remiss.auth.models import User

        parts = user_id.split(":")
        if len(parts) != 3:
            return None  # e.g. a cookie from before sign-ins carried their time
        ident, token, issued = parts
        if not ident.isdigit() or not issued_in_time(issued):
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_token != token:
            return None
        return user
