"""The round's structure while it is a draft: focus areas with their measures, sections with
their questions, questions under no heading; added, edited, moved, removed one by one, pasted as
a table of contents or a list of questions, or proposed from the uploaded remissförslag (.docx)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.documents import service as documents
from remiss.documents.models import Document, DocumentKind
from remiss.documents.service import DOCX, detect_type
from remiss.extensions import db
from remiss.rounds import docx_structure, operations, service
from remiss.rounds.access import get_round_or_404
from remiss.rounds.forms import FocusAreaForm, MeasureForm, PasteForm
from remiss.rounds.models import AreaKind, FocusArea, Measure, Round
from remiss.rounds.views import actor, bp, require_post_form

DIRECTIONS = "<any(up, down):direction>"


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


def _to_structure(round_: Round, area_id: int | None = None):
    anchor = f"area-{area_id}" if area_id else None
    return redirect(url_for("rounds.structure", round_id=round_.id, _anchor=anchor))


def _refuse(round_: Round, error: DomainError, area_id: int | None = None):
    db.session.rollback()
    flash(error.message, "error")
    return _to_structure(round_, area_id)


def _refuse_unless_editable(round_: Round):
    if not round_.structure_editable:
        flash("Strukturen kan bara ändras medan remissen är ett utkast.", "error")
        return _to_structure(round_)
    return None


@bp.route("/<int:round_id>/structure")
@officer_required
def structure(round_id: int):
    round_ = get_round_or_404(round_id)
    kind = AreaKind.SECTION if round_.asks_questions and not round_.lists_measures else AreaKind.FOCUS_AREA
    area_form = FocusAreaForm(formdata=None, number=operations.next_area_number(round_), kind=kind.value)
    measure_forms = {
        area.id: MeasureForm(
            formdata=None, prefix=f"area{area.id}", number=operations.next_measure_number(area)
        )
        for area in round_.focus_areas
    }
    return render_template(
        "rounds/structure.html",
        round=round_,
        area_form=area_form,
        measure_forms=measure_forms,
        docx_drafts=docx_drafts(round_),
    )


def docx_drafts(round_: Round) -> list[Document]:
    """The round's current remissförslag in Word format, from which a structure can be proposed."""
    return [
        d
        for d in round_.current_documents
        if d.kind is DocumentKind.DRAFT and d.original_name.lower().endswith(".docx")
    ]


@bp.route("/<int:round_id>/structure/areas", methods=["POST"])
@officer_required
def add_focus_area(round_id: int):
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = FocusAreaForm()
    if form.validate_on_submit():
        try:
            area = operations.add_focus_area(
                round_, form.number.data, form.title.data, by=actor(), kind=AreaKind(form.kind.data)
            )
        except DomainError as error:
            db.session.rollback()
            form.number.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{area.label} är tillagt.", "success")
            return _to_structure(round_, area.id)
    return render_template("rounds/area_form.html", round=round_, form=form, area=None), 422


@bp.route("/<int:round_id>/structure/areas/<int:area_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_focus_area(round_id: int, area_id: int):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = FocusAreaForm(obj=area)
    if not form.is_submitted():
        form.kind.data = area.kind.value
    if form.validate_on_submit():
        try:
            operations.update_focus_area(
                area, form.number.data, form.title.data, by=actor(), kind=AreaKind(form.kind.data)
            )
        except DomainError as error:
            db.session.rollback()
            form.number.errors.append(error.message)
            return render_template("rounds/area_form.html", round=round_, form=form, area=area), 422
        db.session.commit()
        flash(f"{area.label} är sparat.", "success")
        return _to_structure(round_, area.id)
    return render_template("rounds/area_form.html", round=round_, form=form, area=area)


@bp.route(f"/<int:round_id>/structure/areas/<int:area_id>/move/{DIRECTIONS}", methods=["POST"])
@officer_required
def move_focus_area(round_id: int, area_id: int, direction: str):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    require_post_form()
    label = area.label
    try:
        moved = operations.move_focus_area(area, direction, by=actor())
    except DomainError as error:
        return _refuse(round_, error)
    db.session.commit()
    _confirm_move(label, area.label, direction, moved)
    return _to_structure(round_, area.id)


@bp.route("/<int:round_id>/structure/areas/<int:area_id>/remove", methods=["POST"])
@officer_required
def remove_focus_area(round_id: int, area_id: int):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    require_post_form()
    label = area.label
    try:
        operations.remove_focus_area(area, by=actor())
    except DomainError as error:
        return _refuse(round_, error)
    db.session.commit()
    flash(f"{label} med dess {area.items_words} är borttaget.", "success")
    return _to_structure(round_)


@bp.route("/<int:round_id>/structure/areas/<int:area_id>/measures", methods=["POST"])
@officer_required
def add_measure(round_id: int, area_id: int):
    round_ = get_round_or_404(round_id)
    area = _area_or_404(round_, area_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = MeasureForm(prefix=f"area{area.id}")
    if form.validate_on_submit():
        try:
            measure = operations.add_measure(area, form.number.data, form.title.data, by=actor())
        except DomainError as error:
            db.session.rollback()
            form.number.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{measure.label} är tillagd.", "success")
            return _to_structure(round_, area.id)
    return render_template("rounds/measure_form.html", round=round_, area=area, form=form, measure=None), 422


@bp.route("/<int:round_id>/structure/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_measure(round_id: int, measure_id: int):
    round_ = get_round_or_404(round_id)
    measure = _measure_or_404(round_, measure_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = MeasureForm(obj=measure)
    if form.validate_on_submit():
        try:
            operations.update_measure(measure, form.number.data, form.title.data, by=actor())
        except DomainError as error:
            db.session.rollback()
            form.number.errors.append(error.message)
        else:
            db.session.commit()
            flash(f"{measure.label} är sparad.", "success")
            return _to_structure(round_, measure.focus_area_id)
    return render_template(
        "rounds/measure_form.html", round=round_, area=measure.focus_area, form=form, measure=measure
    )


@bp.route(f"/<int:round_id>/structure/measures/<int:measure_id>/move/{DIRECTIONS}", methods=["POST"])
@officer_required
def move_measure(round_id: int, measure_id: int, direction: str):
    round_ = get_round_or_404(round_id)
    measure = _measure_or_404(round_, measure_id)
    require_post_form()
    label = measure.label
    try:
        moved = operations.move_measure(measure, direction, by=actor())
    except DomainError as error:
        return _refuse(round_, error)
    db.session.commit()
    _confirm_move(label, measure.label, direction, moved)
    return _to_structure(round_, measure.focus_area_id)


def _confirm_move(label: str, new_label: str, direction: str, moved: bool) -> None:
    """Every move says what happened (shown beside the moved item, static/js/app.js): "Insats
    2:3 flyttades uppåt och heter nu Insats 2:2." – or that nothing moved."""
    if not moved:
        where = "först" if direction == "up" else "sist"
        flash(f"{label} står redan {where} och flyttades inte.", "info")
        return
    renamed = f" och heter nu {new_label}" if new_label != label else ""
    flash(f"{label} flyttades {operations.DIRECTION_WORDS[direction]}{renamed}.", "success")


@bp.route("/<int:round_id>/structure/measures/<int:measure_id>/remove", methods=["POST"])
@officer_required
def remove_measure(round_id: int, measure_id: int):
    round_ = get_round_or_404(round_id)
    measure = _measure_or_404(round_, measure_id)
    require_post_form()
    label, area_id = measure.label, measure.focus_area_id
    try:
        operations.remove_measure(measure, by=actor())
    except DomainError as error:
        return _refuse(round_, error)
    db.session.commit()
    flash(f"{label} är borttagen.", "success")
    return _to_structure(round_, area_id)


def _parse(round_: Round, form: PasteForm):
    return service.parse_structure(
        form.text.data,
        [a.number for a in round_.focus_areas],
        [m.number for m in round_.questions],
        read_as=form.read_as.data or service.ReadAs.AUTO.value,
    )


@bp.route("/<int:round_id>/structure/paste", methods=["GET", "POST"])
@officer_required
def paste_structure(round_id: int):
    """Paste the table of contents or the questions; the first POST shows a preview with each
    line's reading, ``confirm`` saves it."""
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = PasteForm()
    parsed = None
    if form.validate_on_submit():
        parsed = _parse(round_, form)
        if parsed.ok and "confirm" in request.form:
            try:
                operations.paste_structure(round_, parsed, by=actor())
            except DomainError as error:
                return _refuse(round_, error)
            db.session.commit()
            flash(f"{parsed.summary[0].upper()}{parsed.summary[1:]} är tillagda.", "success")
            return _to_structure(round_)
    return render_template("rounds/paste.html", round=round_, form=form, parsed=parsed, proposal=None)


@bp.route("/<int:round_id>/structure/from-document/<int:document_id>")
@officer_required
def propose_structure(round_id: int, document_id: int):
    """The structure proposed from the uploaded remissförslag (.docx), in the paste's preview:
    the officer accepts it, edits the lines, or leaves. Nothing is saved here."""
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    document = db.get_or_404(Document, document_id)
    if document.round_id != round_.id or document not in docx_drafts(round_):
        abort(404)
    try:
        with open(documents.path_of(document), "rb") as stream:
            if detect_type(stream) is not DOCX:
                raise docx_structure.UnreadableDocument(
                    f"{document.original_name} är inte ett Word-dokument."
                )
            proposal = docx_structure.propose_structure(stream)
    except (OSError, docx_structure.UnreadableDocument) as error:
        flash(getattr(error, "message", "Dokumentet kunde inte läsas."), "error")
        return _to_structure(round_)
    form = PasteForm(formdata=None, text=proposal.text)
    parsed = _parse(round_, form) if proposal.lines else None
    return render_template(
        "rounds/paste.html", round=round_, form=form, parsed=parsed, proposal=proposal, document=document
    )
