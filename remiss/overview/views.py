"""The manager's overview: one page with four paged sections, a page per body, and the Excel
file. Officers and managers only; nothing here changes anything."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from remiss.core.access import staff_required
from remiss.core.paging import page_number
from remiss.core.time import local_today
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.overview import service
from remiss.overview.forms import OverviewFilterForm
from remiss.overview.xlsx import XLSX_MIMETYPE, export_filename, write_xlsx

bp = Blueprint("overview", __name__, url_prefix="/overview")

# The page parameter of each section (each section pages on its own).
PAGES = {
    "rounds": "sida_remisser",
    "late": "sida_sena",
    "due": "sida_veckan",
    "bodies": "sida_instanser",
}


def _filter_form() -> OverviewFilterForm:
    form = OverviewFilterForm(formdata=request.args, groups=service.groups())
    if request.args:
        form.validate()
    return form


@bp.context_processor
def words():
    """``decimal(2.5)`` (``2,5``) in the overview's templates; counts with nouns go through the
    site's ``plural`` filter like everywhere else."""
    return {"decimal": service.decimal_text}


@bp.route("/")
@staff_required
def index():
    form = _filter_form()
    filters, args = form.filters, form.args
    today = local_today()
    rounds = service.open_rounds(filters, today, page=page_number(PAGES["rounds"]))
    late = service.late_bodies(filters, today, page=page_number(PAGES["late"]))
    due = service.due_soon(filters, today, page=page_number(PAGES["due"]))
    bodies = service.body_history(filters, today, page=page_number(PAGES["bodies"]))
    # Paging one section keeps the page shown of the others.
    shown = {"rounds": rounds, "late": late, "due": due, "bodies": bodies}
    page_args = args | {PAGES[name]: page.number for name, page in shown.items() if page.number > 1}
    return render_template(
        "overview/index.html",
        form=form,
        args=args,
        page_args=page_args,
        filters=filters,
        today=today,
        pages=PAGES,
        due_days=service.DUE_WITHIN_DAYS,
        due_until=today + timedelta(days=service.DUE_WITHIN_DAYS),
        **shown,
    )


@bp.route("/export")
@staff_required
def export():
    form = _filter_form()
    if form.errors:
        flash("Filtret innehåller fel. Rätta det och ladda ner filen igen.", "error")
        return redirect(url_for("overview.index", **request.args))
    overview = service.whole_overview(form.filters, local_today())
    buffer = io.BytesIO()
    write_xlsx(overview, buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=export_filename(overview),
        max_age=0,
    )


@bp.route("/bodies/<int:organisation_id>")
@staff_required
def body(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = _filter_form()
    filters, args = form.filters, form.args
    today = local_today()
    return render_template(
        "overview/body.html",
        organisation=organisation,
        form=form,
        args=args,
        filters=filters,
        today=today,
        history=service.history_of(organisation, filters, today),
        rows=service.rounds_of(organisation, filters, page=page_number()),
    )
