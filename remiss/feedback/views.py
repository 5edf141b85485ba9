"""The feedback page of one body, and the officer's button that makes the assessment final."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from remiss.auth.models import Role
from remiss.core.access import officer_required, roles_required
from remiss.core.errors import DomainError
from remiss.core.text import plural
from remiss.extensions import db
from remiss.feedback import service
from remiss.feedback.forms import FinaliseForm
from remiss.public.service import PublicAnswer, answered_recipients
from remiss.rounds.access import get_round_or_404, own_recipient_or_404

bp = Blueprint("feedback", __name__, url_prefix="/rounds")


@bp.route("/<int:round_id>/feedback")
@roles_required(Role.OFFICER, Role.MANAGER, Role.RESPONDENT)
def show(round_id: int):
    """A respondent sees its own organisation's feedback once the assessment is final. The office
    sees any body's (``?recipient=<id>``), also before, as a preview, and a list of the bodies
    that answered."""
    round_ = get_round_or_404(round_id)
    if current_user.is_respondent:
        recipient = own_recipient_or_404(round_)
        if round_.assessment_final_at is None or recipient.latest_submitted is None:
            abort(404)
    else:
        recipient_id = request.args.get("recipient", type=int)
        if recipient_id is None:
            return render_template(
                "feedback/index.html",
                round=round_,
                recipients=sorted(answered_recipients(round_), key=lambda r: r.organisation.name),
                reasons=service.reasons_not_to_finalise(round_),
                form=FinaliseForm(),
            )
        recipient = next((r for r in round_.recipients if r.id == recipient_id), None)
        if recipient is None or recipient.latest_submitted is None:
            abort(404)
    answer = PublicAnswer(recipient, recipient.latest_submitted)
    return render_template("feedback/show.html", round=round_, answer=answer)


@bp.route("/<int:round_id>/feedback/finalise", methods=["POST"])
@officer_required
def finalise(round_id: int):
    round_ = get_round_or_404(round_id)
    form = FinaliseForm()
    if form.validate_on_submit():
        try:
            queued = service.finalise(round_, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                "Bedömningen är slutlig. Återkopplingen skickas till "
                f"{plural(queued, 'remissinstans', 'remissinstanser')} som svarat.",
                "success",
            )
    return redirect(url_for("feedback.show", round_id=round_.id))
