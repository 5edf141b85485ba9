"""Importing a large round as a background job. The uploaded file is kept in the jobs folder
until the job has run; the whole import is one transaction with the job's "done", so a failed
import leaves no round behind."""

from __future__ import annotations

import json
import uuid

from flask import current_app

from remiss.auth.models import User
from remiss.extensions import db
from remiss.imports.round_json import RoundImportError, import_round
from remiss.tasks import service as tasks
from remiss.tasks.models import BackgroundJob

KIND = "round.import"
# Files with more comments than this are imported by the worker process; about two seconds of
# import on the benchmark machine.
DEFAULT_THRESHOLD = 2_000


def needs_job(comments: int) -> bool:
    return comments > current_app.config.get("IMPORT_JOB_THRESHOLD", DEFAULT_THRESHOLD)


def start_import(text: str, *, filename: str, by) -> BackgroundJob:
    """Keep ``text`` (the file, already read as JSON once) and start its import; the caller commits."""
    name = f"import-{uuid.uuid4().hex}.json"
    job = tasks.start(KIND, by=by, title=f"Import av remissen i {filename}"[:300], params={"input": name})
    (tasks.jobs_folder() / name).write_text(text, "utf-8")
    return job


@tasks.handler(KIND)
def run_import(job: BackgroundJob, progress: tasks.Progress) -> None:
    path = tasks.jobs_folder() / job.params["input"]
    try:
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            raise tasks.JobError("Filen att importera finns inte längre eller går inte att läsa.") from None
        officer = db.session.get(User, job.created_by_id) if job.created_by_id else None
        if officer is None:
            raise tasks.JobError("Kontot som startade importen finns inte längre.")
        try:
            round_ = import_round(data, officer=officer, actor=officer, progress=progress)
        except RoundImportError as error:
            shown = error.problems[:20]
            more = len(error.problems) - len(shown)
            text = "Filen kunde inte importeras och ingenting sparades: " + "; ".join(shown)
            if more > 0:
                text += f" … och {more} fel till."
            raise tasks.JobError(text) from None
        job.result_round_id = round_.id
        job.round_id = round_.id
        job.title = f"Import av remissen {round_.dnr} {round_.title}"[:300]
    finally:
        path.unlink(missing_ok=True)
