"""Admin pages for accounts: list, invite, edit, deactivate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from remiss.audit.models import record
from remiss.auth import service
from remiss.auth.forms import UserForm
from remiss.auth.models import Role, TokenPurpose, User, normalise_email
from remiss.core.access import admin_required
from remiss.core.forms import ButtonForm, choices
from remiss.extensions import db
from remiss.organisations.models import Organisation

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _organisation_choices() -> list[SelectChoice]:
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
    )
    return choices([(0, "– ingen –")] + [(o.id, o.name) for o in organisations])


def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = sa.select(User.id).where(User.email == email)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def _fill(user: User, form: UserForm) -> None:
    user.name = form.name.data.strip()
    user.email = normalise_email(form.email.data)
    user.role = Role(form.role.data)
    user.organisation_id = form.organisation_id.data or None
    user.active = form.active.data


@bp.route("/")
@admin_required
def index():
    users = db.session.scalars(sa.select(User).order_by(User.role, User.name)).all()
    return render_template("users/index.html", users=users, action_form=ButtonForm())


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = UserForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        if _email_taken(normalise_email(form.email.data)):
            form.email.errors.append("Det finns redan ett konto med den e-postadressen.")
        else:
            user = User()
            _fill(user, form)
            db.session.add(user)
            db.session.flush()
            link = service.issue_password_link(user, TokenPurpose.INVITATION)
            record("user.invited", user, actor=current_user, email=user.email, role=user.role.label.lower())
            db.session.commit()
            flash(
                f"Kontot för {user.name} är skapat. Skicka inbjudningslänken till {user.email} "
                f"(gäller i 72 timmar): {link}",
                "success",
            )
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    user = get_user_or_404(user_id)
    form = UserForm(obj=user)
    form.organisation_id.choices = _organisation_choices()
    if not form.is_submitted():
        form.role.data = user.role.value
        form.organisation_id.data = user.organisation_id or 0
    if form.validate_on_submit():
        if _email_taken(normalise_email(form.email.data), user.id):
            form.email.errors.append("Det finns redan ett konto med den e-postadressen.")
        elif user.id == current_user.id and (form.role.data != Role.ADMIN.value or not form.active.data):
            form.role.errors.append(
                "Du kan inte ta bort din egen administratörsbehörighet eller inaktivera dig själv."
            )
        else:
            _fill(user, form)
            if not user.active:
                user.rotate_session_token()
            record("user.updated", user, actor=current_user, email=user.email)
            db.session.commit()
            flash(f"Kontot för {user.name} är sparat.", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(user_id: int):
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        flash("Du kan inte inaktivera ditt eget konto.", "error")
        return redirect(url_for("users.index"))
    user.active = False
    user.rotate_session_token()
    record("user.deactivated", user, actor=current_user, email=user.email)
    db.session.commit()
    flash(f"Kontot för {user.name} är inaktiverat.", "success")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/invite", methods=["POST"])
@admin_required
def invite(user_id: int):
    user = get_user_or_404(user_id)
    if not user.active:
        flash("Kontot är inaktiverat. Aktivera det först.", "error")
        return redirect(url_for("users.index"))
    purpose = TokenPurpose.RESET if user.password_hash else TokenPurpose.INVITATION
    link = service.issue_password_link(user, purpose)
    record("user.link_issued", user, actor=current_user, email=user.email, purpose=purpose.label)
    db.session.commit()
    flash(f"Ny länk till {user.email} (gäller i 72 timmar): {link}", "success")
    return redirect(url_for("users.index"))
