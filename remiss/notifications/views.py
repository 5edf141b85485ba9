"""The officer's view of e-mail: per round the log of messages, a preview of every kind before
the round opens, the reminder days, "send a reminder now"; for admins the outbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from remiss.answers.models import MeasurePosition, Position
from remiss.auth.access import admin_required, officer_required, roles_required, staff_required
from remiss.auth.models import Role
from remiss.core.errors import DomainError
from remiss.core.time import LOCAL_TZ, local_today, utcnow
from remiss.extensions import db
from remiss.notifications import messages, service
from remiss.notifications.forms import OutboxFilterForm, ReminderSettingsForm
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.rounds.access import get_round_or_404
from remiss.rounds.models import AnswerStatus, RoundStatus

bp = Blueprint("notifications", __name__)

OUTBOX_LIMIT = 200


def _settings_editable(round_) -> bool:
    return round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN)


@bp.route("/rounds/<int:round_id>/messages")
@staff_required
def log(round_id: int):
    round_ = get_round_or_404(round_id)
    waiting = [r for r in round_.recipients if r.latest_submitted is None]
    return render_template(
        "notifications/log.html",
        round=round_,
        messages=service.messages_of_round(round_),
        reminder_days=service.reminder_days_of(round_),
        waiting=waiting,
        settings_editable=_settings_editable(round_),
        action_form=FlaskForm(),
        MessageStatus=MessageStatus,
    )


@bp.route("/rounds/<int:round_id>/messages/remind", methods=["POST"])
@officer_required
def remind_now(round_id: int):
    round_ = get_round_or_404(round_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        queued, skipped = service.remind_now(round_)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("notifications.log", round_id=round_.id))
    db.session.commit()
    if queued:
        text = f"{queued} {'påminnelse' if queued == 1 else 'påminnelser'} skickas inom några minuter."
        if skipped:
            text += f" {skipped} hade redan fått en påminnelse i dag."
        flash(text, "success")
    elif skipped:
        flash("Alla som inte har svarat har redan fått en påminnelse i dag.", "info")
    else:
        flash("Alla remissinstanser har svarat; ingen påminnelse behövs.", "info")
    return redirect(url_for("notifications.log", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/messages/settings", methods=["GET", "POST"])
@officer_required
def settings(round_id: int):
    round_ = get_round_or_404(round_id)
    if not _settings_editable(round_):
        flash("Påminnelserna kan bara ändras medan remissen är ett utkast eller öppen.", "error")
        return redirect(url_for("notifications.log", round_id=round_.id))
    form = ReminderSettingsForm()
    if request.method == "GET":
        form.reminder_days.data = ", ".join(str(d) for d in service.reminder_days_of(round_))
    if form.validate_on_submit():
        service.set_reminder_days(round_, form.reminder_days.data or "")
        db.session.commit()
        days = service.reminder_days_of(round_)
        if days:
            flash(f"Påminnelser skickas {_days_text(days)} före sista svarsdagen.", "success")
        else:
            flash("Inga påminnelser skickas för remissen.", "success")
        return redirect(url_for("notifications.log", round_id=round_.id))
    return render_template("notifications/settings.html", round=round_, form=form)


def _days_text(days: list[int]) -> str:
    parts = [str(d) for d in days]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]
    return f"{joined} {'dag' if parts == ['1'] else 'dagar'}"


# Preview ------------------------------------------------------------------------------------
def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=LOCAL_TZ)


def _sample_recipient(round_, **changes):
    """A stand-in for a recipient, so that previewing changes nothing in the database."""
    real = sorted(round_.recipients, key=lambda r: r.organisation.name)
    organisation = real[0].organisation if real else SimpleNamespace(name="Exempelnämnden")
    values = {
        "id": real[0].id if real else 0,
        "round": round_,
        "organisation": organisation,
        "contact_email": real[0].contact_email if real else "registrator@example.goteborg.se",
        "extended_deadline": None,
        "extension_reason": None,
        "deadline": round_.deadline,
        "status": AnswerStatus.NOT_STARTED,
        "has_submitted": False,
        "has_begun_answering": False,
        "draft": None,
        "latest_submitted": None,
        "answer": None,
    }
    values.update(changes)
    return SimpleNamespace(**values)


def _sample_version(round_, recipient, now: datetime):
    measures = round_.measures
    comment = SimpleNamespace(
        position=MeasurePosition.ASSENT, text="Exempel på en synpunkt på insatsen.", is_empty=False
    )

    def comment_on(measure_id=None, focus_area_id=None):
        return comment if measures and measure_id == measures[0].id else None

    today = local_today(now)
    return SimpleNamespace(
        id=0,
        number=1,
        receipt_number=f"R-{today:%Y%m%d}-EXEMPEL",
        submitted_at=now,
        submitted_by=current_user._get_current_object(),
        position=Position.ASSENT,
        decision_text=f"{recipient.organisation.name} {today.isoformat()} § 1",
        documents=[],
        days_late=0,
        answer=SimpleNamespace(recipient=recipient),
        comment_on=comment_on,
    )


def preview_messages(round_) -> list[tuple[str, str, messages.Composed]]:
    """(heading, when it is sent, the message) for each kind, for a sample recipient."""
    now = utcnow()
    recipient = _sample_recipient(round_)
    days = service.reminder_days_of(round_)
    items = [
        (
            MessageKind.INVITATION.label,
            "När remissen skickas, till varje remissinstans.",
            messages.invitation(recipient, now),
        )
    ]
    for n in days:
        at = _at_noon(round_.deadline - timedelta(days=n))
        items.append(
            (
                f"{MessageKind.REMINDER.label} {n} dagar före",
                f"{n} dagar före sista svarsdagen, till dem som inte har svarat.",
                messages.reminder(recipient, n, at),
            )
        )
    items.append(
        (
            MessageKind.OVERDUE.label,
            "Dagen efter sista svarsdagen, till dem som inte har svarat, med kopia till handläggaren.",
            messages.overdue(recipient, _at_noon(round_.deadline + timedelta(days=1))),
        )
    )
    extended = round_.deadline + timedelta(days=14)
    items.append(
        (
            MessageKind.EXTENSION.label,
            "När en remissinstans får anstånd (här ett exempel med två veckor).",
            messages.extension(
                _sample_recipient(
                    round_,
                    extended_deadline=extended,
                    deadline=extended,
                    extension_reason="Nämnden sammanträder först efter sista svarsdagen.",
                ),
                now,
            ),
        )
    )
    items.append(
        (
            MessageKind.RECEIPT.label,
            "När ett svar skickas in, till remissinstansen och den som skickade in.",
            messages.receipt(_sample_version(round_, recipient, now), now),
        )
    )
    officer = round_.officer or current_user._get_current_object()
    items.append(
        (
            MessageKind.DIGEST.label,
            "Varje måndag till ansvarig handläggare, om dennes öppna remisser.",
            messages.digest(officer, [round_], now),
        )
    )
    return items


@bp.route("/rounds/<int:round_id>/messages/preview")
@staff_required
def preview(round_id: int):
    round_ = get_round_or_404(round_id)
    items = preview_messages(round_)
    db.session.rollback()  # nothing a preview touched may be saved
    return render_template("notifications/preview.html", round=round_, items=items)


# Reading messages ---------------------------------------------------------------------------
def _get_message_or_404(message_id: int) -> Message:
    message = db.get_or_404(Message, message_id)
    # Officers and managers read the messages of rounds; account links and digests are the
    # admin's (and the addressee's) business.
    if not current_user.is_admin and message.round_id is None:
        abort(404)
    return message


@bp.route("/messages/<int:message_id>")
@roles_required(Role.ADMIN, Role.OFFICER, Role.MANAGER)
def message(message_id: int):
    message = _get_message_or_404(message_id)
    return render_template("notifications/message.html", message=message, MessageStatus=MessageStatus)


@bp.route("/messages/<int:message_id>/html")
@roles_required(Role.ADMIN, Role.OFFICER, Role.MANAGER)
def message_html(message_id: int):
    """The HTML version as the addressee sees it (a whole document written by our templates,
    with everything typed by users escaped)."""
    message = _get_message_or_404(message_id)
    if not message.body_html:
        abort(404)
    return message.body_html, 200, {"Content-Type": "text/html; charset=utf-8"}


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
