"""E-mail pages across rounds: the admin's outbox, and a single message for officers and
managers. A round's own e-mail pages (its log, preview, reminder days, "remind now") are
``remiss.rounds.views.messages``. The blueprint keeps the name ``notifications``; it lives here,
above auth, because its pages need auth's role checks while ``remiss.notifications`` sits below
auth (auth queues the account e-mail)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from wtforms import SelectField

from remiss.auth.models import Role
from remiss.core.access import admin_required, roles_required
from remiss.core.forms import Form, choices
from remiss.extensions import db
from remiss.notifications.messages import hide_personal_links
from remiss.notifications.models import Message, MessageStatus

bp = Blueprint("notifications", __name__)

OUTBOX_LIMIT = 200


class OutboxFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField("Visa", default=MessageStatus.KEPT.value, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices(
            [("", "Alla meddelanden")] + [(s.value, s.label) for s in MessageStatus]
        )


# Reading messages ---------------------------------------------------------------------------
def _get_message_or_404(message_id: int) -> Message:
    message = db.get_or_404(Message, message_id)
    # Officers and managers read the messages of rounds; account links and digests are the
    # admin's (and the addressee's) business.
    if not current_user.is_admin and message.round_id is None:
        abort(404)
    return message


def _as_shown(body: str | None) -> str | None:
    """A message's body as the reader may see it: an invitation's personal link is the body's
    own, so the office sees it hidden; the admin, who delivers kept messages by hand when no
    mail server is configured, sees it whole."""
    return body if current_user.is_admin else hide_personal_links(body)


@bp.route("/messages/<int:message_id>")
@roles_required(Role.ADMIN, Role.OFFICER, Role.MANAGER)
def message(message_id: int):
    message = _get_message_or_404(message_id)
    return render_template(
        "notifications/message.html",
        message=message,
        body_text=_as_shown(message.body_text),
        MessageStatus=MessageStatus,
    )


@bp.route("/messages/<int:message_id>/html")
@roles_required(Role.ADMIN, Role.OFFICER, Role.MANAGER)
def message_html(message_id: int):
    """The HTML version as the addressee sees it (a whole document written by our templates,
    with everything typed by users escaped)."""
    message = _get_message_or_404(message_id)
    if not message.body_html:
        abort(404)
    return _as_shown(message.body_html), 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.route("/outbox")
@admin_required
def outbox():
    form = OutboxFilterForm(formdata=request.args)
    status = form.status.data if form.status.data in {s.value for s in MessageStatus} else None
    query = sa.select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(OUTBOX_LIMIT)
    if status:
        query = query.where(Message.status == MessageStatus(status))
    rows = db.session.scalars(query).all()
    return render_template(
        "notifications/outbox.html",
        form=form,
        messages=rows,
        status=MessageStatus(status) if status else None,
        limit=OUTBOX_LIMIT,
        MessageStatus=MessageStatus,
    )
