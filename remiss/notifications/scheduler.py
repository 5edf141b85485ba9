"""The one scheduler process: APScheduler calls ``send_due_messages`` every
``SCHEDULER_INTERVAL_SECONDS``. Web workers never run it; a second scheduler by mistake, or a
cron job running ``send-due-messages`` beside it, sends nothing twice (see ``service``)."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from remiss.core.time import utcnow
from remiss.extensions import db

log = logging.getLogger(__name__)
JOB_ID = "send-due-messages"


def run_job(app: Flask) -> None:
    """One run in its own application context; an error is logged and the next run tries
    again, the scheduler lives on."""
    from remiss.notifications.service import send_due_messages

    with app.app_context():
        try:
            report = send_due_messages(utcnow())
        except Exception:
            db.session.rollback()
            log.exception("send_due_messages failed")
        else:
            if report.queued or report.sent or report.failed or report.kept or report.cancelled:
                log.info("E-post: %s", report)
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
    return scheduler


def run(app: Flask, interval_seconds: float | None = None) -> None:
    """Block, running the job, until SIGINT or SIGTERM."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = make_scheduler(app, interval_seconds)

    def stop(signum, frame):
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
