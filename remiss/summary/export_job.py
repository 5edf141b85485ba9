"""The summary export as a background job, for rounds too large to export inside a request.

``needs_job(round_)`` decides by the number of comments (``SUMMARY_EXPORT_JOB_THRESHOLD``, by
default 5,000: about a quarter of a second of export on the benchmark machine; the benchmark
round of 18,000 comments takes about a second alone and much longer on a busy server). The
job writes the same file as the download (``export_xlsx``) to a temporary name in the jobs
folder and renames it into place only when it is complete."""

from __future__ import annotations

import dataclasses
import os
import uuid

import sqlalchemy as sa
from flask import current_app

from remiss.answers.models import Answer, AnswerVersion, MeasureComment
from remiss.extensions import db
from remiss.rounds.models import Recipient, Round
from remiss.summary.compile import stream_summary
from remiss.summary.xlsx import XLSX_MIMETYPE, export_filename, write_xlsx
from remiss.tasks import service as tasks
from remiss.tasks.models import BackgroundJob

KIND = "summary.export"
DEFAULT_THRESHOLD = 5_000


def comment_count(round_: Round) -> int:
    """The comments in ``round_``'s submitted answers (every submitted version), counted in
    SQL: the size of its export."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(MeasureComment.id))
            .join(AnswerVersion, AnswerVersion.id == MeasureComment.version_id)
            .join(Answer, Answer.id == AnswerVersion.answer_id)
            .join(Recipient, Recipient.id == Answer.recipient_id)
            .where(Recipient.round_id == round_.id, AnswerVersion.submitted_at.is_not(None))
        )
        or 0
    )


def needs_job(round_: Round) -> bool:
    threshold = current_app.config.get("SUMMARY_EXPORT_JOB_THRESHOLD", DEFAULT_THRESHOLD)
    return comment_count(round_) > threshold


def start_export(round_: Round, by) -> BackgroundJob:
    """The person's export of ``round_`` that is already waiting or running, or a new one; the
    caller commits."""
    job = tasks.find_unfinished(KIND, by=by, round_id=round_.id)
    if job is not None:
        return job
    return tasks.start(
        KIND,
        by=by,
        title=f"Export av sammanställningen för {round_.dnr} {round_.title}",
        params={"round_id": round_.id, "mimetype": XLSX_MIMETYPE},
        round_id=round_.id,
    )


@tasks.handler(KIND)
def run_export(job: BackgroundJob, progress: tasks.Progress) -> None:
    try:
        summary = stream_summary(job.params["round_id"])
    except LookupError:
        raise tasks.JobError("Remissen finns inte längre.") from None
    total = len(summary.areas) + summary.measure_count
    progress(0, total, "Sammanställer svaren …")
    sections = summary.sections

    def counted():
        for done, section in enumerate(sections(), start=1):
            yield section
            progress(done, total, "Skriver Excel-filen …")

    summary = dataclasses.replace(summary, _sections=counted)
    folder = tasks.jobs_folder()
    name = f"{job.id}-{uuid.uuid4().hex}.xlsx"
    temporary = folder / f"{name}.part"
    try:
        with open(temporary, "wb") as stream:
            write_xlsx(summary, stream)
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
    job.result_path = name
    job.result_name = export_filename(summary)
    progress(total, total, "Filen är klar att ladda ner.")
