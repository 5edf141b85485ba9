"""The scheduled job: one failing step is logged and never keeps the others from running, and
the scheduler process also cleans up orphan upload files once a night."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from remiss import jobs
from remiss.extensions import db
from remiss.notifications.messages import Composed
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.notifications.outbox import queue


def test_a_failing_step_does_not_stop_delivery(app, monkeypatch, caplog):
    with app.app_context():
        queue(Composed(kind=MessageKind.ACCOUNT, to="a@example.se", subject="Hej", text="t", html="<p>t</p>"))
        db.session.commit()

        def broken(now):
            raise RuntimeError("the reminders step broke")

        monkeypatch.setattr(jobs.reminders, "queue_due_messages", broken)
        with caplog.at_level(logging.ERROR, logger="remiss.jobs"):
            report = jobs.run_due_jobs()
        assert "recording due reminders failed" in caplog.text
        # Without a mail host the outbox keeps what is due: delivery still ran.
        assert report.kept == 1
        assert db.session.scalar(sa.select(Message.status)) is MessageStatus.KEPT


def test_the_scheduler_cleans_up_orphan_files_each_night(app):
    scheduler = jobs.make_scheduler(app, interval_seconds=60)
    job = scheduler.get_job("remove-orphan-files")
    assert job is not None
    assert "hour='3'" in str(job.trigger)
    with app.app_context():
        jobs._in_context(app, jobs.remove_orphan_files)  # runs, with no upload folder yet
