"""The scheduled job, and the one process that runs it.

``run_due_jobs(now)`` is what happens every few minutes: the rounds scheduled for today are sent
(``rounds.operations.send_scheduled_rounds``: invitations queued as when the officer clicks), the
reminders, overdue notices and weekly digests that the deadlines make due are recorded
(``rounds.reminders.queue_due_messages``), and the outbox is delivered
(``notifications.service.deliver_due``). It is idempotent and safe to run in parallel.

``flask --app app send-due-messages`` runs it once (cron, a systemd timer, the tests);
``flask --app app run-scheduler`` is the one scheduler process (APScheduler, every
``SCHEDULER_INTERVAL_SECONDS``). Web workers never run it.

The scheduler process also runs the background jobs people start (a large export or import,
``remiss.tasks``): every ``JOBS_POLL_SECONDS`` it claims and runs what is pending, beside the
e-mail job. ``flask --app app run-jobs`` is a further worker process for them (as many as
wanted: a job is claimed by one only), ``run-jobs --once`` runs what is pending and stops."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from remiss.core.time import LOCAL_TZ, utcnow
from remiss.extensions import db
from remiss.notifications import service as delivery
from remiss.rounds import operations, reminders
from remiss.tasks import service as tasks

log = logging.getLogger(__name__)
JOB_ID = "send-due-messages"
TASKS_JOB_ID = "run-background-jobs"
DEFAULT_JOBS_POLL_SECONDS = 2


@dataclass
class Report(delivery.Report):
    rounds_sent: int = 0
    rounds_failed: int = 0

    def __str__(self) -> str:
        rounds = ""
        if self.rounds_sent or self.rounds_failed:
            rounds = (
                f"{self.rounds_sent} schemalagda remisser skickade, {self.rounds_failed} kunde inte skickas; "
            )
        return rounds + super().__str__()

    @property
    def anything(self) -> bool:
        return any(
            (
                self.rounds_sent,
                self.rounds_failed,
                self.queued,
                self.sent,
                self.failed,
                self.kept,
                self.cancelled,
            )
        )


def run_due_jobs(now: datetime | None = None) -> Report:
    """Send the rounds scheduled for today, record what is due at ``now``, then deliver."""
    now = now or utcnow()
    report = Report()
    # Each step on its own: one that fails (and is logged) never keeps the others from running.
    with _step("sending scheduled rounds"):
        report.rounds_sent, report.rounds_failed = operations.send_scheduled_rounds(now)
        db.session.commit()
    with _step("recording due reminders"):
        report.queued = reminders.queue_due_messages(now)
    with _step("delivering the outbox"):
        delivery.deliver_due(now, report, stale=reminders.stale_reason)
    return report


@contextmanager
def _step(what: str):
    try:
        yield
    except Exception:
        db.session.rollback()
        log.exception("scheduled job: %s failed", what)


def remove_orphan_files() -> None:
    """The daily clean-up of uploaded files that no row refers to (``documents.service``)."""
    from remiss.documents.service import remove_orphan_files as remove

    report = remove()
    if report.removed:
        log.info("Uppladdade filer: %s", report)


# The scheduler process ----------------------------------------------------------------------
def run_job(app: Flask) -> None:
    """One run in its own application context; an error is logged and the next run tries
    again, the scheduler lives on."""
    with app.app_context():
        try:
            report = run_due_jobs(utcnow())
            tasks.purge_old_files()
        except Exception:
            db.session.rollback()
            log.exception("run_due_jobs failed")
        else:
            if report.anything:
                log.info("E-post: %s", report)
        finally:
            db.session.remove()


def run_background_jobs(app: Flask, should_stop: Callable[[], bool] | None = None) -> tasks.Report | None:
    """Run the pending background jobs in their own application context (until none are left
    or ``should_stop`` says so); an error is logged and the next poll tries again."""
    with app.app_context():
        try:
            report = tasks.run_pending(should_stop=should_stop)
        except Exception:
            db.session.rollback()
            log.exception("background jobs failed")
            return None
        else:
            if report.anything:
                log.info("Jobb: %s", report)
            return report
        finally:
            db.session.remove()


def make_scheduler(app: Flask, interval_seconds: float | None = None) -> BlockingScheduler:
    interval = interval_seconds or app.config["SCHEDULER_INTERVAL_SECONDS"]
    scheduler = BlockingScheduler(timezone=UTC)
    scheduler.add_job(
        run_job,
        "interval",
        args=[app],
        seconds=interval,
        id=JOB_ID,
        next_run_time=utcnow(),  # once at start, then every interval
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(interval)),
    )
    # Once a day, at night: files left behind by a worker killed mid-upload.
    scheduler.add_job(
        _in_context,
        "cron",
        args=[app, remove_orphan_files],
        hour=3,
        minute=17,
        timezone=LOCAL_TZ,
        id="remove-orphan-files",
        max_instances=1,
        coalesce=True,
    )
    return scheduler


def _in_context(app: Flask, job) -> None:
    with app.app_context():
        try:
            job()
        except Exception:
            db.session.rollback()
            log.exception("%s failed", job.__name__)
        finally:
            db.session.remove()


def add_background_jobs(
    scheduler: BlockingScheduler, app: Flask, should_stop: Callable[[], bool] | None = None
) -> None:
    """Also run the pending background jobs every ``JOBS_POLL_SECONDS`` (0 turns it off, for a
    site that runs ``flask run-jobs`` processes instead). A long job holds only its own thread:
    the e-mail job goes on beside it; once ``should_stop`` says so, no further job is claimed."""
    poll = app.config.get("JOBS_POLL_SECONDS", DEFAULT_JOBS_POLL_SECONDS)
    if poll:
        scheduler.add_job(
            run_background_jobs,
            "interval",
            args=[app],
            kwargs={"should_stop": should_stop},
            seconds=poll,
            id=TASKS_JOB_ID,
            next_run_time=utcnow(),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(poll)),
        )


def run(app: Flask, interval_seconds: float | None = None) -> None:
    """Block, running the job, until SIGINT or SIGTERM."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = make_scheduler(app, interval_seconds)
    stopping = threading.Event()
    add_background_jobs(scheduler, app, should_stop=stopping.is_set)

    def stop(signum, frame):
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stopping.set()  # a job thread still running its queue claims nothing more
        if scheduler.running:
            scheduler.shutdown(wait=False)


# Commands -----------------------------------------------------------------------------------
def parse_now(value: str | None) -> datetime:
    """An ISO date-time; without an offset it is local time in Göteborg."""
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"”{value}” är inte en tidpunkt som 2022-01-17T08:00.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def lower_priority(app: Flask) -> int:
    """Give up CPU to the web workers: a long-running background process (the scheduler, a
    job worker) raises its niceness by ``BACKGROUND_NICENESS``. Returns the niceness."""
    return os.nice(max(0, int(app.config.get("BACKGROUND_NICENESS") or 0)))


@click.command("send-due-messages")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Run as if it were this time (default: now).")
@with_appcontext
def send_due_messages_command(now_text: str | None) -> None:
    """Send the rounds scheduled for today, record due reminders, overdue notices and digests,
    and deliver the outbox, once."""
    report = run_due_jobs(parse_now(now_text))
    click.echo(f"E-post: {report}")


@click.command("run-scheduler")
@click.option("--interval", type=click.FloatRange(min=1), help="Seconds between runs.")
@with_appcontext
def run_scheduler_command(interval: float | None) -> None:
    """Run send-due-messages every few minutes until stopped (one such process only)."""
    app = current_app._get_current_object()
    lower_priority(app)
    seconds = interval or app.config["SCHEDULER_INTERVAL_SECONDS"]
    mail = app.config["MAIL_HOST"] or "ingen e-postserver: meddelandena sparas i utkorgen"
    click.echo(f"Schemaläggaren går var {seconds:g}:e sekund ({mail}). Avsluta med Ctrl+C.")
    run(app, seconds)


@click.command("run-jobs")
@click.option("--once", is_flag=True, help="Run what is pending now, then stop.")
@click.option("--poll", type=click.FloatRange(min=0.1), default=DEFAULT_JOBS_POLL_SECONDS, show_default=True)
@with_appcontext
def run_jobs_command(once: bool, poll: float) -> None:
    """Run the background jobs people start (large exports and imports): a worker process
    beside the scheduler, or once (cron, the tests)."""
    app = current_app._get_current_object()
    if once:
        report = tasks.run_pending()
        click.echo(f"Jobb: {report}")
        return
    lower_priority(app)
    click.echo(f"Kör bakgrundsjobb (tittar var {poll:g}:e sekund). Avsluta med Ctrl+C.")
    stopping = threading.Event()

    def stop(signum, frame):
        stopping.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping.is_set():
            run_background_jobs(app, should_stop=stopping.is_set)
            stopping.wait(poll)
    except KeyboardInterrupt:
        pass


def init_app(app: Flask) -> None:
    app.cli.add_command(send_due_messages_command)
    app.cli.add_command(run_scheduler_command)
    app.cli.add_command(run_jobs_command)
