"""Accounts, roles, signing in and out, invitation and reset links."""

from __future__ import annotations

from flask import Flask

from remiss.extensions import db, login_manager


def init_app(app: Flask) -> None:
    @login_manager.user_loader
    def load_user(user_id: str):
        from remiss.auth.models import User

        ident, _, token = user_id.partition(":")
        if not ident.isdigit():
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_token != token:
            return None
        return user
