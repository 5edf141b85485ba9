"""The domain events that lead to e-mail. Each receiver records its message in the sender's
transaction (``service.queue``: added, never committed); the scheduler delivers it after the
request has committed, so a request never waits for, or fails with, the mail server.

The contract relied on (see ``remiss/events.py``):

* ``round_opened.send(round_, now=…)``: the Round, already open, with its recipients →
  an invitation to each recipient's ``contact_email``;
* ``recipient_added.send(recipient, now=…)``: a Recipient added to an open round → its invitation;
* ``extension_granted.send(recipient, now=…)``: after ``recipient.grant_extension(…)`` →
  a confirmation with the new deadline;
* ``answer_submitted.send(version, now=…)``: the submitted AnswerVersion (``answer.submit``) →
  a receipt to the recipient's address, a copy to the submitting user;
* ``password_link_issued.send(user, link=…, purpose=…)`` → the invitation or reset e-mail.

``now`` is optional everywhere (default: the current time)."""

from __future__ import annotations

from remiss import events
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.outbox import queue
from remiss.rounds.models import RoundStatus


def _ids_assigned(*objects) -> None:
    if any(getattr(o, "id", None) is None for o in objects):
        db.session.flush()


def on_round_opened(round_, now=None, **_) -> None:
    now = now or utcnow()
    recipients = [r for r in round_.recipients if r.contact_email]
    _ids_assigned(round_, *recipients)
    for recipient in recipients:
        queue(messages.invitation(recipient, now), now)


def on_recipient_added(recipient, now=None, **_) -> None:
    if recipient.round.status is not RoundStatus.OPEN or not recipient.contact_email:
        return
    now = now or utcnow()
    _ids_assigned(recipient)
    queue(messages.invitation(recipient, now), now)


def on_extension_granted(recipient, now=None, **_) -> None:
    if recipient.round.status is not RoundStatus.OPEN or not recipient.contact_email:
        return
    now = now or utcnow()
    _ids_assigned(recipient)
    queue(messages.extension(recipient, now), now)


def on_answer_submitted(version, now=None, **_) -> None:
    now = now or utcnow()
    _ids_assigned(version)
    queue(messages.receipt(version, now), now)


def on_password_link_issued(user, link, purpose, **_) -> None:
    queue(messages.account(user, link, purpose))


RECEIVERS = (
    (events.round_opened, on_round_opened),
    (events.recipient_added, on_recipient_added),
    (events.extension_granted, on_extension_granted),
    (events.answer_submitted, on_answer_submitted),
    (events.password_link_issued, on_password_link_issued),
)


def connect() -> None:
    """Connect the receivers (once per process: blinker keeps one entry per function, and
    ``weak=False`` keeps them alive)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, weak=False)
