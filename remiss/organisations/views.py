"""Admin pages for the register of organisations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from remiss.audit.models import record
from remiss.core.access import admin_required
from remiss.core.spreadsheets import UnreadableSpreadsheet, decode_csv
from remiss.extensions import db
from remiss.organisations import service
from remiss.organisations.forms import OrganisationForm, OrganisationImportForm
from remiss.organisations.models import Organisation, OrganisationKind

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


def get_organisation_or_404(organisation_id: int) -> Organisation:
    return db.get_or_404(Organisation, organisation_id)


def _name_taken(name: str, except_id: int | None = None) -> bool:
    query = sa.select(Organisation.id).where(Organisation.name == name)
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return db.session.scalar(query) is not None


@bp.route("/")
@admin_required
def index():
    return _index_page(OrganisationImportForm())


def _index_page(import_form: OrganisationImportForm, status: int = 200):
    """The register, with the import form (and, after a refused import, its error summary
    beside it)."""
    organisations = db.session.scalars(
        sa.select(Organisation).order_by(Organisation.kind, Organisation.name)
    ).all()
    return render_template(
        "organisations/index.html", organisations=organisations, import_form=import_form
    ), status


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        if _name_taken(form.name.data.strip()):
            form.name.errors.append("Det finns redan en organisation med det namnet.")
        else:
            organisation = Organisation()
            _fill(organisation, form)
            db.session.add(organisation)
            db.session.flush()
            record("organisation.created", organisation, actor=current_user, name=organisation.name)
            db.session.commit()
            flash(f"Organisationen {organisation.name} är skapad.", "success")
            return redirect(url_for("organisations.index"))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(organisation_id: int):
    organisation = get_organisation_or_404(organisation_id)
    form = OrganisationForm(obj=organisation)
    if not form.is_submitted():
        form.kind.data = organisation.kind.value
    if form.validate_on_submit():
        if _name_taken(form.name.data.strip(), organisation.id):
            form.name.errors.append("Det finns redan en organisation med det namnet.")
        else:
            _fill(organisation, form)
            record("organisation.updated", organisation, actor=current_user, name=organisation.name)
            db.session.commit()
            flash(f"Organisationen {organisation.name} är sparad.", "success")
            return redirect(url_for("organisations.index"))
    return render_template("organisations/form.html", form=form, organisation=organisation)


@bp.route("/import", methods=["POST"])
@admin_required
def import_csv():
    # A refused import shows the page again with the error summary next to the form, which
    # takes focus (a banner at the top of a long register would be out of sight).
    form = OrganisationImportForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    try:
        text = decode_csv(form.file.data.read())
    except UnreadableSpreadsheet as error:
        form.file.errors.append(str(error))
        return _index_page(form, 422)
    report = service.import_organisations(text)
    if not report.ok:
        db.session.rollback()
        form.file.errors.extend(report.errors)
        form.file.errors.append("Ingenting importerades. Rätta raderna och försök igen.")
        return _index_page(form, 422)
    record(
        "organisation.imported",
        actor=current_user,
        count=report.created + report.updated,
        created=report.created,
        updated=report.updated,
    )
    db.session.commit()
    flash(
        f"Importen är klar: {report.created} nya, {report.updated} ändrade, "
        f"{report.unchanged} oförändrade organisationer.",
        "success",
    )
    return redirect(url_for("organisations.index"))


def _fill(organisation: Organisation, form: OrganisationForm) -> None:
    organisation.name = form.name.data.strip()
    organisation.short_name = form.short_name.data.strip()
    organisation.kind = OrganisationKind(form.kind.data)
    organisation.group = (form.group.data or "").strip() or None
    organisation.email = form.email.data.strip().lower()
    organisation.active = form.active.data
