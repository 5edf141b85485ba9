"""Answering a round: the respondent's rounds, the shared draft, submitting with a receipt, the
Excel answer template; and the officer's side of an answer: registering one received by e-mail or
post, reopening a submitted answer for correction, reading every version.

Each POST loads what it works on (404 when the user may not see it), checks the form, calls one
operation of ``remiss.answers.operations`` (which refuses an illegal move with a Swedish
``DomainError``, audits and queues the e-mail) and commits once. A respondent reaches only its own
organisation's answer in rounds it is invited to (``get_round_or_404``, ``own_recipient_or_404``)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from remiss.answers import operations, service, template
from remiss.answers.forms import ReopenForm, SubmitForm, TemplateUploadForm, answer_form_for
from remiss.answers.models import Channel
from remiss.core.access import officer_required, respondent_required, staff_required
from remiss.core.errors import DomainError
from remiss.core.forms import ButtonForm
from remiss.core.time import format_datetime, local_today, utcnow
from remiss.documents import service as documents
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.rounds.access import get_round_or_404, own_recipient_or_404, recipient_or_404
from remiss.rounds.models import Recipient, Round

bp = Blueprint("answers", __name__)


def _own(round_id: int) -> tuple[Round, Recipient]:
    round_ = get_round_or_404(round_id)
    return round_, own_recipient_or_404(round_)


def _back_to_round(round_: Round, message: str, category: str = "error"):
    flash(message, category)
    return redirect(url_for("answers.round", round_id=round_.id))


def _not_workable(round_: Round, recipient: Recipient):
    """None when the respondent may work on the answer now, else a redirect saying why not."""
    if recipient.can_work_on_answer:
        return None
    if not round_.accepts_answers:
        return _back_to_round(round_, service.closed_text(round_))
    return _back_to_round(round_, service.SUBMITTED)


def _shown(recipient: Recipient):
    """What the answer form starts from: the draft, or the submitted version a correction copies."""
    return recipient.draft or recipient.latest_submitted


# The respondent's rounds -------------------------------------------------------------------------
@bp.route("/answers/")
@respondent_required
def index():
    recipients = db.session.scalars(
        sa.select(Recipient)
        .join(Round)
        .where(Recipient.organisation_id == current_user.organisation_id, Round.is_sent)
        .options(sa.orm.contains_eager(Recipient.round), Recipient.with_answers())
    ).all()
    open_ = sorted((r for r in recipients if r.round.is_open), key=lambda r: (r.effective_deadline, r.id))
    done = sorted(
        (r for r in recipients if not r.round.is_open),
        key=lambda r: (r.round.deadline, r.id),
        reverse=True,
    )
    return render_template("answers/index.html", open_recipients=open_, done_recipients=done)


@bp.route("/answers/rounds/<int:round_id>", endpoint="round")
@respondent_required
def show_round(round_id: int):
    round_, recipient = _own(round_id)
    return render_template(
        "answers/round.html",
        round_=round_,
        recipient=recipient,
        answer=recipient.answer,
        draft=recipient.draft,
        closed_text=service.closed_text(round_),
    )


# The draft ---------------------------------------------------------------------------------------
@bp.route("/answers/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@respondent_required
def edit(round_id: int):
    round_, recipient = _own(round_id)
    refused = _not_workable(round_, recipient)
    if refused is not None:
        return refused
    form = answer_form_for(round_)
    if not form.is_submitted():
        service.fill_form(form, _shown(recipient), round_, draft=recipient.draft)
        return _render_edit(form, round_, recipient)
    if not form.validate_on_submit():
        return _render_edit(form, round_, recipient)
    if form.version_token.data != service.version_token(recipient.draft):
        return _conflict(form, round_, recipient)
    document = _stored_decision(form)
    if document is False:
        return _render_edit(form, round_, recipient, status=422)
    try:
        operations.save_draft(recipient, form, by=current_user, document=document)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _back_to_round(round_, error.message)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        return _conflict(form, round_, recipient, file_lost=document is not None)
    flash("Utkastet är sparat. Alla i er organisation ser det och kan arbeta vidare.", "success")
    if "preview" in request.form:
        return redirect(url_for("answers.preview", round_id=round_.id))
    return redirect(url_for("answers.edit", round_id=round_.id))


def _stored_decision(form):
    """The attached decision file, stored (None when there is none); False when it is refused,
    with the reason on the form's file field."""
    if not form.decision_file.data:
        return None
    try:
        return service.store_decision(form.decision_file.data, by=current_user)
    except DomainError as error:
        form.decision_file.errors.append(error.message)
        return False


def _render_edit(form, round_, recipient, *, conflict=None, status=200):
    return (
        render_template(
            "answers/edit.html",
            form=form,
            round_=round_,
            recipient=recipient,
            answer=recipient.answer,
            draft=recipient.draft,
            conflict=conflict,
            upload_form=TemplateUploadForm(),
        ),
        status,
    )


def _conflict(form, round_, recipient, *, file_lost=False):
    """Someone of the organisation saved (or submitted) after this form was loaded: keep what
    this user typed, say who saved and what changed, and build on the newer save from now on."""
    draft = recipient.draft
    saved = _shown(recipient)
    changes = service.changes_since(form.baseline.data, saved, round_)
    if draft is None and saved is not None:
        who = saved.submitted_by.name if saved.submitted_by else "Någon annan"
        message = (
            f"{who} skickade in svaret {format_datetime(saved.submitted_at)} medan du arbetade. "
            "Det du skrev har inte sparats; kopiera det du vill behålla och kontakta handläggaren "
            "om svaret behöver rättas."
        )
        can_save = False
    else:
        message = (
            f"{service.saved_by_text(draft) if draft else 'Någon annan'} sparade utkastet efter att du "
            "öppnade det. Det du skrev har inte sparats men finns kvar nedan. Se vad som ändrades, "
            "för in det du vill behålla och spara igen."
        )
        can_save = True
    if file_lost:
        message += " Välj filen du bifogade igen."
    service.mark_loaded(form, saved, round_, draft=draft)
    conflict = {"message": message, "changes": changes, "can_save": can_save}
    return _render_edit(form, round_, recipient, conflict=conflict, status=409)


@bp.route("/answers/rounds/<int:round_id>/documents/<int:document_id>/remove", methods=["POST"])
@respondent_required
def remove_document(round_id: int, document_id: int):
    round_, recipient = _own(round_id)
    document = db.get_or_404(Document, document_id)
    if recipient.draft is None or document.version_id != recipient.draft.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("answers.edit", round_id=round_.id))
    name = document.original_name
    try:
        operations.remove_draft_document(recipient, document, by=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _back_to_round(round_, error.message)
    except StaleDataError:
        db.session.rollback()
        flash("Någon annan sparade utkastet samtidigt. Försök igen.", "error")
    else:
        flash(f"Filen {name} är borttagen ur utkastet.", "success")
    return redirect(url_for("answers.edit", round_id=round_.id))


# Submitting --------------------------------------------------------------------------------------
@bp.route("/answers/rounds/<int:round_id>/preview")
@respondent_required
def preview(round_id: int):
    round_, recipient = _own(round_id)
    draft = recipient.draft
    if draft is None:
        return _back_to_round(round_, "Det finns inget utkast att förhandsgranska.", "info")
    refused = _not_workable(round_, recipient)
    if refused is not None:
        return refused
    return render_template(
        "answers/preview.html",
        round_=round_,
        recipient=recipient,
        version=draft,
        items=service.answer_items(draft, round_),
        form=SubmitForm(version_token=service.version_token(draft)),
        days_late=recipient.days_late(local_today()),
    )


@bp.route("/answers/rounds/<int:round_id>/submit", methods=["POST"])
@respondent_required
def submit(round_id: int):
    round_, recipient = _own(round_id)
    draft = recipient.draft
    if draft is None:
        return _nothing_to_submit(round_, recipient)
    back = redirect(url_for("answers.preview", round_id=round_.id))
    form = SubmitForm()
    if not form.validate_on_submit():
        return back
    stale = (
        f"{service.saved_by_text(draft)} ändrade utkastet efter att du öppnade förhandsvisningen. "
        "Svaret är inte inskickat. Läs igenom det igen innan du skickar in."
    )
    if form.version_token.data != service.version_token(draft):
        flash(stale, "error")
        return back
    try:
        version = operations.submit_answer(recipient.answer, by=current_user, now=utcnow())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if not round_.accepts_answers:
            return _back_to_round(round_, service.closed_text(round_))
        flash(error.message, "error")
        return back
    except StaleDataError:
        db.session.rollback()
        if recipient.draft is None:  # a colleague submitted it at the same moment
            return _nothing_to_submit(round_, recipient)
        flash(stale, "error")
        return back
    flash(f"Svaret är inskickat. Kvittensnummer {version.receipt_number}.", "success")
    return redirect(url_for("answers.receipt", round_id=round_.id))


def _nothing_to_submit(round_: Round, recipient: Recipient):
    """No draft (any more): say so, and when someone has submitted the answer, who and when,
    and show its receipt."""
    submitted = recipient.latest_submitted
    if submitted is None:
        return _back_to_round(round_, "Det finns inget utkast att skicka in.")
    who = submitted.submitted_by.name if submitted.submitted_by else "någon annan"
    flash(
        f"Svaret är redan inskickat av {who} {format_datetime(submitted.submitted_at)}, "
        f"kvittensnummer {submitted.receipt_number}. Ingenting nytt skickades in.",
        "info",
    )
    return redirect(url_for("answers.receipt", round_id=round_.id))


@bp.route("/answers/rounds/<int:round_id>/receipt")
@respondent_required
def receipt(round_id: int):
    round_, recipient = _own(round_id)
    submitted = recipient.answer.submitted_versions if recipient.answer else []
    if not submitted:
        abort(404)
    number = request.args.get("version", type=int)
    version = submitted[-1] if number is None else next((v for v in submitted if v.number == number), None)
    if version is None:
        abort(404)
    return render_template(
        "answers/receipt.html",
        round_=round_,
        recipient=recipient,
        version=version,
        versions=submitted,
        items=service.answer_items(version, round_),
        counts=service.position_counts(version),
        TRACKER=Channel.TRACKER,
    )


# The answer template in Excel ----------------------------------------------------------------------
@bp.route("/answers/rounds/<int:round_id>/template", endpoint="template")
@respondent_required
def template_download(round_id: int):
    round_, recipient = _own(round_id)
    stream = io.BytesIO()
    template.write_template(
        round_, recipient.organisation.name, recipient.effective_deadline, _shown(recipient), stream
    )
    stream.seek(0)
    name = f"Svarsmall {round_.dnr.replace('/', '-')} {recipient.organisation.short_name}.xlsx"
    return send_file(
        stream, mimetype=documents.XLSX.content_type, as_attachment=True, download_name=name, max_age=0
    )


@bp.route("/answers/rounds/<int:round_id>/template/upload", methods=["POST"])
@respondent_required
def upload_template(round_id: int):
    round_, recipient = _own(round_id)
    refused = _not_workable(round_, recipient)
    if refused is not None:
        return refused
    back = redirect(url_for("answers.edit", round_id=round_.id))
    form = TemplateUploadForm()
    if not form.validate_on_submit():
        for error in form.file.errors:
            flash(error, "error")
        return back
    imported = template.read_template(form.file.data.stream, round_)
    if not imported.ok:
        for error in imported.errors:
            flash(error, "error")
        flash("Ingenting lästes in. Rätta filen och ladda upp den igen.", "error")
        return back
    try:
        operations.import_template(recipient, imported, by=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return back
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash("Någon annan sparade utkastet samtidigt. Ingenting lästes in; försök igen.", "error")
        return back
    flash("Svarsmallen är inläst i utkastet. Granska svaret och skicka in det när ni är klara.", "success")
    for note in imported.notes:
        flash(note, "info")
    return back


# The officer's side ------------------------------------------------------------------------------
def _recipient_or_404(round_id: int, recipient_id: int) -> tuple[Round, Recipient]:
    round_ = get_round_or_404(round_id)
    return round_, recipient_or_404(round_, recipient_id)


@bp.route("/rounds/<int:round_id>/recipients/<int:recipient_id>/versions")
@staff_required
def versions(round_id: int, recipient_id: int):
    round_, recipient = _recipient_or_404(round_id, recipient_id)
    answer = recipient.answer
    submitted = list(reversed(answer.submitted_versions)) if answer else []
    return render_template(
        "answers/versions.html",
        round_=round_,
        recipient=recipient,
        answer=answer,
        versions=[(v, service.answer_items(v, round_)) for v in submitted],
        reopen_form=ReopenForm(),
        TRACKER=Channel.TRACKER,
    )


@bp.route("/rounds/<int:round_id>/recipients/<int:recipient_id>/reopen", methods=["POST"])
@officer_required
def reopen(round_id: int, recipient_id: int):
    round_, recipient = _recipient_or_404(round_id, recipient_id)
    back = redirect(url_for("answers.versions", round_id=round_.id, recipient_id=recipient.id))
    form = ReopenForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return back
    try:
        answer = operations.reopen_answer(recipient, form.reason.data, by=current_user, now=utcnow())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return back
    flash(
        f"Svaret från {recipient.organisation.name} är öppnat för rättelse. Nästa inskickade svar "
        f"blir version {len(answer.versions) + 1}.",
        "success",
    )
    return back


@bp.route("/rounds/<int:round_id>/recipients/<int:recipient_id>/register", methods=["GET", "POST"])
@officer_required
def register(round_id: int, recipient_id: int):
    round_, recipient = _recipient_or_404(round_id, recipient_id)
    back = redirect(url_for("answers.versions", round_id=round_.id, recipient_id=recipient.id))
    if not recipient.can_register_answer:
        flash(service.not_registrable_text(recipient), "error")
        return back
    form = answer_form_for(round_, registration=True)
    if not form.is_submitted():
        form.received_on.data = local_today()
    if not form.validate_on_submit():
        return render_template("answers/register.html", form=form, round_=round_, recipient=recipient)
    document = _stored_decision(form)
    if document is False:
        return render_template("answers/register.html", form=form, round_=round_, recipient=recipient), 422
    try:
        version = operations.register_answer(
            recipient,
            form,
            by=current_user,
            channel=Channel(form.channel.data),
            received_on=form.received_on.data,
            document=document,
            now=utcnow(),
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        form.position.errors.append(error.message)
        return render_template("answers/register.html", form=form, round_=round_, recipient=recipient), 422
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        flash("Organisationen sparade sitt utkast samtidigt. Ingenting registrerades; försök igen.", "error")
        return render_template("answers/register.html", form=form, round_=round_, recipient=recipient), 409
    late = f", {version.days_late} dagar för sent" if version.days_late else ""
    flash(
        f"Svaret från {recipient.organisation.name} är registrerat som version {version.number} "
        f"({version.channel.label.lower()}, mottaget {version.received_on}{late}). "
        f"Kvittensnummer {version.receipt_number}.",
        "success",
    )
    return back
