"""Who may see a round. Loaded object first, then the rule: officers and managers see every
round; a respondent sees a round only when its organisation is invited and the round has been
sent. Anything else does not exist for them (404), whatever id is typed."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from remiss.extensions import db
from remiss.rounds.models import Recipient, Round, RoundStatus


def get_round_or_404(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    require_round_visible(round_)
    return round_


def can_see_round(user, round_: Round) -> bool:
    if user.is_staff:
        return True
    if user.is_respondent:
        return (
            round_.status is not RoundStatus.DRAFT and round_.recipient_for(user.organisation_id) is not None
        )
    return False


def require_round_visible(round_: Round) -> None:
    if not can_see_round(current_user, round_):
        abort(404)


def own_recipient_or_404(round_: Round) -> Recipient:
    """The signed-in respondent's own recipient row in ``round_``."""
    recipient = round_.recipient_for(current_user.organisation_id) if current_user.is_respondent else None
    if recipient is None or round_.status is RoundStatus.DRAFT:
        abort(404)
    return recipient


def recipient_or_404(round_: Round, recipient_id: int) -> Recipient:
    """Recipient ``recipient_id`` of ``round_`` (already checked visible), or 404."""
    recipient = db.get_or_404(Recipient, recipient_id)
    if recipient.round_id != round_.id:
        abort(404)
    return recipient
