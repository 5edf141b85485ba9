"""The public register, readable without signing in, and the office's controls over what it
shows. Every public view loads through ``remiss.public.service``, which 404s anything that is not
public: a round that is not public or not yet sent, a draft, an earlier or confidential version,
a confidential file."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
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
from remiss.public import feed, service
from remiss.public.export import archive_name, write_zip
from remiss.public.forms import PublicityForm, SearchForm, SecrecyForm
from remiss.rounds.models import Round

# No url_prefix: the register lives under /register, the office's controls beside the round.
bp = Blueprint("public", __name__)

PAGE_SIZE = 25
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


@bp.route("/register/<int:round_id>/answers.zip")
def archive(round_id: int):
    """Every submitted answer's public files and a listing, for a round that takes no more answers."""
    round_ = service.get_public_round_or_404(round_id, with_answers=True)
    if not round_.feedback_possible:
        return render_template(
            "errors/error.html",
            status=404,
            title="Svaren kan inte laddas ner än",
            text="Alla svar kan laddas ner som en fil när remissen har stängts.",
        ), 404
    stream = write_zip(round_, utcnow())
    return send_file(
        stream, mimetype="application/zip", as_attachment=True, download_name=archive_name(round_)
    )


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
    publicity_form = publicity_form or PublicityForm(formdata=None, is_public=round_.is_public)
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
        listed=service.is_listed(round_),
    ), status


@bp.route("/rounds/<int:round_id>/publicity", methods=["GET", "POST"])
@officer_required
def settings(round_id: int):
    round_ = _round_or_404(round_id)
    form = PublicityForm()
    if form.validate_on_submit():
        if service.set_public(round_, form.is_public.data, actor=current_user):
            db.session.commit()
            if round_.is_public:
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
