"""Extensions, created once and bound to the app in ``create_app``."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Migrations:
    """Flask-Migrate, set up when first used. Importing it imports Alembic – a sixth of the
    start-up of every process (each web and job worker, each ``flask`` command) – which only
    ``flask db …`` and the migration tests need. ``init_app`` registers the ``flask db`` group
    and a stand-in for ``app.extensions["migrate"]``; whichever is used first sets Flask-Migrate
    up for real (``flask_migrate.Migrate(app, db, **options)``), which then replaces both."""

    def init_app(self, app: Flask, db: SQLAlchemy, **options) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, options)
        app.cli.add_command(_MigrationCommands())


def set_up_migrations(app: Flask):
    """Flask-Migrate's configuration of ``app``, set up now if it is still pending."""
    pending = app.extensions.get("migrate")
    if isinstance(pending, _PendingMigrate):
        # Alembic's plugins announce themselves at INFO as it is imported: noise in the output of
        # `flask db`, which they never made while Alembic was imported before logging was set up.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        from flask_migrate import Migrate

        Migrate(app, pending.db, **pending.options)
    return app.extensions["migrate"]


class _PendingMigrate:
    """``app.extensions["migrate"]`` until Flask-Migrate is set up: any attribute asked of it
    (``flask_migrate.upgrade()`` asks for ``.migrate``) sets it up and answers from there."""

    def __init__(self, app: Flask, db: SQLAlchemy, options: dict):
        self.app, self.db, self.options = app, db, options

    def __getattr__(self, name: str):
        return getattr(set_up_migrations(self.app), name)


class _MigrationCommands(click.Group):
    """``flask db``: listed by ``flask --help`` under this help text; when run, Flask-Migrate's
    own group parses and runs it."""

    def __init__(self):
        super().__init__("db", help="Perform database migrations.")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask.cli import ScriptInfo
        from flask_migrate.cli import db as commands

        # The app the command line loaded (``flask --app``, or the test runner's).
        app = parent.ensure_object(ScriptInfo).load_app() if parent is not None else current_app
        set_up_migrations(app)
        return commands.make_context(info_name, args, parent=parent, **extra)


db = SQLAlchemy(model_class=Base)
migrate = Migrations()
login_manager = LoginManager()
csrf = CSRFProtect()
