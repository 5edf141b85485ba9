"""Admin pages for signing in through the city's identity provider: which of the provider's
groups give which role (and, for committee staff, which body), and whether city accounts must
use the provider instead of a password."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from remiss.audit.models import record
from remiss.auth import oidc
from remiss.auth.models import GroupMapping, Role, SignInSettings
from remiss.core.access import admin_required
from remiss.core.forms import ButtonForm, Form, choices, enum_choices
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.organisations.models import Organisation

bp = Blueprint("groups", __name__, url_prefix="/admin/groups")


class GroupMappingForm(Form):
    group = StringField(
        "Grupp i Göteborgs Stads konto",
        validators=[DataRequired("Ange gruppens namn eller id."), Length(max=255)],
    )
    role = SelectField("Roll i remisstjänsten", choices=enum_choices(Role))
    organisation_id = SelectField(
        "Organisation (bara för remissinstanser)", coerce=int, validators=[Optional()]
    )
    description = StringField("Beskrivning", validators=[Optional(), Length(max=200)])

    def validate_organisation_id(self, field) -> None:
        if self.role.data == Role.RESPONDENT.value and not field.data:
            raise ValidationError("En grupp med rollen remissinstans måste peka ut en organisation.")
        if self.role.data != Role.RESPONDENT.value and field.data:
            raise ValidationError("Bara grupper med rollen remissinstans hör till en organisation.")


class SettingsForm(Form):
    require_provider_for_city = BooleanField(
        "Kräv inloggning med Göteborgs Stads konto för alla konton i Göteborgs Stad"
    )


def _organisation_choices() -> list[SelectChoice]:
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
    )
    return choices([(0, "– ingen –")] + [(o.id, o.name) for o in organisations])


def _mapping_form(**kwargs) -> GroupMappingForm:
    form = GroupMappingForm(**kwargs)
    form.organisation_id.choices = _organisation_choices()
    return form


def _group_taken(group: str, except_id: int | None = None) -> bool:
    query = sa.select(GroupMapping.id).where(GroupMapping.group == group)
    if except_id is not None:
        query = query.where(GroupMapping.id != except_id)
    return db.session.scalar(query) is not None


def _fill(mapping: GroupMapping, form: GroupMappingForm) -> None:
    mapping.group = form.group.data.strip()
    mapping.role = Role(form.role.data)
    mapping.organisation_id = form.organisation_id.data or None
    mapping.description = (form.description.data or "").strip()


def _what(mapping: GroupMapping) -> str:
    if mapping.organisation is not None:
        return f"{mapping.role.label.lower()} för {mapping.organisation.name}"
    return mapping.role.label.lower()


def _index_page(form: GroupMappingForm | None = None, status: int = 200):
    mappings = db.session.scalars(
        sa.select(GroupMapping).options(joinedload(GroupMapping.organisation)).order_by(GroupMapping.group)
    ).all()
    settings_form = SettingsForm(require_provider_for_city=SignInSettings.provider_required())
    return (
        render_template(
            "users/groups.html",
            mappings=mappings,
            form=form or _mapping_form(),
            settings_form=settings_form,
            action_form=ButtonForm(),
            configured=oidc.is_configured(),
            city_domains=current_app.config["OIDC_CITY_EMAIL_DOMAINS"],
            groups_claim=current_app.config["OIDC_GROUPS_CLAIM"],
        ),
        status,
    )


@bp.route("/")
@admin_required
def index():
    return _index_page()


@bp.route("/new", methods=["POST"])
@admin_required
def create():
    form = _mapping_form()
    if form.validate_on_submit():
        if _group_taken(form.group.data.strip()):
            form.group.errors.append("Gruppen finns redan i listan. Ändra den i stället.")
        else:
            mapping = GroupMapping()
            _fill(mapping, form)
            db.session.add(mapping)
            db.session.flush()
            record(
                "group_mapping.saved", mapping, actor=current_user, group=mapping.group, role=_what(mapping)
            )
            db.session.commit()
            flash(f"Gruppen {mapping.group} ger nu behörighet som {_what(mapping)}.", "success")
            return redirect(url_for("groups.index"))
    return _index_page(form, 400)


@bp.route("/<int:mapping_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(mapping_id: int):
    mapping = db.get_or_404(GroupMapping, mapping_id)
    form = _mapping_form(obj=mapping)
    if not form.is_submitted():
        form.role.data = mapping.role.value
        form.organisation_id.data = mapping.organisation_id or 0
    if form.validate_on_submit():
        if _group_taken(form.group.data.strip(), mapping.id):
            form.group.errors.append("Gruppen finns redan i listan.")
        else:
            _fill(mapping, form)
            db.session.flush()
            db.session.refresh(mapping, ["organisation"])
            record(
                "group_mapping.saved", mapping, actor=current_user, group=mapping.group, role=_what(mapping)
            )
            db.session.commit()
            flash(f"Gruppen {mapping.group} är sparad. Ändringen gäller från nästa inloggning.", "success")
            return redirect(url_for("groups.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("users/groups_form.html", form=form, mapping=mapping), status


@bp.route("/<int:mapping_id>/delete", methods=["POST"])
@admin_required
def delete(mapping_id: int):
    mapping = db.get_or_404(GroupMapping, mapping_id)
    if ButtonForm().validate_on_submit():
        record("group_mapping.removed", mapping, actor=current_user, group=mapping.group)
        db.session.delete(mapping)
        db.session.commit()
        flash(
            f"Gruppen {mapping.group} är borttagen. Den som bara hade den gruppen förlorar sin "
            "behörighet vid nästa inloggning.",
            "success",
        )
    return redirect(url_for("groups.index"))


@bp.route("/settings", methods=["POST"])
@admin_required
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        current = SignInSettings.current()
        current.require_provider_for_city = form.require_provider_for_city.data
        current.updated_at = utcnow()
        record(
            "sign_in.settings_changed",
            None,
            actor=current_user,
            setting=(
                "Göteborgs Stads konto krävs för stadens konton"
                if current.require_provider_for_city
                else "stadens konton får också logga in med lösenord"
            ),
        )
        db.session.commit()
        flash("Inställningen för inloggning är sparad.", "success")
    return redirect(url_for("groups.index"))
