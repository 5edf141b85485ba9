"""The scheduler: APScheduler runs run_due_jobs on its interval, in its own process that
stops cleanly on SIGTERM (as ``make run`` stops it)."""

from __future__ import annotations

import os
import signal
import threading

import sqlalchemy as sa

from remiss import jobs
from remiss.auth.models import User
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.models import Message, MessageStatus
from remiss.notifications.outbox import queue
from tests.mail import smtp_fixture  # noqa: F401
from tests.servers import flask_command, wait_for
from tests.test_notifications_flow import open_round


def mail(smtp) -> list[str]:
    """Subjects received, without the weekly digest (sent too when the test runs on a Monday)."""
    return [r.subject for r in smtp.received if not r.subject.startswith("Veckosammanfattning")]


def test_the_scheduler_runs_the_job_at_start_and_then_on_its_interval(app, smtp):
    open_round(app, now=utcnow(), recipients=["Socialnämnden Centrum"])
    job_scheduler = jobs.make_scheduler(app, interval_seconds=0.5)
    job = job_scheduler.get_job("send-due-messages")
    assert job.id == "send-due-messages" and job.max_instances == 1
    assert job.trigger.interval.total_seconds() == 0.5
    thread = threading.Thread(target=job_scheduler.start, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(mail(smtp)) == 1)  # the invitation, at once
        # A message recorded later goes out on a following run.
        with app.app_context():
            user = db.session.scalar(sa.select(User))
            queue(messages.account(user, "http://localhost/auth/password/x", invited=False))
            db.session.commit()
        assert wait_for(lambda: len(mail(smtp)) == 2)
    finally:
        job_scheduler.shutdown(wait=True)
        thread.join(10)
    assert not thread.is_alive()
    assert mail(smtp)[1] == "Nytt lösenord till Remisstjänsten"


def test_a_failing_run_is_logged_and_the_scheduler_lives_on(app, caplog):
    app.config["MAIL_SECURITY"] = "carrier-pigeon"  # the Mailer refuses it
    app.config["MAIL_HOST"] = "127.0.0.1"
    open_round(app, now=utcnow(), recipients=["Socialnämnden Centrum"])
    jobs.run_job(app)
    assert "scheduled job: delivering the outbox failed" in caplog.text
    with app.app_context():
        assert set(db.session.scalars(sa.select(Message.status))) == {MessageStatus.PENDING}


def test_run_scheduler_delivers_and_stops_on_sigterm(app, smtp, tmp_path):
    open_round(app, now=utcnow(), recipients=["Socialnämnden Centrum", "Kriminalvården"])
    with app.app_context():
        db.engine.dispose()
    process = flask_command(
        app, tmp_path, "run-scheduler", "--interval", "1", MAIL_HOST="127.0.0.1", MAIL_PORT=str(smtp.port)
    )
    try:
        assert wait_for(lambda: len(mail(smtp)) == 2, timeout=60)
        # Background work gives way to the web workers (BACKGROUND_NICENESS, 10).
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == min(19, ours + 10)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "Schemaläggaren går var 1:e sekund" in output
