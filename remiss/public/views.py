"""The public register, readable without signing in, and the office's controls over what it
shows. Every public view loads through ``remiss.public.service``, which 404s anything that is not
public: a round not listed in the register (``Round.is_listed_in_register``), a draft, an
earlier or confidential version, a confidential file."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.core.paging import page_number, page_size
from remiss.core.time import utcnow
from remiss.documents import service as documents
from remiss.extensions import db
from remiss.public import archive_job, feed, service
from remiss.public.export import archive_contents, archive_name, write_zip
from remiss.public.forms import PublicityForm, SearchForm, SecrecyForm
from remiss.rounds.models import Round, register_lists_sent_rounds
from remiss.tasks.views import state as job_state

# No url_prefix: the register lives under /register, the office's controls beside the round.
bp = Blueprint("public", __name__)

PAGE_SIZE = 25
# The page that follows the build of a large round's ZIP: how often it asks (JavaScript), or
# reloads itself (without JavaScript). Every visitor waiting asks, so not every second.
ARCHIVE_POLL_SECONDS = 2
ARCHIVE_REFRESH_SECONDS = 5
ARCHIVE_FAILED = (
    "Arkivet kunde inte skapas just nu. Försök igen om ett par minuter; svaren och deras filer "
    "finns också var för sig på remissens sida."
)
# The feed holds the newest entries only; a reader that polls keeps the older ones.
FEED_SIZE = 50


@bp.route("/robots.txt")
def robots():
    """Search engines may read the register; everything else is behind a login anyway."""
    feed_url = url_for("public.feed", _external=True)
    body = f"User-agent: *\nAllow: /register/\nDisallow: /\n\nSitemap: {feed_url}\n"
    return Response(body, mimetype="text/plain")


@bp.route("/register/")
def index():
    form = SearchForm(request.args)
    form.validate()
    query = (form.q.data or "").strip() if not form.q.errors else ""
    status = next((s for s in service.LISTED_STATUSES if s.value == form.status.data), None)
    rounds = service.search_rounds(query, status, page=page_number(), size=PAGE_SIZE)
    return render_template(
        "public/index.html",
        form=form,
        query=query,
        status=status,
        rounds=rounds,
        total=rounds.total,
        page=rounds.number,
        pages=rounds.pages,
        lists_sent_rounds=register_lists_sent_rounds(),
    )


@bp.route("/register/<int:round_id>", endpoint="round")
def round_page(round_id: int):
    round_ = service.get_public_round_with_structure_or_404(round_id)
    answers = service.public_answers_page(round_, page_number())
    return render_template(
        "public/round.html",
        round=round_,
        answers=answers,
        answer_page=service.answer_pages(round_, answers.size),
        downloadable=round_.feedback_possible,
    )


@bp.route("/register/<int:round_id>/feedback")
def feedback(round_id: int):
    """The office's assessment next to every body's public comments, once it is final."""
    round_ = service.get_public_round_or_404(round_id, with_answers=True)
    if round_.assessment_final_at is None:
        return render_template("public/feedback.html", round=round_, answers=[]), 404
    return render_template("public/feedback.html", round=round_, answers=service.public_answers(round_))


@bp.route("/register/<int:round_id>/documents/<int:document_id>")
def document(round_id: int, document_id: int):
    round_ = service.get_public_round_or_404(round_id)
    document = service.public_document_or_404(round_, document_id)
    return documents.send(document, public=True)


def _no_archive_yet():
    return render_template(
        "errors/error.html",
        status=404,
        title="Svaren kan inte laddas ner än",
        text="Alla svar kan laddas ner som en fil när remissen har stängts.",
    ), 404


@bp.route("/register/<int:round_id>/answers.zip")
def archive(round_id: int):
    """Every submitted answer's public files and a listing, for a round that takes no more
    answers. A small round's is built here; a large round's once by the job worker and kept
    while its contents are unchanged (``archive_job``): sent from there, or, while it is being
    built, the visitor is sent to the page that follows the build."""
    round_ = service.public_round_with_files(round_id)
    if round_ is None:
        abort(404)
    if not round_.feedback_possible:
        return _no_archive_yet()
    answers = service.public_answers(round_)
    contents = archive_contents(answers)
    if not archive_job.needs_job(contents):
        stream = write_zip(round_, utcnow(), answers=answers)
        return send_file(
            stream, mimetype="application/zip", as_attachment=True, download_name=archive_name(round_)
        )
    path = archive_job.cached(round_.id, contents.stamp)
    if path is not None:
        return send_file(
            path, mimetype="application/zip", as_attachment=True, download_name=archive_name(round_)
        )
    job = archive_job.request_archive(round_, contents.stamp)
    db.session.commit()
    return redirect(url_for("public.archive_progress", round_id=round_.id, job_id=job.id), 303)


def _archive_job_or_404(round_id: int, job_id: int):
    round_ = service.get_public_round_or_404(round_id)
    job = archive_job.job_of_round(round_, job_id) if round_.feedback_possible else None
    if job is None:
        abort(404)
    return round_, job


def _archive_state(round_: Round, job) -> dict:
    """The build's progress as the public sees it: the download is the register's own address
    (which sends the file kept for the current contents), and a failure is told in words for
    the public."""
    shown = job_state(job)
    shown["download_url"] = url_for("public.archive", round_id=round_.id) if job.is_done else None
    shown["result_url"] = None
    if not job.is_finished:
        shown["status_text"] = "Arkivet förbereds"
    if job.is_failed:
        shown["message"] = ARCHIVE_FAILED
    return shown


@bp.route("/register/<int:round_id>/answers-archive/<int:job_id>")
def archive_progress(round_id: int, job_id: int):
    """«Arkivet förbereds»: the build of a large round's ZIP, followed without reloading (and by
    reloading without JavaScript), announced to screen readers."""
    round_, job = _archive_job_or_404(round_id, job_id)
    return render_template(
        "public/archive_progress.html",
        round=round_,
        job=job,
        state=_archive_state(round_, job),
        poll_seconds=ARCHIVE_POLL_SECONDS,
        refresh_seconds=ARCHIVE_REFRESH_SECONDS,
    )


@bp.route("/register/<int:round_id>/answers-archive/<int:job_id>/status")
def archive_status(round_id: int, job_id: int):
    round_, job = _archive_job_or_404(round_id, job_id)
    response = jsonify(_archive_state(round_, job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/register/feed.atom", endpoint="feed")
def feed_atom():
    authority = feed.tag_authority(current_app.config["BASE_URL"])
    entries = []
    for round_ in service.feed_rounds(FEED_SIZE):
        entries += feed.round_entries(
            round_,
            authority=authority,
            round_url=url_for("public.round", round_id=round_.id, _external=True),
            feedback_url=url_for("public.feedback", round_id=round_.id, _external=True),
        )
    entries = sorted(entries, key=lambda e: e.updated, reverse=True)[: page_size(FEED_SIZE)]
    body = feed.write_atom(
        entries,
        authority=authority,
        title="Göteborgs Stads remissregister",
        self_url=url_for("public.feed", _external=True),
        alternate_url=url_for("public.index", _external=True),
        now=utcnow(),
    )
    return Response(body, content_type=feed.CONTENT_TYPE)


# The office's controls ---------------------------------------------------------------------------
def _round_or_404(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def _render_settings(round_: Round, failed=None, publicity_form=None, status=200):
    """``failed`` is ``(kind, id, form)`` of a secrecy form that did not validate."""
    # formdata=None: after a refused secrecy form (a POST) the box must still show the round as it is.
    publicity_form = publicity_form or PublicityForm(formdata=None, is_public=round_.is_chosen_for_register)
    answers = [
        service.PublicAnswer(recipient, recipient.latest_submitted)
        for recipient in sorted(round_.recipients, key=lambda r: service.fold(r.organisation.name))
        if recipient.latest_submitted is not None
    ]

    def secrecy_form(kind: str, item_id: int) -> SecrecyForm:
        if failed is not None and failed[:2] == (kind, item_id):
            return failed[2]
        return SecrecyForm(formdata=None)

    return render_template(
        "public/settings.html",
        round=round_,
        answers=answers,
        publicity_form=publicity_form,
        secrecy_form=secrecy_form,
        lists_sent_rounds=register_lists_sent_rounds(),
    ), status


@bp.route("/rounds/<int:round_id>/publicity", methods=["GET", "POST"])
@officer_required
def settings(round_id: int):
    round_ = _round_or_404(round_id)
    form = PublicityForm()
    if form.validate_on_submit():
        if service.set_public(round_, form.is_public.data, actor=current_user):
            db.session.commit()
            if round_.is_chosen_for_register:
                message = "Remissen visas nu i det offentliga remissregistret."
                if round_.is_draft:
                    message = "Remissen visas i det offentliga remissregistret när den har skickats."
            else:
                message = "Remissen visas inte längre i det offentliga remissregistret."
            flash(message, "success")
        return redirect(url_for("public.settings", round_id=round_.id))
    if form.is_submitted():
        return _render_settings(round_, publicity_form=form, status=400)
    return _render_settings(round_)


def _secrecy(round_: Round, kind: str, item):
    form = SecrecyForm()
    if form.validate_on_submit():
        try:
            if form.lift.data:
                service.lift_secrecy(item, round_=round_, actor=current_user)
                message = "Sekretessmarkeringen är hävd. Uppgiften visas i det offentliga registret."
            else:
                service.mark_confidential(item, form.ground.data, round_=round_, actor=current_user)
                message = "Uppgiften är sekretessmarkerad och visas inte i det offentliga registret."
        except DomainError as error:
            db.session.rollback()
            form.ground.errors.append(error.message)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("public.settings", round_id=round_.id, _anchor=f"{kind}-{item.id}"))
    return _render_settings(round_, failed=(kind, item.id, form), status=400)


@bp.route("/rounds/<int:round_id>/publicity/versions/<int:version_id>", methods=["POST"])
@officer_required
def version_secrecy(round_id: int, version_id: int):
    round_ = _round_or_404(round_id)
    return _secrecy(round_, "version", service.submitted_version_of_round_or_404(round_, version_id))


@bp.route("/rounds/<int:round_id>/publicity/comments/<int:comment_id>", methods=["POST"])
@officer_required
def comment_secrecy(round_id: int, comment_id: int):
    round_ = _round_or_404(round_id)
    return _secrecy(round_, "comment", service.comment_of_round_or_404(round_, comment_id))


@bp.route("/rounds/<int:round_id>/publicity/documents/<int:document_id>", methods=["POST"])
@officer_required
def document_secrecy(round_id: int, document_id: int):
    round_ = _round_or_404(round_id)
    return _secrecy(round_, "document", service.document_of_round_or_404(round_, document_id))
