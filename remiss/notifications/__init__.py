"""E-mail: the outbox of messages to recipients and officers, and their delivery."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from remiss.notifications import commands, receivers

    receivers.connect()
    app.cli.add_command(commands.send_due_messages_command)
    app.cli.add_command(commands.run_scheduler_command)
