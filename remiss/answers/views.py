"""Answering a round: the respondent's rounds, the shared draft, submitting with a receipt, the
Excel answer template; and the officer's side of an answer: registering one received by e-mail or
post, reopening a submitted answer for correction, reading every version.

Each POST loads what it works on (404 when the user may not see it), checks the form, calls one
operation of ``remiss.answers.operations`` (which refuses an illegal move with a Swedish
``DomainError``, audits and queues the e-mail) and commits once. A respondent reaches only its own
organisation's answer in rounds it is invited to (``get_round_or_404``, ``own_recipient_or_404``)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import wraps

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from remiss.answers import merge, operations, service, stash, template
from remiss.answers.forms import ReopenForm, SubmitForm, TemplateUploadForm, answer_form_for
from remiss.answers.models import Answer, AnswerVersion, Channel
from remiss.core.access import officer_required, respondent_required, staff_required
from remiss.core.errors import DomainError
from remiss.core.forms import ButtonForm
from remiss.core.paging import page_number, paginate
from remiss.core.text import plural
from remiss.core.time import format_date, format_datetime, local_today, to_local, utcnow
from remiss.documents import service as documents
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.rounds.access import get_round_or_404, own_recipient_or_404, recipient_or_404
from remiss.rounds.models import FocusArea, Recipient, Round

bp = Blueprint("answers", __name__)


def _own(round_id: int) -> tuple[Round, Recipient]:
    round_ = get_round_or_404(round_id)
    recipient = own_recipient_or_404(round_)
    _load_answer(round_, recipient)
    return round_, recipient


def _load_structure(round_: Round) -> None:
    """The round's focus areas and their measures, in two queries."""
    db.session.scalars(
        sa.select(Round)
        .where(Round.id == round_.id)
        .options(sa.orm.selectinload(Round.focus_areas).selectinload(FocusArea.measures))
    ).all()


def _load_answer(round_: Round, recipient: Recipient, *, every_version: bool = False) -> None:
    """The round's structure and the answer's versions with their files, and the comments of the
    version shown (of every version for the officer's page), in a fixed number of queries
    whatever the number of measures: a page of 5,000 measures would otherwise load each focus
    area's measures, and each version's comments, one query at a time."""
    _load_structure(round_)
    versions = sa.orm.selectinload(Answer.versions)
    answer = db.session.scalars(
        sa.select(Answer)
        .where(Answer.recipient_id == recipient.id)
        .options(
            versions.selectinload(AnswerVersion.documents),
            versions.joinedload(AnswerVersion.updated_by),
            versions.joinedload(AnswerVersion.submitted_by),
        )
    ).one_or_none()
    if answer is None:
        return
    shown = answer.versions if every_version else [answer.draft or answer.latest_submitted]
    shown = [v for v in shown if v is not None and "comments" not in sa.inspect(v).dict]
    if shown:
        db.session.scalars(
            sa.select(AnswerVersion)
            .where(AnswerVersion.id.in_([v.id for v in shown]))
            .options(sa.orm.selectinload(AnswerVersion.comments))
            .execution_options(populate_existing=True)
        ).all()


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
DONE_PAGE_SIZE = 25  # closed and archived rounds a page on the start page


@bp.route("/answers/")
@respondent_required
def index():
    """The body's open rounds (all: the ones it is working on) and its closed and archived ones,
    newest first, a page at a time (they add up over the years)."""
    ours = (
        sa.select(Recipient)
        .join(Round)
        .where(Recipient.organisation_id == current_user.organisation_id, Round.is_sent)
        .options(sa.orm.contains_eager(Recipient.round))
    )
    open_ = db.session.scalars(ours.where(Round.is_open).options(Recipient.with_answers())).all()
    open_ = sorted(open_, key=lambda r: (r.effective_deadline, r.id))
    done = paginate(
        ours.where(~Round.is_open).order_by(Round.deadline.desc(), Recipient.id.desc()),
        page=page_number(),
        size=DONE_PAGE_SIZE,
        options=[Recipient.with_answers()],
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
# A save is merged field by field into the draft as saved now (``remiss.answers.merge``): a field
# only I changed takes my text, one only a colleague changed keeps theirs, and one we both changed
# to different texts is a conflict that keeps the colleague's text until I choose. The form, the
# autosave and the Excel template all go through ``operations.save_draft``/``import_template``.

SAVE_FAILED = (
    "Kunde inte spara just nu: databasen svarar inte. Ingenting av det du skrev är sparat, men allt "
    "finns kvar nedan. Försök igen om en stund."
)
SAVE_RACED = (
    "Kunde inte spara: utkastet sparades av andra flera gånger samtidigt. Ingenting av det du skrev "
    "är sparat, men allt finns kvar nedan. Försök igen."
)


def keep_typed_text_when_signed_out(view):
    """Outside ``respondent_required``: a POST of the answer form from this site by someone whose
    session has ended is kept (``remiss.answers.stash``) and they are sent to sign in; the form
    shows it again afterwards."""

    @wraps(view)
    def wrapped(round_id: int, **kwargs):
        if request.method == "POST" and not current_user.is_authenticated:
            return _stash_and_sign_in(round_id)
        return view(round_id, **kwargs)

    return wrapped


def _stash_and_sign_in(round_id: int):
    """Keep what was posted (from a page of this site) and send the person to sign in and back."""
    token = stash.put(round_id, request.form) if stash.is_same_origin() else None
    back = url_for("answers.edit", round_id=round_id)
    signed_in = current_user.is_authenticated
    target = back if signed_in else url_for("auth.login", next=back)
    if request.endpoint == "answers.autosave" and request.accept_mimetypes.best == "application/json":
        message = (
            "Du är utloggad. Det du skrev är sparat tillfälligt; logga in igen så kommer du tillbaka till "
            "formuläret med texten."
            if token
            else "Du är utloggad och det du skrev kunde inte sparas. Kopiera texten innan du loggar in igen."
        )
        response = jsonify(status="signed_out", message=message, login_url=target)
        response.status_code = 401
    else:
        if token:
            flash(
                "Sessionen hade gått ut, så utkastet sparades inte. Det du skrev finns kvar och visas i "
                "formuläret när du har loggat in igen.",
                "info",
            )
        else:
            flash("Sessionen hade gått ut och det du skrev kunde inte sparas.", "error")
        response = redirect(target)
    return stash.set_cookie(response, token) if token else response


@bp.errorhandler(CSRFError)
def _form_expired(error):
    """The form's token is no longer valid (signed out, or signed in again elsewhere): for the
    answer form, keep what was typed; every other form gets the site's usual page."""
    round_id = (request.view_args or {}).get("round_id")
    if request.endpoint in ("answers.edit", "answers.autosave") and round_id and stash.is_same_origin():
        return _stash_and_sign_in(round_id)
    for handlers in current_app.error_handler_spec[None].values():
        if CSRFError in handlers:
            return handlers[CSRFError](error)
    return error


@bp.route("/answers/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@keep_typed_text_when_signed_out
@respondent_required
def edit(round_id: int):
    round_, recipient = _own(round_id)
    refused = _not_workable(round_, recipient)
    if refused is not None:
        if request.method == "POST":
            return _too_late(round_, recipient)
        return refused
    form = answer_form_for(round_)
    if not form.is_submitted():
        service.fill_form(form, _shown(recipient), round_, draft=recipient.draft)
        restored = stash.take(round_.id)
        if restored is not None:
            form.process(formdata=MultiDict(restored))
            flash(
                "Det här är vad du skrev innan sessionen gick ut. Det är inte sparat ännu: tryck «Spara "
                "utkast». Ändringar som andra har sparat under tiden tas med.",
                "info",
            )
            conflicts = _restored_conflicts(round_, recipient, MultiDict(restored))
            response = make_response(_render_edit(form, round_, recipient, conflicts=conflicts))
            response.delete_cookie(stash.COOKIE, path="/answers/")
            return response
        return _render_edit(form, round_, recipient)
    if not form.validate_on_submit():
        conflicts = _restored_conflicts(round_, recipient, request.form)
        return _render_edit(form, round_, recipient, conflicts=conflicts)
    outcome = _save(form, round_, recipient)
    if outcome.failed is not None:
        return outcome.failed
    saved = outcome.saved
    if saved.merged.conflicts:
        return _conflict_page(round_, recipient, saved, outcome.notes)
    for note in outcome.notes:
        flash(note, "error")
    if saved.colleague and saved.merged.taken_from_theirs:
        flash(_kept_theirs_text(saved, round_), "info")
    flash("Utkastet är sparat. Alla i er organisation ser det och kan arbeta vidare.", "success")
    if "preview" in request.form:
        return redirect(url_for("answers.preview", round_id=round_.id))
    return redirect(url_for("answers.edit", round_id=round_.id))


def _too_late(round_: Round, recipient: Recipient):
    """A save after the answer was submitted (by a colleague) or the round closed: nothing can be
    saved, but the text sent is shown again so that it can be copied."""
    form = answer_form_for(round_)
    form.validate()
    submitted = recipient.latest_submitted
    if recipient.answer_is_locked and submitted is not None:
        who = submitted.submitted_by.name if submitted.submitted_by else "Någon annan"
        message = (
            f"{who} skickade in svaret {format_datetime(submitted.submitted_at)} medan du arbetade. Det du "
            "skrev är inte sparat men finns kvar nedan: kopiera det du vill behålla och kontakta "
            "handläggaren om svaret behöver rättas."
        )
    else:
        message = (
            f"{service.closed_text(round_)} Det du skrev är inte sparat men finns kvar nedan: kopiera det "
            "du vill behålla."
        )
    flash(message, "error")
    return _render_edit(form, round_, recipient, status=409, locked=True)


def _restored_conflicts(round_: Round, recipient: Recipient, data) -> dict:
    """Conflicts still open in a form shown again (its ``seen_<field>`` and ``mine_<field>``):
    shown as before, so that a choice not yet made is not lost."""
    keys = [name.removeprefix("seen_") for name in data if name.startswith("seen_")]
    if not keys:
        return {}
    draft = recipient.draft
    saved = service.snapshot(draft, round_)
    labels = service.field_labels(round_)
    views = {}
    for key in keys:
        if key not in saved:
            continue
        mine = data.get(f"mine_{key}", "")
        views[key] = ConflictView(
            key=key,
            label=labels.get(key, key),
            mine=mine,
            theirs=saved[key],
            mine_shown=service.display(key, mine),
            theirs_shown=service.display(key, saved[key]),
            seen=data.get(f"seen_{key}", ""),
            who=draft.updated_by.name if draft and draft.updated_by else "En kollega",
            when=format_datetime(draft.updated_at) if draft else "",
            is_choice=service.is_choice_field(key),
        )
    return views


@dataclass
class _Outcome:
    saved: service.SavedDraft | None = None
    failed: object = None  # a response when nothing was saved
    notes: list[str] = field(default_factory=list)


def _save(form, round_: Round, recipient: Recipient, *, with_file: bool = True) -> _Outcome:
    """Merge the form into the draft and commit; on a concurrent save (the revision moved on
    between reading and writing), once more against the fresh row."""
    resolutions = service.resolutions_from(request.form)
    outcome = _Outcome()
    for attempt in (1, 2):
        outcome.notes = []
        document = _stored_decision(form, outcome.notes) if with_file else None
        if document is False:
            form.decision_file.errors.append(
                "Ingenting är sparat, varken texten eller filen. Det du skrev finns kvar nedan: välj en "
                "annan fil, eller ta bort filen och spara."
            )
            conflicts = _restored_conflicts(round_, recipient, request.form)
            outcome.failed = _render_edit(form, round_, recipient, conflicts=conflicts, status=422)
            return outcome
        try:
            outcome.saved = operations.save_draft(
                recipient, form, by=current_user, document=document, resolutions=resolutions
            )
            db.session.commit()
            return outcome
        except DomainError as error:
            db.session.rollback()
            outcome.failed = _back_to_round(round_, error.message)
            return outcome
        except (StaleDataError, IntegrityError):
            db.session.rollback()
            if attempt == 2:
                outcome.failed = _failed(form, round_, recipient, SAVE_RACED, 409)
                return outcome
        except OperationalError:
            db.session.rollback()
            current_app.logger.warning("saving a draft failed", exc_info=True)
            outcome.failed = _failed(form, round_, recipient, SAVE_FAILED, 503)
            return outcome
    return outcome  # pragma: no cover - the loop always returns


def _failed(form, round_, recipient, message: str, status: int):
    flash(message, "error")
    conflicts = _restored_conflicts(round_, recipient, request.form)
    return _render_edit(form, round_, recipient, conflicts=conflicts, status=status)


def _stored_decision(form, notes: list[str]):
    """The attached decision file, stored (None when there is none); False when it is refused,
    with the reason on the form's file field. When the file store itself fails, the text is
    still saved and ``notes`` says that the file was not."""
    if not form.decision_file.data:
        return None
    try:
        return service.store_decision(form.decision_file.data, by=current_user)
    except DomainError as error:
        form.decision_file.errors.append(error.message)
        return False
    except OSError:
        current_app.logger.exception("storing a decision file failed")
        name = form.decision_file.data.filename or "Filen"
        notes.append(
            f"{name} kunde inte sparas: lagringen för filer fungerar inte just nu. Texten är sparad. "
            "Bifoga filen igen om en stund."
        )
        return None


def _kept_theirs_text(saved: service.SavedDraft, round_: Round) -> str:
    labels = service.short_labels(round_)
    fields = _join(sorted({labels.get(key, key) for key in saved.merged.taken_from_theirs}, key=_natural))
    return (
        f"{saved.colleague} sparade ändringar i {fields} {format_datetime(saved.colleague_at)} medan du "
        "skrev. De finns kvar; det du ändrade är sparat."
    )


def _natural(text: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def _render_edit(form, round_, recipient, *, conflicts=None, status=200, locked=False):
    return (
        render_template(
            "answers/edit.html",
            form=form,
            round_=round_,
            recipient=recipient,
            answer=recipient.answer,
            draft=recipient.draft,
            conflicts=conflicts or {},
            locked=locked,
            upload_form=TemplateUploadForm(),
            autosave_url=url_for("answers.autosave", round_id=round_.id),
        ),
        status,
    )


@dataclass(frozen=True)
class ConflictView:
    """One field both changed: my text and the colleague's, side by side."""

    key: str
    label: str
    mine: str
    theirs: str
    mine_shown: str
    theirs_shown: str
    seen: str
    who: str
    when: str
    is_choice: bool

    @property
    def combined(self) -> str:
        """The combination offered to start from: my text, then the colleague's."""
        return f"{self.mine}\n\n{self.theirs}" if self.mine and self.theirs else self.mine or self.theirs


def _conflict_views(saved: service.SavedDraft, round_: Round) -> dict[str, ConflictView]:
    if not saved.merged.conflicts:
        return {}
    labels = service.field_labels(round_)
    draft_before = saved.colleague or "En kollega"
    when = format_datetime(saved.colleague_at) if saved.colleague_at else ""
    return {
        key: ConflictView(
            key=key,
            label=labels.get(key, key),
            mine=c.mine,
            theirs=c.theirs,
            mine_shown=service.display(key, c.mine),
            theirs_shown=service.display(key, c.theirs),
            seen=merge.digest(c.theirs),
            who=draft_before,
            when=when,
            is_choice=service.is_choice_field(key),
        )
        for key, c in saved.merged.conflicts.items()
    }


def _conflict_page(round_: Round, recipient: Recipient, saved: service.SavedDraft, notes: list[str]):
    """Everything that merged is saved; show the fields both changed side by side, to choose."""
    _load_answer(round_, recipient)
    form = answer_form_for(round_, formdata=None)
    service.fill_form(form, saved.draft, round_, draft=saved.draft)
    form.baseline.data = saved.baseline
    conflicts = _conflict_views(saved, round_)
    for key, conflict in conflicts.items():
        if not conflict.is_choice:
            form[key].data = conflict.combined
    for note in notes:
        flash(note, "error")
    return _render_edit(form, round_, recipient, conflicts=conflicts, status=409)


@bp.route("/answers/rounds/<int:round_id>/autosave", methods=["POST"])
@keep_typed_text_when_signed_out
@respondent_required
def autosave(round_id: int):
    """The page's background save (static/js/autosave.js): the same merge as «Spara utkast»,
    without files, answered in JSON for the status line."""
    round_, recipient = _own(round_id)
    if not recipient.can_work_on_answer:
        message = service.closed_text(round_) if not round_.accepts_answers else service.SUBMITTED
        return jsonify(status="closed", message=message), 409
    form = answer_form_for(round_)
    if not form.validate_on_submit():
        labels = service.field_labels(round_)
        name, errors = next(iter(form.errors.items()))
        return jsonify(
            status="invalid",
            message=f"Sparas inte automatiskt: {labels.get(name, form[name].label.text)}: {errors[0]}",
        ), 422
    outcome = _save(form, round_, recipient, with_file=False)
    if outcome.failed is not None:
        get_flashed_messages()  # the page's own flash is for the form, not for the next page
        if isinstance(outcome.failed, tuple) and outcome.failed[1] in (409, 503):
            return jsonify(status="retry", message="Kunde inte spara – försöker igen"), 503
        return jsonify(status="closed", message="Utkastet kan inte sparas längre. Ladda om sidan."), 409
    saved = outcome.saved
    token = service.version_token(saved.draft)
    if saved.merged.conflicts or saved.merged.taken_from_theirs:
        _load_structure(round_)  # after the commit, for the fields' names
    labels = service.short_labels(round_) if saved.merged.conflicts or saved.merged.taken_from_theirs else {}
    updated = {
        key: {"value": value, "base": saved.base.get(key, merge.EMPTY)}
        for key, value in saved.merged.taken_from_theirs.items()
    }
    conflicts = [
        {
            "key": v.key,
            "label": v.label,
            "theirs": v.theirs_shown,
            "who": v.who,
            "when": v.when,
        }
        for v in _conflict_views(saved, round_).values()
    ]
    time = to_local(utcnow()).strftime("%H:%M")
    if conflicts:
        names = _join(sorted({labels.get(c["key"], c["key"]) for c in conflicts}, key=_natural))
        message = (
            f"Sparat {time} utom {names}: en kollega har ändrat samma fält. Välj vilken text som ska gälla "
            "– tryck «Spara utkast» för att se båda."
        )
    elif updated and saved.colleague:
        names = _join(sorted({labels.get(key, key) for key in updated}, key=_natural))
        message = f"En kollega sparade ändringar i {names} – uppdaterat. Sparat {time}"
    else:
        message = f"Sparat {time}"
    return jsonify(
        status="conflict" if conflicts else "saved",
        message=message,
        version_token=token,
        baseline=saved.baseline,
        updated=updated,
        conflicts=conflicts,
    )


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
        f"{service.saved_by_text(draft)} ändrade utkastet efter att du öppnade förhandsgranskningen. "
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
    flash(f"Svaret är inskickat. Kvittonummer {version.receipt_number}.", "success")
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
        f"kvittonummer {submitted.receipt_number}. Ingenting nytt skickades in.",
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
    saved = None
    for attempt in (1, 2):
        try:
            saved = operations.import_template(recipient, imported, by=current_user)
            db.session.commit()
            break
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return back
        except (StaleDataError, IntegrityError):
            db.session.rollback()  # saved by a colleague at the same moment: merge once more
            if attempt == 2:
                flash("Någon annan sparade utkastet samtidigt. Ingenting lästes in; försök igen.", "error")
                return back
        except OperationalError:
            db.session.rollback()
            flash(
                "Kunde inte spara just nu: databasen svarar inte. Ingenting lästes in; försök igen.", "error"
            )
            return back
    for note in imported.notes:
        flash(note, "info")
    if saved.merged.conflicts:
        flash("Svarsmallen är inläst utom där du och en kollega har ändrat samma fält.", "info")
        return _conflict_page(round_, recipient, saved, [])
    if saved.colleague and saved.merged.taken_from_theirs:
        flash(_kept_theirs_text(saved, round_), "info")
    flash("Svarsmallen är inläst i utkastet. Granska svaret och skicka in det när ni är klara.", "success")
    return back


# The officer's side ------------------------------------------------------------------------------
def _recipient_or_404(round_id: int, recipient_id: int) -> tuple[Round, Recipient]:
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    _load_answer(round_, recipient, every_version=True)
    return round_, recipient


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
    notes: list[str] = []
    document = _stored_decision(form, notes)
    if notes:  # the file store failed: register nothing, keep what was typed
        flash(
            "Filen kunde inte sparas: lagringen för filer fungerar inte just nu. Ingenting är registrerat; "
            "det du skrev finns kvar nedan. Försök igen om en stund.",
            "error",
        )
        return render_template("answers/register.html", form=form, round_=round_, recipient=recipient), 503
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
    late = f", {plural(version.days_late, 'dag', 'dagar')} för sent" if version.days_late else ""
    flash(
        f"Svaret från {recipient.organisation.name} är registrerat som version {version.number} "
        f"({version.channel.label.lower()}, mottaget {format_date(version.received_on, 'long')}{late}). "
        f"Kvittonummer {version.receipt_number}.",
        "success",
    )
    return back


# The personal link of a round's invitation (sign in, or create the body's account).
from remiss.answers import invitation  # noqa: E402, F401
