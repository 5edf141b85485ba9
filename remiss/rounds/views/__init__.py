"""Officers create, structure, send and follow a round; managers follow. One module per sub-area:
``round`` (the list, the round page and its life), ``structure``, ``recipients``, ``documents``.

Each view: load or 404 → access → form → one operation from ``rounds.operations`` → one commit
→ flash → redirect. A ``ConfirmationRequired`` shows ``rounds/confirm.html``, whose button posts
the same form again with ``confirm=1``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from remiss.core.errors import ConfirmationRequired, DomainError
from remiss.core.forms import ButtonForm
from remiss.extensions import db

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


def actor():
    return current_user._get_current_object()


# Where the officer was in the round page's table of bodies (its page and its filter), carried
# in the query string of a row's action so that its redirect returns there.
TABLE_PLACE = ("visa", "remissinstanser")


def table_place() -> dict[str, str]:
    """The place in the round page's table this request came from (``TABLE_PLACE``)."""
    return {name: request.args[name] for name in TABLE_PLACE if request.args.get(name)}


def to_round(round_, anchor: str | None = None):
    """The round page, at the place in the table of bodies the action came from."""
    return redirect(url_for("rounds.show", round_id=round_.id, _anchor=anchor, **table_place()))


def refuse(round_, error: DomainError, anchor: str | None = None):
    """Undo the attempt and show its Swedish message on the round page."""
    db.session.rollback()
    flash(error.message, "error")
    return to_round(round_, anchor)


def require_post_form() -> None:
    """POST buttons carry only their CSRF token."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def confirmed() -> bool:
    return request.form.get("confirm") == "1"


def ask_to_confirm(round_, question: ConfirmationRequired, *, action: str, button: str, title: str):
    """The page that names why a move needs the officer's explicit yes, with a button that posts
    the same move again with ``confirm=1``."""
    db.session.rollback()
    return render_template(
        "rounds/confirm.html",
        round=round_,
        title=title,
        question=question,
        action=action,
        button=button,
    )


# The views, by sub-area (they register their routes on ``bp``).
from remiss.rounds.views import documents, messages, recipients, round, structure  # noqa: E402, F401
