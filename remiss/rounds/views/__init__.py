"""Officers create, structure, send and follow a round; managers follow. Each view: load or 404 →
access → form → model method or service → one commit → flash → redirect."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from remiss.answers.models import Answer
from remiss.audit.models import AuditEvent, record
from remiss.auth.access import officer_required, staff_required
from remiss.core.errors import DomainError
from remiss.core.forms import ButtonForm, choices
from remiss.core.time import local_today, utcnow
from remiss.documents import service as documents
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db
from remiss.imports.round_json import RoundImportError, import_round
from remiss.organisations.models import Organisation
from remiss.rounds import service
from remiss.rounds.access import get_round_or_404, recipient_or_404
from remiss.rounds.forms import (
    ContactForm,
    DocumentForm,
    ExtensionForm,
    FilterForm,
    FocusAreaForm,
    GroupForm,
    ImportForm,
    MeasureForm,
    PasteForm,
    RecipientForm,
    RoundCorrectionForm,
    RoundForm,
    officer_choices,
)
from remiss.rounds.models import FocusArea, Measure, MeasureKind, Recipient, Round, RoundStatus

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

DIRECTIONS = "<any(up, down):direction>"

# How the round's audit trail names what happened; unknown actions show their summary.
AUDIT_LABELS = {
    "round.created": "Skapade remissen",
    "round.imported": "Importerade remissen",
    "round.updated": "Ändrade remissens uppgifter",
    "round.open": "Skickade remissen",
    "round.close": "Stängde remissen",
    "round.reopen": "Öppnade remissen igen",
    "round.archive": "Avslutade remissen",
    "round.document_added": "Laddade upp dokument",
    "round.document_removed": "Tog bort dokument",
    "structure.area_added": "Lade till fokusområde",
    "structure.area_updated": "Ändrade fokusområde",
    "structure.area_moved": "Flyttade fokusområde",
    "structure.area_removed": "Tog bort fokusområde",
    "structure.measure_added": "Lade till insats eller fråga",
    "structure.measure_updated": "Ändrade insats eller fråga",
    "structure.measure_moved": "Flyttade insats eller fråga",
    "structure.measure_removed": "Tog bort insats eller fråga",
    "structure.pasted": "Klistrade in struktur",
    "recipient.added": "Lade till remissinstans",
    "recipient.removed": "Tog bort remissinstans",
    "recipient.contact_changed": "Ändrade kontaktadress",
    "recipient.extension_granted": "Gav anstånd",
    "answer.read": "Markerade svar som läst",
}


def _actor():
    return current_user._get_current_object()


def _show(round_: Round, anchor: str | None = None):
    return redirect(url_for("rounds.show", round_id=round_.id, _anchor=anchor))


def _refuse(round_: Round, error: DomainError, anchor: str | None = None):
    db.session.rollback()
    flash(error.message, "error")
    return _show(round_, anchor)


def _require_post_form() -> None:
    """POST buttons carry only their CSRF token."""
    if not ButtonForm().validate_on_submit():
        abort(400)


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
    rows = service.list_rounds(
        status=RoundStatus(status) if status else None,
        year=int(year) if year else None,
        officer_id=int(officer) if officer else None,
        search=form.q.data or "",
        newest_deadline_first=form.value("sort") == "-deadline",
    )
    return render_template("rounds/index.html", form=form, rows=rows)


@bp.route("/start")
@officer_required
def dashboard():
    rounds = db.session.scalars(
        sa.select(Round)
        .where(Round.officer_id == current_user.id, Round.status == RoundStatus.OPEN)
        .order_by(Round.deadline, Round.id)
    ).all()
    rows = {row.round.id: row for row in service.list_rounds(officer_id=current_user.id)}
    attention = service.needs_attention(rounds)
    drafts = db.session.scalars(
        sa.select(Round)
        .where(Round.officer_id == current_user.id, Round.status == RoundStatus.DRAFT)
        .order_by(Round.deadline)
    ).all()
    return render_template(
        "rounds/dashboard.html",
        rounds=[rows[r.id] for r in rounds],
        drafts=drafts,
        attention=attention,
    )


# Create, edit, import -----------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def create():
    form = RoundForm()
    form.officer_id.choices = officer_choices()
    if not form.is_submitted():
        form.officer_id.data = str(current_user.id)
    if form.validate_on_submit():
        round_ = Round()
        _fill(round_, form)
        db.session.add(round_)
        db.session.flush()
        record("round.created", round_, actor=_actor(), summary=f"{round_.dnr} {round_.title}")
        db.session.commit()
        flash("Remissen är skapad som utkast. Lägg till struktur, dokument och remissinstanser.", "success")
        return _show(round_)
    return render_template("rounds/form.html", form=form, round=None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(round_id: int):
    round_ = get_round_or_404(round_id)
    if round_.status is RoundStatus.ARCHIVED:
        flash("En avslutad remiss kan inte ändras.", "error")
        return _show(round_)
    form_class = RoundForm if round_.facts_editable else RoundCorrectionForm
    form = form_class(obj=round_)
    form.officer_id.choices = officer_choices(round_.officer_id)
    if not form.is_submitted():
        form.officer_id.data = str(round_.officer_id) if round_.officer_id else ""
    if form.validate_on_submit():
        _fill(round_, form)
        record("round.updated", round_, actor=_actor(), summary=f"{round_.dnr} {round_.title}")
        db.session.commit()
        flash("Remissen är sparad.", "success")
        return _show(round_)
    return render_template("rounds/form.html", form=form, round=round_)


def _fill(round_: Round, form: RoundCorrectionForm) -> None:
    round_.description = (form.description.data or "").strip()
    round_.officer_id = int(form.officer_id.data)
    if isinstance(form, RoundForm):
        round_.title = form.title.data.strip()
        round_.dnr = form.dnr.data
        round_.decision = (form.decision.data or "").strip()
        round_.sent_on = form.sent_on.data
        round_.deadline = form.deadline.data


@bp.route("/import", methods=["GET", "POST"])
@officer_required
def import_json():
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            data = json.loads(form.file.data.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            problems = ["Filen är inte giltig JSON i teckenkodningen UTF-8."]
        else:
            try:
                round_ = import_round(data, officer=_actor(), actor=_actor())
            except RoundImportError as error:
                db.session.rollback()
                problems = error.problems
            except DomainError as error:
                db.session.rollback()
                problems = [error.message]
            else:
                db.session.commit()
                flash(f"Remissen {round_.dnr} är importerad.", "success")
                return _show(round_)
    return render_template("rounds/import.html", form=form, problems=problems)


# The round page -----------------------------------------------------------------------------------


@bp.route("/<int:round_id>")
@staff_required
def show(round_id: int):
    round_ = get_round_or_404(round_id)
    recipients = db.session.scalars(
        sa.select(Recipient)
        .where(Recipient.round_id == round_.id)
        .join(Organisation)
        .order_by(Organisation.name)
        .options(
            sa.orm.selectinload(Recipient.answer).selectinload(Answer.versions),
            sa.orm.contains_eager(Recipient.organisation),
        )
    ).all()
    trail = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.round_id == round_.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .options(sa.orm.joinedload(AuditEvent.actor))
    ).all()
    answered = sum(1 for r in recipients if r.latest_submitted is not None)
    return render_template(
        "rounds/show.html",
        round=round_,
        recipients=recipients,
        answered=answered,
        invited=len(recipients),
        days_left=(round_.deadline - local_today()).days,
        trail=trail,
        can_edit=current_user.is_officer,
        document_form=DocumentForm(),
        has_answered=service.has_answered,
        audit_labels=AUDIT_LABELS,
    )


# Documents ----------------------------------------------------------------------------------------


@bp.route("/<int:round_id>/documents", methods=["POST"])
@officer_required
def upload_document(round_id: int):
    round_ = get_round_or_404(round_id)
    form = DocumentForm()
    if round_.status is RoundStatus.ARCHIVED:
        flash("En avslutad remiss kan inte ändras.", "error")
        return _show(round_, "dokument")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _show(round_, "dokument")
    try:
        document = documents.store_upload(
            form.file.data,
            kind=DocumentKind(form.kind.data),
            allowed=documents.ROUND_DOCUMENT_TYPES,
            uploaded_by=_actor(),
        )
    except DomainError as error:
        return _refuse(round_, error, "dokument")
    document.round_id = round_.id
    db.session.add(document)
    db.session.flush()
    record(
        "round.document_added",
        document,
        actor=_actor(),
        round_id=round_.id,
        summary=f"{document.kind.label}: {document.original_name}",
    )
    db.session.commit()
    flash(f"{document.original_name} är uppladdad.", "success")
    return _show(round_, "dokument")


@bp.route("/<int:round_id>/documents/<int:document_id>/remove", methods=["POST"])
@officer_required
def remove_document(round_id: int, document_id: int):
    round_ = get_round_or_404(round_id)
    document = db.get_or_404(Document, document_id)
    if document.round_id != round_.id:
        abort(404)
    _require_post_form()
    if round_.status is RoundStatus.ARCHIVED:
        flash("En avslutad remiss kan inte ändras.", "error")
        return _show(round_, "dokument")
    record(
        "round.document_removed",
        document,
        actor=_actor(),
        round_id=round_.id,
        summary=f"{document.kind.label}: {document.original_name}",
    )
    documents.delete(document)
    db.session.commit()
    flash(f"{document.original_name} är borttagen.", "success")
    return _show(round_, "dokument")


# Structure ----------------------------------------------------------------------------------------


def _area_or_404(round_: Round, area_id: int) -> FocusArea:
    area = db.get_or_404(FocusArea, area_id)
    if area.round_id != round_.id:
        abort(404)
    return area


def _measure_or_404(round_: Round, measure_id: int) -> Measure:
    measure = db.get_or_404(Measure, measure_id)
    if measure.focus_area.round_id != round_.id:
        abort(404)
    return measure


def _editable_or_redirect(round_: Round):
    if not round_.structure_editable:
        flash("Strukturen kan bara ändras medan remissen är ett utkast.", "error")
        return redirect(url_for("rounds.structure", round_id=round_.id))
    return None


@bp.route("/<int:round_id>/structure")
@officer_required
def structure(round_id: int):
    round_ = get_round_or_404(round_id)
    area_form = FocusAreaForm(formdata=None, number=service.next_area_number(round_))
    measure_forms = {
        area.id: MeasureForm(
            formdata=None,
            prefix=f"area{area.id}",
            number=service.next_measure_number(area),
            kind=(area.measures[-1].kind.value if area.measures else MeasureKind.MEASURE.value),
        )
        for area in round_.focus_areas
    }
    return render_template(
        "rounds/structure.html",
        round=round_,
        area_form=area_form,
        measure_forms=measure_forms,
    )


@bp.route("/<int:round_id>/structure/areas", methods=["POST"])
@officer_required
def add_focus_area(round_id: int):
    round_ = get_round_or_404(round_id)
    if refused := _editable_or_redirect(round_):
        return refused
    form = FocusAreaForm()
    if form.validate_on_submit():
        try:
            service.check_area_number(round_, form.number.data)
        except DomainError as error:
            form.number.errors.append(error.message)
        else:
            position = max((a.position for a in round_.focus_areas), default=0) + 1
            area = FocusArea(number=form.number.data, title=form.title.data.strip(), position=position)
            round_.focus_areas.append(area)
            db.session.flush()
            record("structure.area_added", area, actor=_actor(), summary=f"{area.label} {area.title}")
            db.session.commit()
            flash(f"{area.label} är tillagt.", "success")
            return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{area.id}"))
    return render_template("rounds/area_form.html", round=round_, form=form, area=None), 422


@bp.route("/<int:round_id>/structure/areas/<int:area_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_focus_area(round_id: int, area_id: int):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    if refused := _editable_or_redirect(round_):
        return refused
    form = FocusAreaForm(obj=area)
    if form.validate_on_submit():
        try:
            service.check_area_number(round_, form.number.data, area)
        except DomainError as error:
            form.number.errors.append(error.message)
        else:
            old = area.number
            area.number = form.number.data
            area.title = form.title.data.strip()
            if old != area.number:  # measures follow their focus area's number: 2:1 → 3:1
                for measure in area.measures:
                    _, _, tail = measure.number.partition(":")
                    measure.number = f"{area.number}:{tail}"
            try:
                db.session.flush()
            except sa.exc.IntegrityError:
                db.session.rollback()
                flash("Numren krockar med ett annat fokusområde eller en annan insats.", "error")
                return redirect(url_for("rounds.structure", round_id=round_.id))
            record("structure.area_updated", area, actor=_actor(), summary=f"{area.label} {area.title}")
            db.session.commit()
            flash(f"{area.label} är sparat.", "success")
            return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{area.id}"))
    return render_template("rounds/area_form.html", round=round_, form=form, area=area)


@bp.route(f"/<int:round_id>/structure/areas/<int:area_id>/move/{DIRECTIONS}", methods=["POST"])
@officer_required
def move_focus_area(round_id: int, area_id: int, direction: str):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    _require_post_form()
    if refused := _editable_or_redirect(round_):
        return refused
    if service.move(round_.focus_areas, area, direction):
        record("structure.area_moved", area, actor=_actor(), summary=f"{area.label} flyttat")
        db.session.commit()
    return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{area.id}"))


@bp.route("/<int:round_id>/structure/areas/<int:area_id>/remove", methods=["POST"])
@officer_required
def remove_focus_area(round_id: int, area_id: int):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    _require_post_form()
    if refused := _editable_or_redirect(round_):
        return refused
    record(
        "structure.area_removed",
        area,
        actor=_actor(),
        round_id=round_.id,
        summary=f"{area.label} {area.title}",
    )
    round_.focus_areas.remove(area)
    db.session.commit()
    flash(f"{area.label} med dess insatser är borttaget.", "success")
    return redirect(url_for("rounds.structure", round_id=round_.id))


@bp.route("/<int:round_id>/structure/areas/<int:area_id>/measures", methods=["POST"])
@officer_required
def add_measure(round_id: int, area_id: int):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    if refused := _editable_or_redirect(round_):
        return refused
    form = MeasureForm(prefix=f"area{area.id}")
    if form.validate_on_submit():
        try:
            _check_measure_number(area, form.number.data)
        except DomainError as error:
            form.number.errors.append(error.message)
        else:
            position = max((m.position for m in area.measures), default=0) + 1
            measure = Measure(
                number=form.number.data,
                title=form.title.data.strip(),
                kind=MeasureKind(form.kind.data),
                position=position,
            )
            area.measures.append(measure)
            db.session.flush()
            record(
                "structure.measure_added",
                measure,
                actor=_actor(),
                round_id=round_.id,
                summary=f"{measure.label} {measure.title}",
            )
            db.session.commit()
            flash(f"{measure.label} är tillagd.", "success")
            return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{area.id}"))
    return render_template("rounds/measure_form.html", round=round_, area=area, form=form, measure=None), 422


def _check_measure_number(area: FocusArea, number: str, measure: Measure | None = None) -> None:
    if number.partition(":")[0] != area.number:
        raise DomainError(f"Numret ska börja med fokusområdets nummer, t.ex. {area.number}:1.")
    service.check_measure_number(area, number, measure)


@bp.route("/<int:round_id>/structure/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_measure(round_id: int, measure_id: int):
    round_ = get_round_or_404(round_id)
    measure = _measure_or_404(round_, measure_id)
    if refused := _editable_or_redirect(round_):
        return refused
    form = MeasureForm(obj=measure)
    if not form.is_submitted():
        form.kind.data = measure.kind.value
    if form.validate_on_submit():
        try:
            _check_measure_number(measure.focus_area, form.number.data, measure)
        except DomainError as error:
            form.number.errors.append(error.message)
        else:
            measure.number = form.number.data
            measure.title = form.title.data.strip()
            measure.kind = MeasureKind(form.kind.data)
            record(
                "structure.measure_updated",
                measure,
                actor=_actor(),
                round_id=round_.id,
                summary=f"{measure.label} {measure.title}",
            )
            db.session.commit()
            flash(f"{measure.label} är sparad.", "success")
            return redirect(
                url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{measure.focus_area_id}")
            )
    return render_template(
        "rounds/measure_form.html", round=round_, area=measure.focus_area, form=form, measure=measure
    )


@bp.route(f"/<int:round_id>/structure/measures/<int:measure_id>/move/{DIRECTIONS}", methods=["POST"])
@officer_required
def move_measure(round_id: int, measure_id: int, direction: str):
    round_ = get_round_or_404(round_id)
    measure = _measure_or_404(round_, measure_id)
    _require_post_form()
    if refused := _editable_or_redirect(round_):
        return refused
    if service.move(measure.focus_area.measures, measure, direction):
        record(
            "structure.measure_moved",
            measure,
            actor=_actor(),
            round_id=round_.id,
            summary=f"{measure.label} flyttad",
        )
        db.session.commit()
    return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{measure.focus_area_id}"))


@bp.route("/<int:round_id>/structure/measures/<int:measure_id>/remove", methods=["POST"])
@officer_required
def remove_measure(round_id: int, measure_id: int):
    round_ = get_round_or_404(round_id)
    measure = _measure_or_404(round_, measure_id)
    _require_post_form()
    if refused := _editable_or_redirect(round_):
        return refused
    area = measure.focus_area
    record(
        "structure.measure_removed",
        measure,
        actor=_actor(),
        round_id=round_.id,
        summary=f"{measure.label} {measure.title}",
    )
    area.measures.remove(measure)
    db.session.commit()
    flash(f"{measure.label} är borttagen.", "success")
    return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=f"area-{area.id}"))


@bp.route("/<int:round_id>/structure/paste", methods=["GET", "POST"])
@officer_required
def paste_structure(round_id: int):
    """Paste the table of contents; the first POST shows a preview, ``confirm`` saves it."""
    round_ = get_round_or_404(round_id)
    if refused := _editable_or_redirect(round_):
        return refused
    form = PasteForm()
    parsed = None
    if form.validate_on_submit():
        parsed = service.parse_structure(form.text.data, [a.number for a in round_.focus_areas])
        if parsed.ok and "confirm" in request.form:
            added = service.add_structure(round_, parsed)
            record(
                "structure.pasted",
                round_,
                actor=_actor(),
                summary=f"{len(added)} fokusområden, {parsed.measure_count} insatser/frågor inklistrade",
            )
            db.session.commit()
            flash(
                f"{len(added)} fokusområden och {parsed.measure_count} insatser eller frågor är tillagda.",
                "success",
            )
            return redirect(url_for("rounds.structure", round_id=round_.id))
    return render_template("rounds/paste.html", round=round_, form=form, parsed=parsed)


# Recipients ---------------------------------------------------------------------------------------


def _available_organisations(round_: Round) -> list[Organisation]:
    """Active organisations not yet recipients of ``round_``: what the officer can pick."""
    invited = {r.organisation_id for r in round_.recipients}
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.active.is_(True)).order_by(Organisation.name)
    ).all()
    return [o for o in organisations if o.id not in invited]


def _offer(form: RecipientForm, available: list[Organisation]) -> RecipientForm:
    form.organisation_id.choices = choices(
        ((str(o.id), f"{o.name} ({o.email})") for o in available), blank="Välj organisation"
    )
    return form


def _recipient_page(round_: Round, form=None, group_form=None, status=200):
    available = _available_organisations(round_)
    form = _offer(form or RecipientForm(formdata=None), available)
    groups = sorted({o.group for o in available if o.group})
    if group_form is None:
        group_form = GroupForm(formdata=None)
    group_form.group.choices = choices(((g, g) for g in groups), blank="Välj grupp")
    return (
        render_template(
            "rounds/recipients.html",
            round=round_,
            form=form,
            group_form=group_form,
            groups=groups,
            available=available,
        ),
        status,
    )


def _can_add_recipients(round_: Round):
    if round_.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        flash("Remissinstanser kan bara läggas till medan remissen är ett utkast eller öppen.", "error")
        return _show(round_, "remissinstanser")
    return None


@bp.route("/<int:round_id>/recipients", methods=["GET", "POST"])
@officer_required
def recipients(round_id: int):
    """Pick organisations one by one (POST here) or a whole group (``add_group``)."""
    round_ = get_round_or_404(round_id)
    if refused := _can_add_recipients(round_):
        return refused
    if request.method == "GET":
        return _recipient_page(round_)
    form = _offer(RecipientForm(), _available_organisations(round_))
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, int(form.organisation_id.data))
        try:
            recipient = _add(round_, organisation, form.contact_email.data)
        except DomainError as error:
            form.organisation_id.errors.append(error.message)
        else:
            db.session.commit()
            flash(_added_message(round_, [recipient]), "success")
            return redirect(url_for("rounds.recipients", round_id=round_.id))
    return _recipient_page(round_, form=form, status=422)


@bp.route("/<int:round_id>/recipients/group", methods=["POST"])
@officer_required
def add_group(round_id: int):
    round_ = get_round_or_404(round_id)
    if refused := _can_add_recipients(round_):
        return refused
    form = GroupForm()
    if form.validate_on_submit():
        invited = {r.organisation_id for r in round_.recipients}
        members = db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.group == form.group.data, Organisation.active.is_(True))
            .order_by(Organisation.name)
        ).all()
        new = [o for o in members if o.id not in invited]
        if not members:
            form.group.errors.append("Välj en grupp i listan.")
        elif not new:
            form.group.errors.append("Alla organisationer i gruppen är redan remissinstanser.")
        else:
            added = [_add(round_, organisation, None) for organisation in new]
            db.session.commit()
            flash(_added_message(round_, added), "success")
            return redirect(url_for("rounds.recipients", round_id=round_.id))
    return _recipient_page(round_, group_form=form, status=422)


def _add(round_: Round, organisation: Organisation, contact_email: str | None) -> Recipient:
    recipient = service.add_recipient(round_, organisation, contact_email, now=utcnow())
    record(
        "recipient.added",
        recipient,
        actor=_actor(),
        summary=f"{organisation.name} ({recipient.contact_email})"
        + (" inbjuden" if recipient.invited_at else ""),
    )
    return recipient


def _added_message(round_: Round, added: list[Recipient]) -> str:
    names = ", ".join(r.organisation.name for r in added)
    text = f"Tillagd som remissinstans: {names}." if len(added) == 1 else f"Tillagda: {names}."
    if round_.status is RoundStatus.OPEN:
        text += " Remissen är öppen, så de är inbjudna nu."
    return text


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_recipient(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    if round_.status is RoundStatus.ARCHIVED:
        flash("En avslutad remiss kan inte ändras.", "error")
        return _show(round_, "remissinstanser")
    form = ContactForm(obj=recipient)
    if form.validate_on_submit():
        recipient.contact_email = form.contact_email.data.strip().lower()
        record(
            "recipient.contact_changed",
            recipient,
            actor=_actor(),
            summary=f"{recipient.organisation.name}: {recipient.contact_email}",
        )
        db.session.commit()
        flash(f"Kontaktadressen för {recipient.organisation.name} är sparad.", "success")
        return _show(round_, "remissinstanser")
    return render_template("rounds/recipient_form.html", round=round_, recipient=recipient, form=form)


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/remove", methods=["POST"])
@officer_required
def remove_recipient(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    _require_post_form()
    name = recipient.organisation.name
    try:
        record("recipient.removed", recipient, actor=_actor(), summary=name)
        service.remove_recipient(recipient)
    except DomainError as error:
        return _refuse(round_, error, "remissinstanser")
    db.session.commit()
    flash(f"{name} är borttagen som remissinstans.", "success")
    return _show(round_, "remissinstanser")


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/extension", methods=["GET", "POST"])
@officer_required
def extension(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    form = ExtensionForm(obj=recipient)
    if not form.is_submitted():
        form.reason.data = recipient.extension_reason
    if form.validate_on_submit():
        try:
            recipient.grant_extension(form.extended_deadline.data, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            form.extended_deadline.errors.append(error.message)
        else:
            record(
                "recipient.extension_granted",
                recipient,
                actor=_actor(),
                summary=f"{recipient.organisation.name}: anstånd till "
                f"{recipient.extended_deadline.isoformat()} ({recipient.extension_reason})",
            )
            db.session.commit()
            flash(
                f"{recipient.organisation.name} har anstånd till {recipient.extended_deadline.isoformat()}.",
                "success",
            )
            return _show(round_, "remissinstanser")
    return render_template("rounds/extension.html", round=round_, recipient=recipient, form=form)


@bp.route("/<int:round_id>/recipients/<int:recipient_id>/read", methods=["POST"])
@officer_required
def mark_read(round_id: int, recipient_id: int):
    round_ = get_round_or_404(round_id)
    recipient = recipient_or_404(round_, recipient_id)
    _require_post_form()
    try:
        newly_read = recipient.mark_answer_read()
    except DomainError as error:
        flash(error.message, "error")
        newly_read = False
    if newly_read:
        record(
            "answer.read",
            recipient.answer,
            actor=_actor(),
            round_id=round_.id,
            summary=recipient.organisation.name,
        )
        db.session.commit()
        flash(f"Svaret från {recipient.organisation.name} är markerat som läst.", "success")
    if request.form.get("back") == "start":
        return redirect(url_for("rounds.dashboard"))
    return _show(round_, "remissinstanser")


# A round's life -----------------------------------------------------------------------------------


def _change_status(round_id: int, verb: str, done: str):
    round_ = get_round_or_404(round_id)
    _require_post_form()
    now = utcnow()
    try:
        if verb == "reopen":
            round_.reopen()
        else:
            getattr(round_, verb)(now=now)
    except DomainError as error:
        return _refuse(round_, error)
    summary = f"{len(round_.recipients)} remissinstanser inbjudna" if verb == "open" else ""
    record(f"round.{verb}", round_, actor=_actor(), summary=summary)
    db.session.commit()
    flash(done, "success")
    return _show(round_)


@bp.route("/<int:round_id>/open", methods=["POST"])
@officer_required
def open_round(round_id: int):
    return _change_status(round_id, "open", "Remissen är skickad. Remissinstanserna är inbjudna.")


@bp.route("/<int:round_id>/close", methods=["POST"])
@officer_required
def close(round_id: int):
    return _change_status(round_id, "close", "Remissen är stängd och tar inte emot fler svar.")


@bp.route("/<int:round_id>/reopen", methods=["POST"])
@officer_required
def reopen(round_id: int):
    return _change_status(round_id, "reopen", "Remissen är öppen igen.")


@bp.route("/<int:round_id>/archive", methods=["POST"])
@officer_required
def archive(round_id: int):
    return _change_status(round_id, "archive", "Remissen är avslutad.")

from remiss.rounds.views import messages  # noqa: E402,F401
