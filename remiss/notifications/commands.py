"""``flask --app app send-due-messages`` (one run, for cron or a systemd timer) and
``flask --app app run-scheduler`` (the one scheduler process)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from remiss.core.time import LOCAL_TZ, utcnow


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


@click.command("send-due-messages")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Run as if it were this time (default: now).")
@with_appcontext
def send_due_messages_command(now_text: str | None) -> None:
    """Record due reminders, overdue notices and digests, and deliver the outbox, once."""
    from remiss.notifications.service import send_due_messages

    report = send_due_messages(parse_now(now_text))
    click.echo(f"E-post: {report}")


@click.command("run-scheduler")
@click.option("--interval", type=click.FloatRange(min=1), help="Seconds between runs.")
@with_appcontext
def run_scheduler_command(interval: float | None) -> None:
    """Run send-due-messages every few minutes until stopped (one such process only)."""
    from remiss.notifications import scheduler

    app = current_app._get_current_object()
    seconds = interval or app.config["SCHEDULER_INTERVAL_SECONDS"]
    mail = app.config["MAIL_HOST"] or "ingen e-postserver: meddelandena sparas i utkorgen"
    click.echo(f"Schemaläggaren går var {seconds:g}:e sekund ({mail}). Avsluta med Ctrl+C.")
    scheduler.run(app, seconds)
