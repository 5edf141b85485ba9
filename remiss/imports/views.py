"""The round import page (``/rounds/import``): an officer uploads a whole round as JSON. It lives
here, above both rounds and answers, because importing builds both."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from remiss.core.access import officer_required
from remiss.core.errors import DomainError
from remiss.extensions import db
from remiss.imports import jobs
from remiss.imports.round_json import RoundImportError, comment_count, import_round
from remiss.rounds.forms import ImportForm

bp = Blueprint("imports", __name__, url_prefix="/rounds")

UNREADABLE = "Filen är inte giltig JSON i teckenkodningen UTF-8."


@bp.route("/import", methods=["GET", "POST"])
@officer_required
def round_json():
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        officer = current_user._get_current_object()
        try:
            # RecursionError: a file nested a hundred thousand levels deep.
            text = form.file.data.read().decode("utf-8-sig")
            data = json.loads(text)
        except (UnicodeDecodeError, ValueError, RecursionError):
            problems = [UNREADABLE]
        else:
            if jobs.needs_job(comment_count(data)):
                # A large round: imported by the worker process, the person follows its progress.
                try:
                    job = jobs.start_import(text, filename=form.file.data.filename or "filen", by=officer)
                except DomainError as error:
                    db.session.rollback()
                    problems = [error.message]
                else:
                    db.session.commit()
                    return redirect(url_for("tasks.show", job_id=job.id))
                return render_template("rounds/import.html", form=form, problems=problems)
            try:
                round_ = import_round(data, officer=officer, actor=officer)
            except RoundImportError as error:
                db.session.rollback()
                problems = error.problems
            except DomainError as error:
                db.session.rollback()
                problems = [error.message]
            else:
                db.session.commit()
                flash(f"Remissen {round_.dnr} är importerad.", "success")
                return redirect(url_for("rounds.show", round_id=round_.id))
    return render_template("rounds/import.html", form=form, problems=problems)
