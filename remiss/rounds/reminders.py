"""What is due in a round's e-mail, and when a queued reminder has gone stale.

The e-mail job (``remiss.jobs.run_due_jobs``) asks ``queue_due_messages(now)`` to record what the
open rounds' deadlines make due: reminders some days before a body's deadline, the overdue notice
the day after it, and the officer's weekly digest. Each message is recorded once under its dedup
key (``reminder:{recipient}:{deadline}:{days}`` …), so a second run, or two in parallel, record
nothing twice. Delivery asks ``stale_reason`` before sending a reminder or overdue notice, since
the round may have closed or the body answered in the meantime.

Deadlines are the recipient's (``Recipient.effective_deadline``, extensions included) and
"overdue" is ``Recipient.is_overdue``; nothing here compares statuses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from remiss.core.errors import DomainError
from remiss.core.paging import Page, paginate
from remiss.core.text import plural
from remiss.core.time import local_today, to_local
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.messages import Composed
from remiss.notifications.models import Message, MessageKind
from remiss.notifications.outbox import queue
from remiss.rounds.models import Recipient, Round
from remiss.rounds.service import answer_counts

log = logging.getLogger(__name__)

# A reminder or overdue notice missed while the scheduler was down is still sent this many days
# late; after that it is skipped rather than arriving out of time.
CATCH_UP_DAYS = 7
MAX_REMINDER_DAYS = 180


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
                f"Påminnelsedagar måste vara mellan 1 och {plural(MAX_REMINDER_DAYS, 'dag', 'dagar')} före "
                "sista svarsdagen."
            )
        days.add(value)
    return sorted(days, reverse=True)


def reminder_days_of(round_: Round) -> list[int]:
    try:
        return parse_reminder_days(round_.reminder_days)
    except DomainError:
        log.warning("round %s has unreadable reminder days %r", round_.id, round_.reminder_days)
        return []


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


def overdue_notice_due(recipient: Recipient, today: date) -> bool:
    """The overdue notice goes out from the day after the deadline, at most ``CATCH_UP_DAYS`` late."""
    return recipient.is_overdue(today) and recipient.days_overdue(today) <= CATCH_UP_DAYS


def _open_rounds() -> list[Round]:
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.is_open)
            .options(
                selectinload(Round.recipients).options(
                    Recipient.with_answers(), selectinload(Recipient.organisation)
                ),
                selectinload(Round.officer),
            )
            .order_by(Round.id)
        )
    )


def _waiting(round_: Round) -> list[Recipient]:
    """Invited bodies with an address that have not answered (a reopened answer was received)."""
    return [r for r in round_.recipients if not r.has_submitted and r.contact_email and r.invited_at]


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
            n = due_reminder(deadline, days, today, local_today(recipient.invited_at))
            if n is not None:
                due.append(
                    (
                        f"reminder:{recipient.id}:{deadline.isoformat()}:{n}",
                        lambda r=recipient, n=n: messages.reminder(r, n, now),
                    )
                )
            if overdue_notice_due(recipient, today):
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
            officer = own[0].officer
            due.append(
                (f"digest:{officer_id}:{week}", lambda o=officer, own=own: messages.digest(o, own, now))
            )
    return due


KEY_BATCH = 500


def _recorded(keys: list[str]) -> set[str]:
    """Which of ``keys`` are already recorded: one query per ``KEY_BATCH`` keys."""
    found: set[str] = set()
    for start in range(0, len(keys), KEY_BATCH):
        batch = keys[start : start + KEY_BATCH]
        found.update(db.session.scalars(sa.select(Message.dedup_key).where(Message.dedup_key.in_(batch))))
    return found


def queue_due_messages(now: datetime) -> int:
    """Record every message due at ``now`` that is not recorded yet; commit each one (the job
    owns its transactions, so a parallel run sees them). What is already recorded is looked up
    in batches, so a run where nothing is due makes a fixed number of queries however many
    answers the open rounds have; a key recorded by a parallel run meanwhile is still skipped by
    ``queue`` (``ON CONFLICT DO NOTHING``)."""
    queued = 0
    due = due_messages(now)
    recorded = _recorded([key for key, _ in due])
    for key, compose in due:
        if key in recorded:
            continue
        composed = compose()
        assert composed.dedup_key == key, (composed.dedup_key, key)
        if queue(composed, now) is not None:
            queued += 1
        db.session.commit()
    db.session.commit()
    return queued


def stale_reason(message: Message) -> str | None:
    """Why a reminder or overdue notice no longer applies when its turn to be sent comes, or
    None. Delivery (``notifications.service.deliver_due``) is handed this function."""
    if message.kind not in (MessageKind.REMINDER, MessageKind.OVERDUE) or message.recipient is None:
        return None
    recipient = message.recipient
    if not recipient.round.is_open:
        return "Skickades inte: remissen är inte längre öppen."
    if recipient.has_submitted:
        return "Skickades inte: remissinstansen har redan svarat."
    parts = (message.dedup_key or "").split(":")
    if parts[0] in ("reminder", "overdue") and len(parts) >= 3:
        if parts[2] != recipient.effective_deadline.isoformat():
            return "Skickades inte: sista svarsdagen har ändrats."
    return None


# Reading ------------------------------------------------------------------------------------
MESSAGES_PAGE_SIZE = 50


def messages_of_round(round_: Round, page: int = 1, size: int = MESSAGES_PAGE_SIZE) -> Page:
    """One page of ``round_``'s e-mail, newest first, paged in SQL."""
    return paginate(
        sa.select(Message)
        .where(Message.round_id == round_.id)
        .order_by(Message.created_at.desc(), Message.id.desc()),
        page=page,
        size=size,
        options=(selectinload(Message.recipient).selectinload(Recipient.organisation),),
    )


def waiting_counts(round_: Round) -> tuple[int, int]:
    """(recipients without a submitted answer, all recipients) of ``round_``, counted in SQL
    (``service.answer_counts``)."""
    answered, invited = answer_counts([round_.id]).get(round_.id, (0, 0))
    return invited - answered, invited
