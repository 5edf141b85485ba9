"""Loading a round for the signed-in user. Officers and managers see every round; a respondent
sees a round only when its organisation is invited and the round has been sent
(``Round.visible_to``). Anything else does not exist for them (404), whatever id is typed."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from remiss.extensions import db
from remiss.rounds.models import Recipient, Round


def get_round_or_404(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    if not round_.visible_to(current_user):
        abort(404)
    return round_


def own_recipient_or_404(round_: Round) -> Recipient:
    """The signed-in respondent's own recipient row in ``round_`` (already checked visible)."""
    recipient = round_.recipient_for(current_user.organisation_id) if current_user.is_respondent else None
    if recipient is None or not round_.is_sent:
        abort(404)
    return recipient


def recipient_or_404(round_: Round, recipient_id: int) -> Recipient:
    """Recipient ``recipient_id`` of ``round_`` (already checked visible), or 404."""
    recipient = db.get_or_404(Recipient, recipient_id)
    if recipient.round_id != round_.id:
        abort(404)
    return recipient
