"""The round itself: the list, the officer's start page, create, edit, import, the round page,
and its life (send now or on its sending date, close, reopen, archive)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, render_template, request, url_for
from flask_login import current_user

from remiss.audit.models import AuditEvent
from remiss.core.access import officer_required, staff_required
from remiss.core.errors import ConfirmationRequired, DomainError
from remiss.core.forms import choices
from remiss.core.paging import page_number, paginate
from remiss.core.time import format_date, local_today, utcnow
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.rounds import operations, service
from remiss.rounds.access import get_round_or_404
from remiss.rounds.forms import (
    FilterForm,
    RoundCorrectionForm,
    RoundForm,
    document_form,
    officer_choices,
)
from remiss.rounds.models import FocusArea, Round, RoundStatus
from remiss.rounds.views import (
    actor,
    ask_to_confirm,
    bp,
    confirmed,
    refuse,
    require_post_form,
    to_round,
)

# The list and the start page ----------------------------------------------------------------------


@bp.route("/")
@staff_required
def index():
    form = FilterForm(formdata=request.args)
    form.year.choices = choices(((str(y), str(y)) for y in service.sent_years()), blank="Alla")
    form.officer.choices = officer_choices()
    form.officer.choices[0].label = "Alla"
    form.validate()
    status, year, officer = form.value("status"), form.value("year"), form.value("officer")
    filters = dict(
        status=RoundStatus(status) if status else None,
        year=int(year) if year else None,
        officer_id=int(officer) if officer else None,
        search=form.q.data or "",
        newest_deadline_first=form.value("sort") == "-deadline",
    )
    rows = service.list_rounds(page=page_number(), **filters)
    args = {name: form.value(name) for name in ("status", "year", "officer", "sort")}
    args["q"] = (form.q.data or "").strip() or None
    return render_template("rounds/index.html", form=form, rows=rows, args=args)


DASHBOARD_LIMIT = 50


@bp.route("/start")
@officer_required
def dashboard():
    mine = Round.officer_id == current_user.id
    rounds = service.list_rounds(
        officer_id=current_user.id, open_only=True, size=DASHBOARD_LIMIT, page=page_number()
    )
    drafts = paginate(
        sa.select(Round).where(mine, Round.is_draft).order_by(Round.deadline, Round.id), size=DASHBOARD_LIMIT
    )
    return render_template(
        "rounds/dashboard.html",
        rounds=rounds,
        drafts=drafts,
        attention=service.needs_attention(current_user.id),
    )


# Create, edit, import -----------------------------------------------------------------------------


def _facts(form: RoundCorrectionForm) -> operations.RoundFacts:
    facts = operations.RoundFacts(description=form.description.data, officer_id=int(form.officer_id.data))
    if isinstance(form, RoundForm):
        facts.title = form.title.data
        facts.dnr = form.dnr.data
        facts.decision = form.decision.data
        facts.sent_on = form.sent_on.data
        facts.deadline = form.deadline.data
    return facts


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def create():
    form = RoundForm()
    form.officer_id.choices = officer_choices()
    if not form.is_submitted():
        form.officer_id.data = str(current_user.id)
    if form.validate_on_submit():
        round_ = operations.create_round(_facts(form), by=actor())
        db.session.commit()
        flash("Remissen är skapad som utkast. Lägg till struktur, dokument och remissinstanser.", "success")
        return to_round(round_)
    return render_template("rounds/form.html", form=form, round=None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(round_id: int):
    round_ = get_round_or_404(round_id)
    if round_.is_read_only:
        flash("En avslutad remiss kan inte ändras.", "error")
        return to_round(round_)
    form = (RoundForm if round_.facts_editable else RoundCorrectionForm)(obj=round_)
    form.officer_id.choices = officer_choices(round_.officer_id)
    if not form.is_submitted():
        form.officer_id.data = str(round_.officer_id) if round_.officer_id else ""
    if form.validate_on_submit():
        try:
            operations.update_round(round_, _facts(form), by=actor())
        except DomainError as error:
            return refuse(round_, error)
        db.session.commit()
        flash("Remissen är sparad.", "success")
        return to_round(round_)
    return render_template("rounds/form.html", form=form, round=round_)


# The round page -----------------------------------------------------------------------------------


TRAIL_PAGE_SIZE = 50


@bp.route("/<int:round_id>")
@staff_required
def show(round_id: int):
    round_ = get_round_or_404(round_id)
    # The structure and the documents in a fixed number of queries, however many focus areas.
    db.session.execute(
        sa.select(Round)
        .where(Round.id == round_.id)
        .options(
            sa.orm.selectinload(Round.focus_areas).selectinload(FocusArea.measures),
            sa.orm.selectinload(Round.documents).options(
                sa.orm.selectinload(Document.replaces), sa.orm.selectinload(Document.replaced_by)
            ),
            sa.orm.joinedload(Round.officer),
        )
        .execution_options(populate_existing=True)
    ).one()
    # Who cannot sign in yet, while that matters (``Round.accounts_matter``): a badge on the
    # rows, a section with the first of them and ``?visa=utan-konto`` to keep only them in the
    # table (``Organisation.has_active_account``).
    bodies = service.RecipientFilter.ALL
    if round_.accounts_matter:
        bodies = service.RecipientFilter.get(request.args.get("visa", ""), service.RecipientFilter.ALL)
    # The bodies fifty at a time, by name (``service.recipients_page``).
    recipients = service.recipients_page(round_, page=page_number("remissinstanser"), show=bodies)
    answered, invited = service.answer_counts([round_.id]).get(round_.id, (0, 0))
    without_account, no_account = set(), None
    if round_.accounts_matter:
        without_account = service.without_account(round_, (r.organisation_id for r in recipients))
        no_account = service.recipients_page(
            round_, show=service.RecipientFilter.WITHOUT_ACCOUNT, with_answers=False
        )
    trail = paginate(
        sa.select(AuditEvent)
        .where(AuditEvent.round_id == round_.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page_number("historik"),
        size=TRAIL_PAGE_SIZE,
        options=(sa.orm.joinedload(AuditEvent.actor),),
    )
    return render_template(
        "rounds/show.html",
        round=round_,
        recipients=recipients,
        bodies=bodies,
        # The place in the table, carried by a row's actions (``views.to_round``).
        place={
            "visa": bodies.value or None,
            "remissinstanser": recipients.number if recipients.number > 1 else None,
        },
        without_account=without_account,
        no_account=no_account,
        answered=answered,
        invited=invited,
        days_left=round_.days_left(local_today()),
        trail=trail,
        can_edit=current_user.is_officer,
        document_form=document_form(round_, formdata=None),
    )


# A round's life -----------------------------------------------------------------------------------


@bp.route("/<int:round_id>/open", methods=["POST"])
@officer_required
def open_round(round_id: int):
    round_ = get_round_or_404(round_id)
    require_post_form()
    try:
        operations.open_round(round_, by=actor(), now=utcnow(), confirmed=confirmed())
    except ConfirmationRequired as question:
        return ask_to_confirm(
            round_,
            question,
            action=url_for("rounds.open_round", round_id=round_.id),
            button="Skicka ändå",
            title="Skicka remissen utan remissförslag?",
        )
    except DomainError as error:
        return refuse(round_, error)
    db.session.commit()
    flash("Remissen är skickad. Remissinstanserna är inbjudna.", "success")
    return to_round(round_)


@bp.route("/<int:round_id>/schedule", methods=["POST"])
@officer_required
def schedule(round_id: int):
    round_ = get_round_or_404(round_id)
    require_post_form()
    try:
        operations.schedule_round(round_, by=actor(), now=utcnow(), confirmed=confirmed())
    except ConfirmationRequired as question:
        return ask_to_confirm(
            round_,
            question,
            action=url_for("rounds.schedule", round_id=round_.id),
            button="Schemalägg ändå",
            title="Schemalägga remissen utan remissförslag?",
        )
    except DomainError as error:
        return refuse(round_, error)
    db.session.commit()
    flash(f"Remissen skickas automatiskt på morgonen {format_date(round_.sent_on, 'long')}.", "success")
    return to_round(round_)


@bp.route("/<int:round_id>/unschedule", methods=["POST"])
@officer_required
def unschedule(round_id: int):
    round_ = get_round_or_404(round_id)
    require_post_form()
    try:
        operations.unschedule_round(round_, by=actor())
    except DomainError as error:
        return refuse(round_, error)
    db.session.commit()
    flash("Schemaläggningen är borttagen. Remissen skickas inte automatiskt.", "success")
    return to_round(round_)


@bp.route("/<int:round_id>/close", methods=["POST"])
@officer_required
def close(round_id: int):
    round_ = get_round_or_404(round_id)
    require_post_form()
    try:
        operations.close_round(round_, by=actor(), now=utcnow(), confirmed=confirmed())
    except ConfirmationRequired as question:
        return ask_to_confirm(
            round_,
            question,
            action=url_for("rounds.close", round_id=round_.id),
            button="Stäng ändå",
            title="Stänga remissen i förtid?",
        )
    except DomainError as error:
        return refuse(round_, error)
    db.session.commit()
    flash("Remissen är stängd och tar inte emot fler svar.", "success")
    return to_round(round_)


@bp.route("/<int:round_id>/reopen", methods=["POST"])
@officer_required
def reopen(round_id: int):
    round_ = get_round_or_404(round_id)
    require_post_form()
    try:
        operations.reopen_round(round_, by=actor(), now=utcnow())
    except DomainError as error:
        return refuse(round_, error)
    db.session.commit()
    flash("Remissen är öppen igen.", "success")
    return to_round(round_)


@bp.route("/<int:round_id>/archive", methods=["POST"])
@officer_required
def archive(round_id: int):
    round_ = get_round_or_404(round_id)
    require_post_form()
    try:
        operations.archive_round(round_, by=actor(), now=utcnow())
    except DomainError as error:
        return refuse(round_, error)
    db.session.commit()
    flash("Remissen är avslutad.", "success")
    return to_round(round_)
