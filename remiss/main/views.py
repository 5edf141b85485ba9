from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    """Each role starts where its work is."""
    if current_user.is_admin:
        return redirect(url_for("users.index"))
    if current_user.is_respondent:
        return redirect(url_for("answers.index"))
    return render_template("main/index.html")


@bp.route("/accessibility")
def accessibility():
    return render_template("main/accessibility.html")
