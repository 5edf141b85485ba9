"""The ZIP of all answers of a large round, built once by the job worker instead of in an
anonymous request (issue 18).

A round whose public answer files are more than ``PUBLIC_ARCHIVE_JOB_FILES`` (40) or larger than
``PUBLIC_ARCHIVE_JOB_BYTES`` (20 MB, about a second of compressing on the benchmark machine) gets
its archive from the worker: built by ``write_zip`` – the same function, and so the same filter
of confidential answers and files, as the small rounds' ZIP in the request – into the jobs
folder under the round and the stamp of what it contains (``export.archive_contents``). A
visitor gets that file as long as the stamp is the current one; a correction (a reopened answer
submitted again, a secrecy marking set or lifted, a renamed body) changes the stamp, so the old
file is never served again and the next visitor starts a new build. The job computes the stamp
from the very objects it writes, so a file is always kept under the stamp of what it holds, even
when something changes while it is built.

The job is a **system job** (``created_by_id`` empty: no one's, an anonymous visitor started it),
started through ``tasks.start_once``: everyone asking for the same round and stamp is serialised,
so a hundred visitors at once start one job and all follow it. A failed build is retried by the
first visitor after ``RETRY_AFTER``; until then visitors are shown that it failed."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

from flask import current_app

from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.public import service
from remiss.public.export import ArchiveContents, archive_contents, archive_name, write_zip
from remiss.rounds.models import Round
from remiss.tasks import service as tasks
from remiss.tasks.models import BackgroundJob

KIND = "public.archive"
DEFAULT_FILES = 40
DEFAULT_BYTES = 20 * 1024 * 1024
RETRY_AFTER = timedelta(minutes=2)
PREFIX = "public-archive"
MIMETYPE = "application/zip"


def needs_job(contents: ArchiveContents) -> bool:
    """Whether a ZIP holding ``contents`` is built by the worker rather than in the request."""
    config = current_app.config
    return contents.files > config.get(
        "PUBLIC_ARCHIVE_JOB_FILES", DEFAULT_FILES
    ) or contents.bytes > config.get("PUBLIC_ARCHIVE_JOB_BYTES", DEFAULT_BYTES)


def cached_path(round_id: int, stamp: str) -> Path:
    return tasks.jobs_folder() / f"{PREFIX}-{round_id}-{stamp}.zip"


def cached(round_id: int, stamp: str) -> Path | None:
    """The built archive of ``round_id`` whose contents have ``stamp``, if there is one."""
    path = cached_path(round_id, stamp)
    return path if path.is_file() else None


def _again(job: BackgroundJob) -> bool:
    """Whether a finished build is to be started again: it is done (but its file is not the one
    asked for: gone, or made from what has changed since), or it failed a while ago."""
    if job.is_done:
        return True
    return job.finished_at is None or job.finished_at < utcnow() - RETRY_AFTER


def request_archive(round_: Round, stamp: str) -> BackgroundJob:
    """The build of ``round_``'s archive with ``stamp``: under way, failed a moment ago, or
    started now (a system job); the caller commits. Call it when ``cached`` found no file."""
    return tasks.start_once(
        KIND,
        title=f"Alla svar som ZIP för {round_.dnr} {round_.title}",
        params={"round_id": round_.id, "stamp": stamp, "mimetype": MIMETYPE},
        round_id=round_.id,
        again=_again,
    )


def job_of_round(round_: Round, job_id: int) -> BackgroundJob | None:
    """Archive job ``job_id`` if it is one of ``round_``'s: the only jobs the public may follow."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.kind != KIND or job.round_id != round_.id or job.created_by_id is not None:
        return None
    return job


@tasks.handler(KIND)
def build_archive(job: BackgroundJob, progress: tasks.Progress) -> None:
    round_ = service.public_round_with_files(job.params["round_id"])
    if round_ is None or not round_.feedback_possible:
        raise tasks.JobError(
            "Remissen finns inte längre i det offentliga registret, eller tar emot svar igen."
        )
    answers = service.public_answers(round_)
    contents = archive_contents(answers)
    path = cached_path(round_.id, contents.stamp)
    progress(0, len(answers), "Lägger svaren i arkivet …")
    if not path.is_file():  # else built by a job started just before this one
        temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
        try:
            with open(temporary, "wb") as out:
                write_zip(
                    round_,
                    utcnow(),
                    out,
                    answers=answers,
                    progress=lambda done, total: progress(done, total, "Lägger svaren i arkivet …"),
                )
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    # What was built for earlier contents is never served again.
    for old in path.parent.glob(f"{PREFIX}-{round_.id}-*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
    job.result_path = path.name
    job.result_name = archive_name(round_)
    progress(len(answers), len(answers), "Arkivet är klart att ladda ner.")
