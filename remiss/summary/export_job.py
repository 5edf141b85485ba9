"""The summary's files as background jobs, for rounds too large to write inside a request: the
Excel file (sammanställning, ``EXCEL``) and the Word report (redovisning av remissvar, ``WORD``).

Each is an ``Export``: the job kind, the setting that holds its threshold and what the pages
call it. ``needs_job(round_, export)`` decides by the number of comments, the size of both
files: above ``SUMMARY_EXPORT_JOB_THRESHOLD`` (5,000: about a quarter of a second of Excel
export on the benchmark machine; the benchmark round of 18,000 comments takes about a second
alone and much longer on a busy server) or ``REPORT_EXPORT_JOB_THRESHOLD`` (2,000: python-docx
builds the whole document in memory, about half a millisecond a comment, so 2,000 comments are
about a second and the benchmark round ten). The job writes the same file as the download to a
temporary name in the jobs folder and renames it into place only when it is complete."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app

from remiss.answers.models import Answer, AnswerVersion, MeasureComment
from remiss.extensions import db
from remiss.rounds.models import Recipient, Round
from remiss.summary.compile import stream_summary
from remiss.summary.report import DOCX_MIMETYPE, ReportOptions, report_filename, write_report
from remiss.summary.xlsx import XLSX_MIMETYPE, export_filename, write_xlsx
from remiss.tasks import service as tasks
from remiss.tasks.models import BackgroundJob

READY = "Filen är klar att ladda ner."


@dataclass(frozen=True)
class Export:
    """One of the summary's files that can be written by the worker process."""

    kind: str  # the background job's kind
    setting: str  # the configuration key of the threshold, in comments
    default_threshold: int
    name: str  # what it is, in a sentence: "Export av {name} för 1668/20 …"
    heading: str  # the start page's heading
    start_endpoint: str  # the POST that starts it
    mimetype: str
    extension: str


EXCEL = Export(
    kind="summary.export",
    setting="SUMMARY_EXPORT_JOB_THRESHOLD",
    default_threshold=5_000,
    name="sammanställningen",
    heading="Exportera sammanställningen till Excel",
    start_endpoint="summary.start_export",
    mimetype=XLSX_MIMETYPE,
    extension="xlsx",
)
WORD = Export(
    kind="summary.report",
    setting="REPORT_EXPORT_JOB_THRESHOLD",
    default_threshold=2_000,
    name="redovisningen av remissvaren (Word)",
    heading="Exportera redovisningen till Word",
    start_endpoint="summary.start_report",
    mimetype=DOCX_MIMETYPE,
    extension="docx",
)

# The Excel export's job kind, as other code and tests name it.
KIND = EXCEL.kind


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


def needs_job(round_: Round, export: Export = EXCEL) -> bool:
    """Whether ``export`` of ``round_`` is written by the worker process rather than at once."""
    threshold = current_app.config.get(export.setting, export.default_threshold)
    return comment_count(round_) > threshold


def report_params(grouped: bool) -> dict:
    """What a Word report job is started with (and told apart by): every comment, or grouped."""
    return {"grouped": bool(grouped)}


def find_export(
    round_: Round, by, export: Export = EXCEL, params: dict | None = None
) -> BackgroundJob | None:
    """The person's ``export`` of ``round_`` (with ``params``) already waiting or running."""
    return tasks.find_unfinished(export.kind, by=by, round_id=round_.id, params=params)


def start_export(round_: Round, by, export: Export = EXCEL, params: dict | None = None) -> BackgroundJob:
    """The person's ``export`` of ``round_`` that is already waiting or running, or a new one;
    the caller commits."""
    job = find_export(round_, by, export, params)
    if job is not None:
        return job
    title = f"Export av {export.name} för {round_.dnr} {round_.title}"
    if export is WORD and (params or {}).get("grouped"):
        title = f"Export av {export.name}, grupperade synpunkter, för {round_.dnr} {round_.title}"
    return tasks.start(
        export.kind,
        by=by,
        title=title,
        params={**(params or {}), "round_id": round_.id, "mimetype": export.mimetype},
        round_id=round_.id,
    )


def _write_result(job: BackgroundJob, export: Export, write: Callable[[BinaryIO], str]) -> None:
    """Write the job's file with ``write(stream)`` (which returns the name to download it as)
    to a temporary name, and rename it into place only when it is complete."""
    folder = tasks.jobs_folder()
    name = f"{job.id}-{uuid.uuid4().hex}.{export.extension}"
    temporary = folder / f"{name}.part"
    try:
        with open(temporary, "wb") as stream:
            download_name = write(stream)
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
    job.result_path = name
    job.result_name = download_name


@tasks.handler(EXCEL.kind)
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

    def write(stream) -> str:
        write_xlsx(summary, stream)
        return export_filename(summary)

    _write_result(job, EXCEL, write)
    progress(total, total, READY)


@tasks.handler(WORD.kind)
def run_report(job: BackgroundJob, progress: tasks.Progress) -> None:
    """The Word report; the similar-answer groups computed for it are kept with the job's
    "done", as the download in the request keeps them."""
    progress(0, 0, "Sammanställer svaren …")
    options = ReportOptions(grouped=bool(job.params.get("grouped")))

    def write(stream) -> str:
        try:
            summary = write_report(
                job.params["round_id"],
                stream,
                options,
                progress=lambda done, total: progress(done, total, "Skriver Word-filen …"),
            )
        except LookupError:
            raise tasks.JobError("Remissen finns inte längre.") from None
        return report_filename(summary)

    _write_result(job, WORD, write)
    progress(progress.total, progress.total, READY)
