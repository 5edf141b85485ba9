from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from remiss.auth.models import Role

bp = Blueprint("main", __name__)

# Each role starts where its work is.
START_PAGES = {
    Role.ADMIN: "users.index",
    Role.OFFICER: "rounds.dashboard",
    Role.MANAGER: "rounds.index",
    Role.RESPONDENT: "answers.index",
}


@bp.route("/")
@login_required
def index():
    return redirect(url_for(START_PAGES[current_user.role]))


@bp.route("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/favicon.ico")
def favicon():
    """The icon a browser asks for at the root whatever the page links (``static/favicon.ico``;
    pages link it and ``static/favicon.svg`` in ``base.html``)."""
    return current_app.send_static_file("favicon.ico")
