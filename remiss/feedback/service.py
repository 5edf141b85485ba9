"""Marking the assessment as final and telling every body that answered.

The feedback e-mails are recorded in the outbox by the notifications area's ``queue``, in the same
transaction as the finalisation; the e-mail job (``remiss.jobs.run_due_jobs``) delivers them. ``queue``
inserts with ``ON CONFLICT DO NOTHING`` on the ``dedup_key`` (``feedback:<recipient>:<round>``),
so that a repeat, or two officers at once, cannot queue a second one."""

from __future__ import annotations

from datetime import datetime

from flask import render_template

from remiss.audit.models import record
from remiss.core.errors import DomainError
from remiss.core.time import format_date, utcnow
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.models import MessageKind
from remiss.notifications.outbox import queue
from remiss.public.service import PublicAnswer, answered_recipients
from remiss.rounds.models import Recipient, Round


def has_assessment(round_: Round) -> bool:
    return bool(
        round_.assessment.strip()
        or round_.assessment_changes.strip()
        or any(a.assessment.strip() for a in round_.focus_areas)
        or any(m.assessment.strip() for m in round_.measures)
    )


def reasons_not_to_finalise(round_: Round) -> list[str]:
    if round_.assessment_final_at is not None:
        return [f"Bedömningen är redan slutlig sedan {format_date(round_.assessment_final_at, 'long')}."]
    reasons = []
    if not round_.feedback_possible:
        reasons.append("Bedömningen kan markeras som slutlig först när remissen är stängd.")
    if not has_assessment(round_):
        reasons.append("Skriv stadsledningskontorets bedömning innan den markeras som slutlig.")
    return reasons


def finalise(round_: Round, *, actor, now: datetime | None = None) -> int:
    """Mark the office's assessment of ``round_`` as final, queue the feedback e-mail to every
    body that answered and announce it. Returns how many e-mails were queued. Raises
    ``DomainError`` when the round is not closed, has no assessment or is already final. The
    caller commits."""
    reasons = reasons_not_to_finalise(round_)
    if reasons:
        raise DomainError(" ".join(reasons))
    now = now or utcnow()
    round_.assessment_final_at = now
    queued = queue_feedback_messages(round_, now=now)
    record(
        "assessment.finalised",
        round_,
        actor=actor,
        count=queued,
    )
    db.session.flush()
    return queued


def dedup_key(recipient: Recipient) -> str:
    return f"feedback:{recipient.id}:{recipient.round_id}"


def feedback_link(round_: Round) -> str:
    """The absolute address of the feedback page, from ``BASE_URL`` (works without a request)."""
    return messages.absolute_url("feedback.show", round_id=round_.id)


def queue_feedback_messages(round_: Round, *, now: datetime) -> int:
    """A FEEDBACK message for every body that answered ``round_``, none for the others; a
    message already queued for a body is not queued again. Returns how many were added."""
    db.session.flush()
    link = feedback_link(round_)
    queued = 0
    for recipient in answered_recipients(round_):
        if not recipient.contact_email:
            continue
        answer = PublicAnswer(recipient, recipient.latest_submitted)
        context = {"round": round_, "answer": answer, "link": link}
        composed = messages.Composed(
            kind=MessageKind.FEEDBACK,
            to=recipient.contact_email,
            subject=f"Återkoppling på ert remissvar: {round_.title} (dnr {round_.dnr})",
            text=render_template("feedback/email.txt", **context),
            html=render_template("feedback/email.html", **context),
            dedup_key=dedup_key(recipient),
            round_id=round_.id,
            recipient_id=recipient.id,
        )
        queued += queue(composed, now) is not None
    return queued
