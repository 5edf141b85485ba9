"""Starting, claiming and running background jobs, exactly once.

An area registers what a kind of job does (``@handler("summary.export")``); a view starts one
with ``start(...)`` (the caller commits) and sends the person to its progress page. The worker
process (``remiss.jobs``: the scheduler, or ``flask run-jobs``) claims pending jobs one at a time
and runs them:

* **claimed once**, enforced by the database: on PostgreSQL the next pending job is selected
  ``FOR UPDATE SKIP LOCKED`` (two workers never wait for or take the same row); on every
  database the claim itself is one conditional ``UPDATE … WHERE status = 'pending'`` that only
  one worker can win, committed before the work begins (as ``notifications.service`` claims a
  message);
* **all or nothing**: the handler's work and the job's "done" are one transaction; on any
  error it is rolled back and the job is marked failed with a reason in Swedish. A file is
  written to a temporary name and renamed into place only when complete;
* **progress** is written, while the job runs, to a small file beside the result
  (``<jobs folder>/<id>.progress.json``): the job's own transaction stays open until the end
  (an import is one transaction), and on SQLite no other connection could write meanwhile.
  The progress page reads it; the row has the final figures once the job is finished;
* a job whose worker died keeps its claim until ``lease_until``; after that the next worker
  marks it failed («avbröts»), and the person can start it again.

Handlers raise ``JobError`` with the Swedish reason to show; any other exception is logged
and shown as an unexpected error."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from remiss.core.errors import DomainError
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.tasks.models import BackgroundJob, JobStatus

log = logging.getLogger(__name__)

LEASE = timedelta(hours=2)
KEEP_FILES = timedelta(days=7)
MAX_UNFINISHED_PER_PERSON = 3
PROGRESS_EVERY_SECONDS = 0.25
UNEXPECTED = (
    "Ett oväntat fel inträffade och ingenting sparades. Försök igen; händer det igen, kontakta "
    "systemförvaltaren och ange jobbets nummer {id}."
)
ABANDONED = (
    "Jobbet avbröts innan det blev klart (servern startades om) och ingenting sparades. Starta det igen."
)


class JobError(Exception):
    """A job that cannot be done, with the reason to show (Swedish)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


Handler = Callable[[BackgroundJob, "Progress"], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does jobs of ``kind``. It gets the job (read ``params``; set
    ``result_path``/``result_name`` or ``result_round_id``) and a ``Progress``; it only
    flushes: the runner commits its work with the job's "done"."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def jobs_folder() -> Path:
    """Where job inputs, results and progress files live: ``JOBS_FOLDER``, by default beside
    the uploads folder (``instance/jobs``). Every worker and web process must see it."""
    folder = current_app.config.get("JOBS_FOLDER") or os.path.join(
        os.path.dirname(os.path.abspath(current_app.config["UPLOAD_FOLDER"])), "jobs"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


# Starting -----------------------------------------------------------------------------------
def unfinished_of(user_id: int, limit: int = 20) -> list[BackgroundJob]:
    return list(
        db.session.scalars(
            sa.select(BackgroundJob)
            .where(
                BackgroundJob.created_by_id == user_id,
                ~BackgroundJob.is_finished,
            )
            .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
            .limit(limit)
        )
    )


def recent_of(user_id: int, limit: int = 20) -> list[BackgroundJob]:
    """The person's newest jobs, unfinished first."""
    unfinished = sa.case((~BackgroundJob.is_finished, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(BackgroundJob)
            .where(BackgroundJob.created_by_id == user_id)
            .order_by(unfinished, BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
            .limit(limit)
        )
    )


def start(
    kind: str, *, by, title: str, params: dict | None = None, round_id: int | None = None
) -> BackgroundJob:
    """A new pending job of ``kind`` started by ``by``; the caller commits. Refused when the
    person already has ``MAX_UNFINISHED_PER_PERSON`` jobs waiting or running. ``by=None`` is a
    system job, started on nobody's behalf (see ``start_once``)."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    if by is not None and len(unfinished_of(by.id, MAX_UNFINISHED_PER_PERSON)) >= MAX_UNFINISHED_PER_PERSON:
        raise DomainError(
            f"Du har redan {MAX_UNFINISHED_PER_PERSON} jobb som väntar eller pågår. Vänta tills något "
            "av dem är klart och försök sedan igen."
        )
    job = BackgroundJob(
        kind=kind,
        title=title[:300],
        params=params or {},
        round_id=round_id,
        created_by_id=by.id if by is not None else None,
        message="Väntar på att starta …",
    )
    db.session.add(job)
    db.session.flush()
    return job


def _matches(job: BackgroundJob, params: dict | None) -> bool:
    return not params or all(job.params.get(key) == value for key, value in params.items())


def find_unfinished(
    kind: str, *, by, round_id: int | None, params: dict | None = None
) -> BackgroundJob | None:
    """The person's job of ``kind`` on ``round_id`` still waiting or running, if any; with
    ``params``, only one started with those (e.g. the Word report with grouped comments, not
    the one with every comment)."""
    jobs = db.session.scalars(
        sa.select(BackgroundJob)
        .where(
            BackgroundJob.kind == kind,
            BackgroundJob.created_by_id == by.id,
            BackgroundJob.round_id == round_id,
            ~BackgroundJob.is_finished,
        )
        .order_by(BackgroundJob.id.desc())
        .limit(MAX_UNFINISHED_PER_PERSON + 1)
    )
    return next((job for job in jobs if _matches(job, params)), None)


# System jobs ----------------------------------------------------------------------------------
# How many of a round's latest system jobs of a kind ``latest_system_job`` looks through.
SYSTEM_JOBS_LOOKED_AT = 20


def _lock_starters(kind: str, round_id: int) -> None:
    """Serialise, until the transaction ends, everyone starting a system job of ``kind`` on
    ``round_id``: on PostgreSQL a transaction-level advisory lock on the pair; on SQLite a
    write statement (that changes nothing) as the transaction's first write, which takes the
    database's one write lock (waiting up to the busy timeout), so the check that follows sees
    every start committed before it."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(kind.encode("utf-8")) & 0x7FFFFFFF
        pair = (sa.cast(key, sa.Integer), sa.cast(round_id, sa.Integer))  # the (int, int) variant
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(*pair)))
    else:
        db.session.execute(
            sa.update(BackgroundJob)
            .where(sa.false())
            .values(kind=BackgroundJob.kind)
            .execution_options(synchronize_session=False)
        )


def latest_system_job(kind: str, *, round_id: int, params: dict) -> BackgroundJob | None:
    """The newest system job (started by nobody) of ``kind`` on ``round_id`` with ``params``,
    finished or not."""
    jobs = db.session.scalars(
        sa.select(BackgroundJob)
        .where(
            BackgroundJob.kind == kind,
            BackgroundJob.round_id == round_id,
            BackgroundJob.created_by_id.is_(None),
        )
        .order_by(BackgroundJob.id.desc())
        .limit(SYSTEM_JOBS_LOOKED_AT)
    )
    return next((job for job in jobs if _matches(job, params)), None)


def start_once(
    kind: str, *, title: str, params: dict, round_id: int, again: Callable[[BackgroundJob], bool]
) -> BackgroundJob:
    """The system job of ``kind`` on ``round_id`` with ``params``: the newest one, unless there is
    none or ``again(job)`` says a finished one is to be done again (it failed a while ago, its
    file is gone), in which case a new one; the caller commits. Starters are serialised
    (``_lock_starters``) until the caller's commit, so that any number of anonymous visitors
    asking at once start one job, not one each."""
    _lock_starters(kind, round_id)
    job = latest_system_job(kind, round_id=round_id, params=params)
    if job is not None and (not job.is_finished or not again(job)):
        return job
    return start(kind, by=None, title=title, params=params, round_id=round_id)


# Claiming -----------------------------------------------------------------------------------
def expire_abandoned(now: datetime) -> int:
    """Mark failed the running jobs whose claim has run out (their worker died). Commits."""
    result = db.session.execute(
        sa.update(BackgroundJob)
        .where(BackgroundJob.status == JobStatus.RUNNING, BackgroundJob.lease_until < now)
        .values(status=JobStatus.FAILED, message=ABANDONED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def claim_next(now: datetime | None = None, worker: str | None = None) -> int | None:
    """Take the oldest pending job for this worker and return its id, or None when there is
    none; only one worker can win a job. Commits the claim."""
    now = now or utcnow()
    worker = worker or worker_name()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    for _ in range(10):  # another worker may win the one we picked; then try the next
        candidate = (
            sa.select(BackgroundJob.id)
            .where(BackgroundJob.status == JobStatus.PENDING)
            .order_by(BackgroundJob.created_at, BackgroundJob.id)
            .limit(1)
        )
        if postgresql:
            candidate = candidate.with_for_update(skip_locked=True)
        job_id = db.session.scalar(candidate)
        if job_id is None:
            db.session.commit()
            return None
        result = db.session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.status == JobStatus.PENDING)
            .values(
                status=JobStatus.RUNNING,
                claimed_by=worker,
                started_at=now,
                lease_until=now + LEASE,
                message="Startar …",
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            return job_id
    return None


# Running ------------------------------------------------------------------------------------
def progress_file(job_id: int) -> Path:
    return jobs_folder() / f"{job_id}.progress.json"


class Progress:
    """What a handler calls as it goes: ``progress(done, total, "Läser svar …")``. Written to
    the job's progress file at most every ``PROGRESS_EVERY_SECONDS`` (and always when ``done``
    reaches ``total``), atomically (a temporary file renamed)."""

    def __init__(self, job: BackgroundJob):
        self.job_id = job.id
        self.path = progress_file(job.id)
        self.done = 0
        self.total = job.total or 0
        self.message = ""
        self._written = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message
        moment = time.monotonic()
        if moment - self._written < PROGRESS_EVERY_SECONDS and not (self.total and done >= self.total):
            return
        self._written = moment
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(
            json.dumps({"progress": self.done, "total": self.total, "message": self.message}), "utf-8"
        )
        os.replace(temporary, self.path)


def read_progress(job: BackgroundJob) -> tuple[int, int, str]:
    """(done, total, message) of ``job``: from its progress file while it runs, else the row."""
    if job.status is JobStatus.RUNNING:
        try:
            data = json.loads(progress_file(job.id).read_text("utf-8"))
            return int(data["progress"]), int(data["total"]), str(data["message"]) or job.message
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return job.progress, job.total, job.message


def _fail(job_id: int, message: str) -> None:
    db.session.execute(
        sa.update(BackgroundJob)
        .where(BackgroundJob.id == job_id)
        .values(status=JobStatus.FAILED, message=message[:2000], finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run(job_id: int) -> BackgroundJob:
    """Do claimed job ``job_id``: its work and its "done" in one transaction, or nothing and
    "failed" with the reason."""
    job = db.session.get(BackgroundJob, job_id)
    progress = Progress(job)
    try:
        function = HANDLERS.get(job.kind)
        if function is None:
            raise JobError(f"Okänd sorts jobb: {job.kind}.")
        function(job, progress)
        job.status = JobStatus.DONE
        job.progress = progress.total or progress.done
        job.total = progress.total or progress.done
        job.message = progress.message or "Klart."
        job.finished_at = utcnow()
        db.session.commit()
    except JobError as error:
        db.session.rollback()
        _fail(job_id, error.message)
    except DomainError as error:
        db.session.rollback()
        _fail(job_id, error.message)
    except Exception:
        log.exception("background job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        _fail(job_id, UNEXPECTED.format(id=job_id))
    finally:
        progress.path.unlink(missing_ok=True)
    db.session.expire_all()
    return db.session.get(BackgroundJob, job_id)


@dataclass
class Report:
    done: int = 0
    failed: int = 0
    abandoned: int = 0

    def __str__(self) -> str:
        return f"{self.done} jobb klara, {self.failed} misslyckade, {self.abandoned} avbrutna."

    @property
    def anything(self) -> bool:
        return bool(self.done or self.failed or self.abandoned)


def run_pending(
    limit: int | None = None, worker: str | None = None, should_stop: Callable[[], bool] | None = None
) -> Report:
    """Claim and run pending jobs until there are none (or ``limit`` have run, or ``should_stop``
    says so: a worker asked to stop finishes the job it is running and claims no more, so a
    long queue does not hold up a restart)."""
    report = Report(abandoned=expire_abandoned(utcnow()))
    ran = 0
    while (limit is None or ran < limit) and not (should_stop and should_stop()):
        job_id = claim_next(utcnow(), worker)
        if job_id is None:
            break
        job = run(job_id)
        ran += 1
        if job.is_done:
            report.done += 1
        else:
            report.failed += 1
    return report


def purge_old_files(now: datetime | None = None) -> int:
    """Delete result and input files older than ``KEEP_FILES`` from the jobs folder."""
    limit = (now or utcnow()).timestamp() - KEEP_FILES.total_seconds()
    removed = 0
    for path in jobs_folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
