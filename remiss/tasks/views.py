"""The progress page of a background job, its status as JSON (for ``static/js/progress.js``),
the finished file, and the person's own list of jobs. Officers and managers only: a job is an
export or an import of a round, which all of them can read anyway; the list shows one's own."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, send_file, url_for
from flask_login import current_user

from remiss.core.access import staff_required
from remiss.extensions import db
from remiss.tasks import service
from remiss.tasks.models import BackgroundJob

bp = Blueprint("tasks", __name__, url_prefix="/jobs")

# How often the page asks (JavaScript) or reloads itself (without JavaScript).
POLL_SECONDS = 1
REFRESH_SECONDS = 3


def _job_or_404(job_id: int) -> BackgroundJob:
    return db.get_or_404(BackgroundJob, job_id)


def state(job: BackgroundJob) -> dict:
    """What the progress page shows, as the JSON the page polls."""
    done, total, message = service.read_progress(job)
    if job.is_done:
        done, total = max(done, total), max(done, total)
    percent = 100 if job.is_done else (max(0, min(100, round(100 * done / total))) if total else 0)
    result_url = None
    if job.result_round_id is not None and "rounds.show" in current_app.view_functions:
        result_url = url_for("rounds.show", round_id=job.result_round_id)
    return {
        "id": job.id,
        "status": job.status.value,
        "status_text": job.status.label,
        "progress": done,
        "total": total,
        "percent": percent,
        "message": message,
        "finished": job.is_finished,
        "failed": job.is_failed,
        "download_url": url_for("tasks.download", job_id=job.id) if job.is_done and job.result_path else None,
        "result_url": result_url,
    }


@bp.route("/")
@staff_required
def index():
    return render_template("tasks/index.html", jobs=service.recent_of(current_user.id))


@bp.route("/<int:job_id>")
@staff_required
def show(job_id: int):
    job = _job_or_404(job_id)
    others = [j for j in service.unfinished_of(current_user.id) if j.id != job.id]
    return render_template(
        "tasks/show.html",
        job=job,
        state=state(job),
        others=others,
        poll_seconds=POLL_SECONDS,
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.route("/<int:job_id>/status")
@staff_required
def status(job_id: int):
    response = jsonify(state(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/download")
@staff_required
def download(job_id: int):
    job = _job_or_404(job_id)
    if not job.is_done or not job.result_path:
        # Not ready (or nothing to download): the progress page says how it is going.
        return redirect(url_for("tasks.show", job_id=job.id))
    path = service.jobs_folder() / job.result_path
    if not path.is_file():
        return render_template(
            "errors/error.html",
            status=410,
            title="Filen finns inte längre",
            text="Färdiga filer sparas i en vecka. Starta exporten igen för att få en ny fil.",
        ), 410
    return send_file(
        path,
        mimetype=job.params.get("mimetype") or "application/octet-stream",
        as_attachment=True,
        download_name=job.result_name or path.name,
        max_age=0,
    )
