"""What is due, and sending it exactly once.

``send_due_messages(now)`` is the scheduled job: the scheduler, the ``send-due-messages``
command and the tests call it the same way. It decides from the database what is due
(reminders, overdue notices, the weekly digest), records each due message in the outbox, and then
delivers what is pending and retries what failed.

Exactly once, enforced by the database:

* a message is recorded under a ``dedup_key`` (``reminder:{recipient}:{deadline}:{days}`` …)
  with ``INSERT … ON CONFLICT (dedup_key) DO NOTHING``, so two runs that both find a reminder
  due record it once (the UNIQUE index decides, not the code);
* before a message is handed to the mail server, a run *claims* it with one conditional
  ``UPDATE`` (attempts + 1, ``next_attempt_at`` pushed past a lease) that only one run can win,
  and commits the claim; the result (sent, failed with the next retry time) is committed right
  after delivery. A run that dies between the claim and the result leaves the message to be
  retried once the lease expires.

Unlike a request, the job owns its transactions: a claim and a result must be committed one by
one, or a parallel run could not see them. Receivers and ``remind_now`` only add to the caller's
transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from remiss.auth.models import User
from remiss.core.errors import DomainError
from remiss.core.time import local_today, to_local, utcnow
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.delivery import DeliveryError, Mailer, build_email
from remiss.notifications.messages import Composed
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.notifications.outbox import queue
from remiss.rounds.models import Recipient, Round, RoundStatus

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
# A reminder or overdue notice missed while the scheduler was down is still sent this many days
# late; after that it is skipped rather than arriving out of time.
CATCH_UP_DAYS = 7
MAX_REMINDER_DAYS = 180

ACCOUNT_BODY_REDACTED = (
    "Meddelandet innehöll en engångslänk för att välja lösenord. Av säkerhetsskäl sparas länken "
    "inte efter att meddelandet har skickats."
)


# Reminder days ------------------------------------------------------------------------------
def parse_reminder_days(text: str) -> list[int]:
    """``"14, 3"`` → ``[14, 3]``: whole days before the deadline, largest first, no repeats.
    An empty text means no reminders."""
    days: set[int] = set()
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise DomainError(
                f"”{part}” är inte ett antal dagar. Skriv hela dagar åtskilda med komma, t.ex. 14, 3."
            )
        value = int(part)
        if not 1 <= value <= MAX_REMINDER_DAYS:
            raise DomainError(
                f"Påminnelsedagar måste vara mellan 1 och {MAX_REMINDER_DAYS} dagar före sista svarsdagen."
            )
        days.add(value)
    return sorted(days, reverse=True)


def reminder_days_of(round_: Round) -> list[int]:
    try:
        return parse_reminder_days(round_.reminder_days)
    except DomainError:
        log.warning("round %s has unreadable reminder days %r", round_.id, round_.reminder_days)
        return []


def set_reminder_days(round_: Round, text: str) -> None:
    if round_.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise DomainError("Påminnelserna kan bara ändras medan remissen är ett utkast eller öppen.")
    round_.reminder_days = ",".join(str(d) for d in parse_reminder_days(text))


# Recording: ``outbox.queue`` ------------------------------------------------------------
def _exists(key: str) -> bool:
    return db.session.scalar(sa.select(Message.id).where(Message.dedup_key == key)) is not None


# What is due --------------------------------------------------------------------------------
def due_reminder(deadline: date, days: list[int], today: date, invited_on: date | None) -> int | None:
    """The reminder due today for a recipient with ``deadline``, as its number of days before
    the deadline, or None. It is the latest reminder day reached (earlier ones missed are not
    sent any more), not one that falls on or before the day of the invitation, and not one
    more than ``CATCH_UP_DAYS`` late."""
    if today >= deadline:
        return None
    reached = [n for n in days if deadline - timedelta(days=n) <= today]
    if not reached:
        return None
    n = min(reached)
    on = deadline - timedelta(days=n)
    if invited_on is not None and invited_on >= on:
        return None
    if (today - on).days > CATCH_UP_DAYS:
        return None
    return n


def is_overdue_notice_due(deadline: date, today: date) -> bool:
    return 1 <= (today - deadline).days <= CATCH_UP_DAYS


def _open_rounds() -> list[Round]:
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.status == RoundStatus.OPEN)
            .options(
                selectinload(Round.recipients).selectinload(Recipient.answer),
                selectinload(Round.recipients).selectinload(Recipient.organisation),
                selectinload(Round.officer),
            )
            .order_by(Round.id)
        )
    )


def _waiting(round_: Round) -> list[Recipient]:
    """Recipients that have not submitted (a reopened answer has: it was received)."""
    return [r for r in round_.recipients if r.latest_submitted is None and r.contact_email]


def due_messages(now: datetime) -> list[tuple[str, Callable[[], Composed]]]:
    """Everything due at ``now`` as (dedup key, composer) pairs; composing waits until we know
    the key is new."""
    today = local_today(now)
    due: list[tuple[str, Callable[[], Composed]]] = []
    rounds = _open_rounds()
    for round_ in rounds:
        days = reminder_days_of(round_)
        for recipient in _waiting(round_):
            deadline = recipient.effective_deadline
            invited_on = local_today(recipient.invited_at) if recipient.invited_at else None
            n = due_reminder(deadline, days, today, invited_on)
            if n is not None:
                due.append(
                    (
                        f"reminder:{recipient.id}:{deadline.isoformat()}:{n}",
                        lambda r=recipient, n=n: messages.reminder(r, n, now),
                    )
                )
            if is_overdue_notice_due(deadline, today):
                due.append(
                    (
                        f"overdue:{recipient.id}:{deadline.isoformat()}",
                        lambda r=recipient: messages.overdue(r, now),
                    )
                )
    config = current_app.config
    local_now = to_local(now)
    if local_now.weekday() == config["NOTIFICATIONS_DIGEST_WEEKDAY"] and (
        local_now.hour >= config["NOTIFICATIONS_DIGEST_HOUR"]
    ):
        by_officer: dict[int, list[Round]] = {}
        for round_ in rounds:
            if round_.officer is not None and round_.officer.active:
                by_officer.setdefault(round_.officer_id, []).append(round_)
        week = messages.iso_week(today)
        for officer_id, own in by_officer.items():
            officer = db.session.get(User, officer_id)
            due.append(
                (f"digest:{officer_id}:{week}", lambda o=officer, own=own: messages.digest(o, own, now))
            )
    return due


def queue_due_messages(now: datetime) -> int:
    """Record every message due at ``now`` that is not recorded yet; commit each one."""
    queued = 0
    for key, compose in due_messages(now):
        if _exists(key):
            continue
        composed = compose()
        assert composed.dedup_key == key, (composed.dedup_key, key)
        if queue(composed, now) is not None:
            queued += 1
        db.session.commit()
    db.session.commit()
    return queued


def remind_now(round_: Round, now: datetime | None = None) -> tuple[int, int]:
    """The officer's "send a reminder now" to everyone who has not answered: at most one such
    reminder per recipient and day, so a double click sends nothing twice. Returns (queued,
    already reminded today). The caller commits."""
    if round_.status is not RoundStatus.OPEN:
        raise DomainError("Påminnelser kan bara skickas medan remissen är öppen.")
    now = now or utcnow()
    today = local_today(now)
    queued = skipped = 0
    for recipient in _waiting(round_):
        deadline = recipient.effective_deadline
        key = f"reminder-now:{recipient.id}:{deadline.isoformat()}:{today.isoformat()}"
        days_left = (deadline - today).days
        if not _exists(key) and queue(messages.reminder(recipient, days_left, now, key=key), now):
            queued += 1
        else:
            skipped += 1
    return queued, skipped


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


def stale_reason(message: Message) -> str | None:
    """Why a reminder or overdue notice no longer applies when its turn comes, or None."""
    if message.kind not in (MessageKind.REMINDER, MessageKind.OVERDUE) or message.recipient is None:
        return None
    recipient = message.recipient
    if recipient.round.status is not RoundStatus.OPEN:
        return "Skickades inte: remissen är inte längre öppen."
    if recipient.latest_submitted is not None:
        return "Skickades inte: remissinstansen har redan svarat."
    parts = (message.dedup_key or "").split(":")
    if len(parts) >= 3 and parts[2] != recipient.effective_deadline.isoformat():
        return "Skickades inte: sista svarsdagen har ändrats."
    return None


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


def deliver_due(now: datetime, report: Report | None = None) -> Report:
    """Hand every message due for delivery to the mail server, or keep it in the outbox when no
    mail server is configured."""
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
            message = db.session.get(Message, message_id)
            reason = stale_reason(message)
            if reason is not None:
                message.status = MessageStatus.CANCELLED
                message.last_error = reason
                message.next_attempt_at = None
                report.cancelled += 1
            else:
                try:
                    mailer.send(build_email(message, config["MAIL_SENDER"]))
                except DeliveryError as error:
                    message.status = MessageStatus.FAILED
                    message.last_error = str(error)[:1000]
                    message.next_attempt_at = (
                        now + retry_delay(message.attempts) if message.attempts < MAX_ATTEMPTS else None
                    )
                    report.failed += 1
                    log.warning("message %s to %s failed: %s", message.id, message.to_address, error)
                else:
                    message.status = MessageStatus.SENT
                    message.sent_at = now
                    message.next_attempt_at = None
                    message.last_error = None
                    if message.kind is MessageKind.ACCOUNT:
                        message.body_text = message.body_html = ACCOUNT_BODY_REDACTED
                    report.sent += 1
            db.session.commit()
    return report


def send_due_messages(now: datetime | None = None) -> Report:
    """The job: record what is due at ``now``, then deliver. Idempotent and safe to run in
    parallel."""
    now = now or utcnow()
    report = Report()
    report.queued = queue_due_messages(now)
    deliver_due(now, report)
    return report


# Reading ------------------------------------------------------------------------------------
def messages_of_round(round_: Round) -> list[Message]:
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.round_id == round_.id)
            .options(selectinload(Message.recipient).selectinload(Recipient.organisation))
            .order_by(Message.created_at.desc(), Message.id.desc())
        )
    )
