"""Pages that belong to no single area: the start page, the accessibility statement with its
form for reporting problems, and the admin's list of those reports."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from remiss.accessibility import operations as reports
from remiss.accessibility.forms import ReportForm
from remiss.accessibility.models import AccessibilityReport
from remiss.accessibility.statement import DIGG_REPORT_URL, current_statement
from remiss.auth.models import Role
from remiss.core.access import admin_required
from remiss.core.errors import DomainError
from remiss.core.forms import ButtonForm
from remiss.core.paging import page_number
from remiss.extensions import db

bp = Blueprint("main", __name__)

# Each role starts where its work is.
START_PAGES = {
    Role.ADMIN: "users.index",
    Role.OFFICER: "rounds.dashboard",
    Role.MANAGER: "rounds.index",
    Role.RESPONDENT: "answers.index",
}


@bp.route("/")
@login_required
def index():
    return redirect(url_for(START_PAGES[current_user.role]))


@bp.route("/accessibility", methods=["GET", "POST"])
def accessibility():
    """The statement (tillgänglighetsredogörelse) and its form: a report is recorded for the
    admin and sent to the contact address; the page confirms it after the redirect."""
    statement = current_statement(current_app.config)
    form = ReportForm()
    refused, status = None, 200
    if form.validate_on_submit():
        try:
            reports.report_problem(
                problem=form.problem.data,
                page=form.page.data or "",
                name=form.name.data or "",
                email=form.email.data or "",
                by=current_user if current_user.is_authenticated else None,
                address=request.remote_addr or "unknown",  # the proxy's X-Forwarded-For if PROXY_COUNT
            )
        except reports.TooManyReports as error:
            refused, status = error.message, 429
        else:
            db.session.commit()
            flash(
                f"Tack! Din rapport har kommit fram. Vi svarar inom {statement.response_time} "
                "om du har lämnat en e-postadress.",
                "success",
            )
            return redirect(url_for("main.accessibility"))
    return render_template(
        "main/accessibility.html",
        statement=statement,
        form=form,
        refused=refused,
        digg_report_url=DIGG_REPORT_URL,
    ), status


@bp.route("/favicon.ico")
def favicon():
    """The icon a browser asks for at the root whatever the page links (``static/favicon.ico``;
    pages link it and ``static/favicon.svg`` in ``base.html``)."""
    return current_app.send_static_file("favicon.ico")


# The admin's list of reports ----------------------------------------------------------------
@bp.route("/admin/accessibility-reports")
@admin_required
def accessibility_reports():
    return render_template(
        "main/accessibility_reports.html",
        reports=reports.reports_page(page_number()),
        unhandled=reports.unhandled_count(),
        action_form=ButtonForm(),
    )


@bp.route("/admin/accessibility-reports/<int:report_id>/handled", methods=["POST"])
@admin_required
def accessibility_report_handled(report_id: int):
    report = db.get_or_404(AccessibilityReport, report_id)
    if not ButtonForm().validate_on_submit():  # POST buttons carry only their CSRF token
        abort(400)
    try:
        reports.mark_handled(report, by=current_user)
    except DomainError as refused:
        flash(refused.message, "error")
    else:
        db.session.commit()
        flash(f"Rapport {report.number} är markerad som hanterad.", "success")
    return redirect(url_for("main.accessibility_reports", page=request.args.get("page", type=int)))
