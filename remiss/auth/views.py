"""Sign in and out (with a password, or through the city's identity provider), set a password
from a one-time link, ask for a new password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from remiss.auth import oidc, service
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
        client = request.remote_addr or "unknown"  # the proxy's X-Forwarded-For if PROXY_COUNT
        try:
            service.check_client(client)
        except service.TooManyFailures as blocked:
            return _refused(form, blocked.message, 429)
        if oidc.provider_required_for(form.email.data):
            return _refused(form, oidc.PROVIDER_ONLY, 403)
        try:
            user = service.authenticate(form.email.data, form.password.data)
        except service.LoginRefused as refused:
            service.count_client_failure(client)
            db.session.commit()  # keep the failure counts
            return _refused(form, refused.message, 401)
        db.session.commit()
        target = form.next.data if service.is_safe_next(form.next.data) else None
        session.clear()  # a fresh session: nothing from before signing in carries over
        login_user(user, remember=form.remember.data)
        flash(f"Du är inloggad som {user.name}.", "success")
        return redirect(target or url_for("main.index"))
    return _login_page(form)


def _refused(form: LoginForm, message: str, status: int):
    """A refused sign-in is an error of the form as a whole: shown in the error summary, which
    takes focus, with a link to the e-mail field (not a banner above the page)."""
    form.form_errors.append(message)
    return _login_page(form, status)


def _login_page(form: LoginForm | None = None, status: int = 200):
    form = form or LoginForm()
    return render_template("auth/login.html", form=form, provider=oidc.is_configured()), status


@bp.route("/oidc/login")
def oidc_login():
    """Off to the city's identity provider (a link on the sign-in page)."""
    if not oidc.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    target = request.args.get("next", "")
    try:
        response = oidc.authorize_redirect()
    except oidc.SignInFailed as failed:
        flash(failed.message, "error")
        return _login_page(status=503)
    session["oidc_next"] = target if service.is_safe_next(target) else ""
    return response


@bp.route("/oidc/callback")
def oidc_callback():
    """Back from the provider: the flow is checked, then the account made or brought up to date
    from the claims."""
    if not oidc.is_configured():
        abort(404)
    try:
        identity = oidc.finish()
    except oidc.SignInFailed as failed:
        flash(failed.message, "error")
        return _login_page(status=400)
    try:
        user = oidc.sign_in(identity)
    except oidc.SignInRefused as refused:
        db.session.commit()  # keep a deactivation
        flash(refused.message, "error")
        return _login_page(status=403)
    db.session.commit()
    target = session.get("oidc_next") or None
    session.clear()  # a fresh session: nothing from before signing in carries over
    login_user(user)
    session["oidc_id_token"] = identity.id_token  # the hint for signing out of the provider
    flash(f"Du är inloggad som {user.name}.", "success")
    return redirect(target if service.is_safe_next(target) else url_for("main.index"))


@bp.route("/oidc/signed-out")
def oidc_signed_out():
    """Where the provider sends the browser after ending its session too."""
    expected = session.pop("oidc_logout_state", None)
    if expected and request.args.get("state") == expected:
        flash("Du är utloggad, även från Göteborgs Stads konto.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    id_token = session.get("oidc_id_token")
    user = db.session.get(User, current_user.id)
    user.rotate_session_token()  # ends this session and every remember-me cookie
    db.session.commit()
    logout_user()
    session.clear()
    provider_logout = oidc.end_session_url(id_token)
    if provider_logout is not None:
        # Ending the provider's session too. A page, not a redirect: the browser would refuse
        # a form's redirect to another site (Content-Security-Policy form-action 'self').
        url, state = provider_logout
        session["oidc_logout_state"] = state
        return render_template("auth/signed_out.html", end_session_url=url)
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
        token=token,
    )


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Counted for every address, with or without an account: at most
        # RESET_EMAILS_PER_ADDRESS e-mails an hour, the rest silently not sent.
        allowed = service.reset_allowed(form.email.data)
        user = User.by_email(form.email.data)
        if allowed and user is not None and user.active and not oidc.provider_required_for(user.email):
            service.issue_password_link(user, TokenPurpose.RESET)
        else:
            service.compose_unsent_reset(form.email.data)  # the same work, nothing kept
        db.session.commit()
        # The same answer whether or not the address has an account or an e-mail went out.
        flash(
            "Om adressen har ett konto i remisstjänsten skickas en länk för att välja nytt "
            "lösenord. Länken gäller i 72 timmar.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)
