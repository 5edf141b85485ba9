"""The round's structure while it is a draft: focus areas and their measures or questions,
added, edited, moved, removed one by one or pasted as a table of contents."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.extensions import db
from remiss.rounds import operations, service
from remiss.rounds.access import get_round_or_404
from remiss.rounds.forms import FocusAreaForm, MeasureForm, PasteForm
from remiss.rounds.models import FocusArea, Measure, MeasureKind, Round
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
    area_form = FocusAreaForm(formdata=None, number=operations.next_area_number(round_))
    measure_forms = {
        area.id: MeasureForm(
            formdata=None,
            prefix=f"area{area.id}",
            number=operations.next_measure_number(area),
            kind=(area.measures[-1].kind.value if area.measures else MeasureKind.MEASURE.value),
        )
        for area in round_.focus_areas
    }
    return render_template(
        "rounds/structure.html", round=round_, area_form=area_form, measure_forms=measure_forms
    )


@bp.route("/<int:round_id>/structure/areas", methods=["POST"])
@officer_required
def add_focus_area(round_id: int):
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = FocusAreaForm()
    if form.validate_on_submit():
        try:
            area = operations.add_focus_area(round_, form.number.data, form.title.data, by=actor())
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
    if form.validate_on_submit():
        try:
            operations.update_focus_area(area, form.number.data, form.title.data, by=actor())
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
    try:
        operations.move_focus_area(area, direction, by=actor())
    except DomainError as error:
        return _refuse(round_, error)
    db.session.commit()
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
    flash(f"{label} med dess insatser är borttaget.", "success")
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
            measure = operations.add_measure(
                area, form.number.data, form.title.data, MeasureKind(form.kind.data), by=actor()
            )
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
    if not form.is_submitted():
        form.kind.data = measure.kind.value
    if form.validate_on_submit():
        try:
            operations.update_measure(
                measure, form.number.data, form.title.data, MeasureKind(form.kind.data), by=actor()
            )
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
    try:
        operations.move_measure(measure, direction, by=actor())
    except DomainError as error:
        return _refuse(round_, error)
    db.session.commit()
    return _to_structure(round_, measure.focus_area_id)


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


@bp.route("/<int:round_id>/structure/paste", methods=["GET", "POST"])
@officer_required
def paste_structure(round_id: int):
    """Paste the table of contents; the first POST shows a preview, ``confirm`` saves it."""
    round_ = get_round_or_404(round_id)
    if refused := _refuse_unless_editable(round_):
        return refused
    form = PasteForm()
    parsed = None
    if form.validate_on_submit():
        parsed = service.parse_structure(form.text.data, [a.number for a in round_.focus_areas])
        if parsed.ok and "confirm" in request.form:
            try:
                added = operations.paste_structure(round_, parsed, by=actor())
            except DomainError as error:
                return _refuse(round_, error)
            db.session.commit()
            flash(
                f"{len(added)} fokusområden och {parsed.measure_count} insatser eller frågor är tillagda.",
                "success",
            )
            return _to_structure(round_)
    return render_template("rounds/paste.html", round=round_, form=form, parsed=parsed)
