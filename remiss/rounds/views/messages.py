"""A round's e-mail, on the rounds blueprint: the log of its messages, a preview of every kind,
the reminder days, and "send a reminder now". The admin's outbox and a single message are
``remiss.main.outbox``. Each view: load or 404 → access → form → operation → one commit
→ flash → redirect."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from remiss.core.access import officer_required, staff_required
from remiss.core.errors import DomainError
from remiss.core.forms import ButtonForm, Form
from remiss.core.paging import page_number
from remiss.core.text import plural, plural_list
from remiss.core.time import LOCAL_TZ, local_today, utcnow
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.models import MessageKind, MessageStatus
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds import operations, reminders
from remiss.rounds.access import get_round_or_404
from remiss.rounds.models import AnswerStatus
from remiss.rounds.views import bp


class ReminderSettingsForm(Form):
    reminder_days = StringField(
        "Påminnelser, antal dagar före sista svarsdag",
        validators=[Length(max=50, message="Skriv högst 50 tecken.")],
    )

    def validate_reminder_days(self, field) -> None:
        try:
            reminders.parse_reminder_days(field.data or "")
        except DomainError as error:
            raise ValidationError(error.message) from None


@bp.route("/<int:round_id>/messages", endpoint="messages")
@staff_required
def messages_log(round_id: int):
    round_ = get_round_or_404(round_id)
    waiting, invited = reminders.waiting_counts(round_)
    return render_template(
        "notifications/log.html",
        round=round_,
        messages=reminders.messages_of_round(round_, page_number()),
        reminder_days=reminders.reminder_days_of(round_),
        waiting=waiting,
        invited=invited,
        action_form=ButtonForm(),
        MessageStatus=MessageStatus,
    )


@bp.route("/<int:round_id>/messages/remind", methods=["POST"])
@officer_required
def remind_now(round_id: int):
    round_ = get_round_or_404(round_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        queued, skipped = operations.remind_now(round_, by=current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("rounds.messages", round_id=round_.id))
    db.session.commit()
    if queued:
        text = f"{plural(queued, 'påminnelse', 'påminnelser')} skickas inom några minuter."
        if skipped:
            text += f" {skipped} hade redan fått en påminnelse i dag."
        flash(text, "success")
    elif skipped:
        flash("Alla som inte har svarat har redan fått en påminnelse i dag.", "info")
    else:
        flash("Alla remissinstanser har svarat; ingen påminnelse behövs.", "info")
    return redirect(url_for("rounds.messages", round_id=round_.id))


@bp.route("/<int:round_id>/messages/settings", methods=["GET", "POST"])
@officer_required
def reminder_settings(round_id: int):
    round_ = get_round_or_404(round_id)
    if not round_.reminders_editable:
        flash("Påminnelserna kan bara ändras medan remissen är ett utkast eller öppen.", "error")
        return redirect(url_for("rounds.messages", round_id=round_.id))
    form = ReminderSettingsForm()
    if request.method == "GET":
        form.reminder_days.data = ", ".join(str(d) for d in reminders.reminder_days_of(round_))
    if form.validate_on_submit():
        days = reminders.parse_reminder_days(form.reminder_days.data or "")
        try:
            operations.set_reminder_days(round_, days, by=current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("rounds.messages", round_id=round_.id))
        db.session.commit()
        if days:
            when = plural_list(days, "dag", "dagar")
            flash(f"Påminnelser skickas {when} före sista svarsdagen.", "success")
        else:
            flash("Inga påminnelser skickas för remissen.", "success")
        return redirect(url_for("rounds.messages", round_id=round_.id))
    return render_template("notifications/settings.html", round=round_, form=form)


# Preview ------------------------------------------------------------------------------------
def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=LOCAL_TZ)


def _sample_recipient(round_, **changes):
    """A stand-in for a recipient, so that previewing changes nothing in the database."""
    real = sorted(round_.recipients, key=lambda r: r.organisation.name)
    # A transient organisation (never added to the session) when the round has no recipient yet.
    organisation = (
        real[0].organisation if real else Organisation(name="Exempelnämnden", kind=OrganisationKind.COMMITTEE)
    )
    values = {
        "id": real[0].id if real else 0,
        "round": round_,
        "organisation": organisation,
        "contact_email": real[0].contact_email if real else "registrator@example.goteborg.se",
        "extended_deadline": None,
        "extension_reason": None,
        "effective_deadline": round_.deadline,
        "status": AnswerStatus.NOT_STARTED,
        "has_submitted": False,
        "has_begun_answering": False,
        "draft": None,
        "latest_submitted": None,
        "answer": None,
    }
    values.update(changes)
    return SimpleNamespace(**values)


# The sample answer's positions, as the receipt shows them (stand-ins for answers.models'
# positions, which this lower layer does not import).
_ASSENT = SimpleNamespace(label="Tillstyrker")


def _sample_version(round_, recipient, now: datetime):
    measures = round_.measures
    comment = SimpleNamespace(position=_ASSENT, text="Exempel på en synpunkt på insatsen.", is_empty=False)

    def comment_on(measure_id=None, focus_area_id=None):
        return comment if measures and measure_id == measures[0].id else None

    today = local_today(now)
    return SimpleNamespace(
        id=0,
        number=1,
        receipt_number=f"R-{today:%Y%m%d}-EXEMPEL",
        submitted_at=now,
        submitted_by=current_user._get_current_object(),
        position=_ASSENT,
        decision_text=f"{recipient.organisation.name} {today.isoformat()} § 1",
        documents=[],
        days_late=0,
        is_registered=False,
        answer=SimpleNamespace(recipient=recipient),
        comment_on=comment_on,
    )


# The preview's stand-in for an invitation's personal link (no link is made by previewing).
SAMPLE_TOKEN = "exempel-personlig-lank"  # noqa: S105 (a stand-in, no link)


def preview_messages(round_) -> list[tuple[str, str, messages.Composed]]:
    """(heading, when it is sent, the message) for each kind, for a sample recipient."""
    now = utcnow()
    recipient = _sample_recipient(round_)
    items = [
        (
            MessageKind.INVITATION.label,
            "När remissen skickas, till varje remissinstans, med en personlig länk (här ett exempel).",
            messages.invitation(recipient, now, link=messages.invitation_url(SAMPLE_TOKEN)),
        )
    ]
    for n in reminders.reminder_days_of(round_):
        at = _at_noon(round_.deadline - timedelta(days=n))
        items.append(
            (
                f"{MessageKind.REMINDER.label} {plural(n, 'dag', 'dagar')} före",
                f"{plural(n, 'dag', 'dagar')} före sista svarsdagen, till dem som inte har svarat.",
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
                    effective_deadline=extended,
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


@bp.route("/<int:round_id>/messages/preview")
@staff_required
def message_preview(round_id: int):
    round_ = get_round_or_404(round_id)
    items = preview_messages(round_)
    db.session.rollback()  # nothing a preview touched may be saved
    return render_template("notifications/preview.html", round=round_, items=items)
