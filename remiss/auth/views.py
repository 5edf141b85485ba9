"""Sign in and out, set a password from a one-time link, ask for a new password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from remiss.auth import service
from remiss.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from remiss.auth.models import TokenPurpose, User, UserToken
from remiss.core.errors import DomainError
from remiss.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        form.email.data = request.args.get("email", "")
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data)
        except service.LoginRefused as refused:
            db.session.commit()  # keep the failure count
            flash(refused.message, "error")
            return render_template("auth/login.html", form=form), 401
        db.session.commit()
        target = form.next.data if service.is_safe_next(form.next.data) else None
        session.clear()  # a fresh session: nothing from before signing in carries over
        login_user(user, remember=form.remember.data)
        flash(f"Välkommen, {user.name}.", "success")
        return redirect(target or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = db.session.get(User, current_user.id)
    user.rotate_session_token()  # ends this session and every remember-me cookie
    db.session.commit()
    logout_user()
    session.clear()
    flash("Du är utloggad.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    found = UserToken.find_valid(token)
    if found is None:
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = service.use_password_link(token, form.password.data)
        except DomainError as error:
            flash(error.message, "error")
            return render_template("auth/link_invalid.html"), 410
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash("Lösenordet är sparat. Logga in med ditt nya lösenord.", "success")
        return redirect(url_for("auth.login", email=user.email))
    return render_template(
        "auth/set_password.html",
        form=form,
        user=found.user,
        invitation=found.purpose is TokenPurpose.INVITATION,
    )


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        if user is not None and user.active:
            service.issue_password_link(user, TokenPurpose.RESET)
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            "Om adressen har ett konto i remisstjänsten skickas en länk för att välja nytt "
            "lösenord. Länken gäller i 72 timmar.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)
