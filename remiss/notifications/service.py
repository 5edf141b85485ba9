"""Delivering the outbox exactly once.

``deliver_due(now, stale=…)`` hands every pending message to the mail server (or keeps it in the
outbox when no mail server is configured) and retries what failed. What becomes due when is
decided above this package (``remiss.rounds.reminders``); the whole job is
``remiss.jobs.run_due_jobs``.

Exactly once, enforced by the database:

* a message is recorded under a ``dedup_key`` (``outbox.queue``: ``INSERT … ON CONFLICT
  (dedup_key) DO NOTHING``), so two runs that both find a reminder due record it once;
* before a message is handed to the mail server, a run *claims* it with one conditional
  ``UPDATE`` (attempts + 1, ``next_attempt_at`` pushed past a lease) that only one run can win,
  and commits the claim; the result (sent, failed with the next retry time) is committed right
  after delivery. A run that dies between the claim and the result leaves the message to be
  retried once the lease expires.

Unlike a request, the job owns its transactions: a claim and a result must be committed one by
one, or a parallel run could not see them. Operations only add to the caller's transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from remiss.core.text import one_line
from remiss.extensions import db
from remiss.notifications.delivery import DeliveryError, Mailer, build_email
from remiss.notifications.messages import hide_personal_links
from remiss.notifications.models import Message, MessageKind, MessageStatus

log = logging.getLogger(__name__)

# A claimed message is left alone by other runs for this long; a run that died mid-send is
# retried after it.
CLAIM_LEASE = timedelta(minutes=15)
# Failed deliveries are retried after 5 min, 15 min, 45 min, … at most 12 hours apart, and given
# up after MAX_ATTEMPTS (still shown as failed in the log).
RETRY_FIRST = timedelta(minutes=5)
RETRY_FACTOR = 3
RETRY_MAX = timedelta(hours=12)
MAX_ATTEMPTS = 8

ACCOUNT_BODY_REDACTED = (
    "Meddelandet innehöll en engångslänk för att välja lösenord. Av säkerhetsskäl sparas länken "
    "inte efter att meddelandet har skickats."
)


# Delivery -----------------------------------------------------------------------------------
def _due_for_delivery(now: datetime):
    """Pending and not claimed by a running delivery, or failed and its retry time reached."""
    return sa.or_(
        sa.and_(
            Message.status == MessageStatus.PENDING,
            sa.or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
        ),
        sa.and_(
            Message.status == MessageStatus.FAILED,
            Message.next_attempt_at.is_not(None),
            Message.next_attempt_at <= now,
        ),
    )


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 5 min, 15 min, 45 min … ≤ 12 h."""
    return min(RETRY_FIRST * RETRY_FACTOR ** max(0, attempts - 1), RETRY_MAX)


def _claim(message_id: int, now: datetime) -> bool:
    """Take ``message_id`` for delivery; only one run can win. Commits."""
    result = db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, _due_for_delivery(now))
        .values(attempts=Message.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


@dataclass
class Report:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    kept: int = 0
    cancelled: int = 0

    def __str__(self) -> str:
        return (
            f"{self.queued} nya meddelanden, {self.sent} skickade, {self.failed} misslyckade, "
            f"{self.kept} sparade i utkorgen, {self.cancelled} stoppade."
        )


def deliver_due(
    now: datetime, report: Report | None = None, stale: Callable[[Message], str | None] | None = None
) -> Report:
    """Hand every message due for delivery to the mail server, or keep it in the outbox when no
    mail server is configured. ``stale(message)`` says why a message no longer applies (it is
    then stopped, not sent); the job passes ``rounds.reminders.stale_reason``."""
    report = report or Report()
    config = current_app.config
    if not config.get("MAIL_HOST"):
        result = db.session.execute(
            sa.update(Message)
            .where(_due_for_delivery(now))
            .values(status=MessageStatus.KEPT, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        report.kept += result.rowcount
        return report
    ids = list(
        db.session.scalars(
            sa.select(Message.id).where(_due_for_delivery(now)).order_by(Message.created_at, Message.id)
        )
    )
    db.session.commit()
    with Mailer(config) as mailer:
        for message_id in ids:
            if not _claim(message_id, now):
                continue  # another run has it
            try:
                _deliver_one(message_id, mailer, config, now, report, stale)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (one bad message never stops the others)
                db.session.rollback()
                first_line = str(error).strip().split("\n")[0][:300]  # never the SQL and its values
                _give_up(message_id, f"Meddelandet kunde inte hanteras: {type(error).__name__}: {first_line}")
                report.failed += 1
                log.warning("message %s could not be handled: %s", message_id, type(error).__name__)
    return report


def _deliver_one(message_id: int, mailer: Mailer, config, now: datetime, report: Report, stale) -> None:
    """Build and send one claimed message and record the outcome (the caller commits).
    Whatever building or sending it raises marks it failed with the reason: retried later when
    the fault may pass (the server down), given up at once when it cannot (an address that is
    not one, a title the e-mail library refuses, a recipient or content the server refuses for
    good)."""
    message = db.session.get(Message, message_id)
    reason = stale(message) if stale is not None else None
    if reason is not None:
        message.status = MessageStatus.CANCELLED
        message.last_error = _reason(reason)
        message.next_attempt_at = None
        report.cancelled += 1
        return
    try:
        email = build_email(message, config["MAIL_SENDER"])
    except DeliveryError as error:
        _failed(message, now, error, permanent=error.permanent, report=report)
        return
    except Exception as error:  # noqa: BLE001
        _failed(
            message,
            now,
            f"Meddelandet kunde inte skapas: {type(error).__name__}: {error}",
            permanent=True,
            report=report,
        )
        return
    try:
        mailer.send(email)
    except DeliveryError as error:
        _failed(message, now, error, permanent=error.permanent, report=report)
        return
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.next_attempt_at = None
    message.last_error = None
    if message.kind is MessageKind.ACCOUNT:
        message.body_text = message.body_html = ACCOUNT_BODY_REDACTED
    elif message.kind is MessageKind.INVITATION:
        # The personal link went to the body; the copy kept for the round's e-mail log hides it.
        message.body_text = hide_personal_links(message.body_text)
        message.body_html = hide_personal_links(message.body_html)
    report.sent += 1


GIVEN_UP = " Meddelandet skickas inte igen."


def _reason(text) -> str:
    """A reason to store and show: one line, at most what the column holds."""
    return one_line(str(text))[:1000]


def _failed(message: Message, now: datetime, error, *, permanent: bool, report: Report) -> None:
    message.status = MessageStatus.FAILED
    retry = not permanent and message.attempts < MAX_ATTEMPTS
    text = _reason(error)
    message.last_error = text if retry else _reason(text[: 1000 - len(GIVEN_UP)] + GIVEN_UP)
    message.next_attempt_at = now + retry_delay(message.attempts) if retry else None
    report.failed += 1
    log.warning("message %s failed%s: %s", message.id, "" if retry else " for good", text)


def _give_up(message_id: int, reason: str) -> None:
    """Mark ``message_id`` failed for good after an error outside building and sending (the
    session was rolled back); commits."""
    db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id)
        .values(
            status=MessageStatus.FAILED,
            next_attempt_at=None,
            last_error=_reason(reason[: 1000 - len(GIVEN_UP)] + GIVEN_UP),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
