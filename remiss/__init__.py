"""The remiss tracker: Göteborgs Stad's consultation rounds."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

import argon2
import argon2.profiles
from flask import Flask

from remiss.config import Defaults, from_environment
from remiss.extensions import csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# One blueprint per area, each in its ``views`` module as ``bp``.
BLUEPRINTS = (
    "remiss.main.views",
    "remiss.auth.views",
    "remiss.auth.admin_views",
    "remiss.auth.groups",  # the provider's groups → roles (sign-in through the city's provider)
    "remiss.organisations.views",
    "remiss.documents.views",
    "remiss.rounds.views",
    "remiss.imports.views",
    "remiss.main.outbox",  # the notifications blueprint: outbox and single messages
    "remiss.answers.views",
    "remiss.public.views",
    "remiss.feedback.views",
    "remiss.summary.views",
    "remiss.overview.views",  # the manager's overview: open rounds, late bodies, history per body
    "remiss.tasks.views",  # background jobs: progress, status, the finished file
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("REMISS_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    _configure(app, test_config)
    _init_logging(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    from remiss import models  # noqa: F401  (every table, for Alembic and relationships)
    from remiss.core import database, web

    app.url_map.converters["int"] = web.IdConverter  # before any rule is added

    database.init_app(app)

    for module in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp)

    from remiss import accessibility, auth, cli, jobs
    from remiss.documents import service as documents

    web.init_app(app)
    auth.init_app(app)
    accessibility.init_app(app)  # the statement's dates are dates
    documents.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)  # send-due-messages, run-scheduler
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config is not None:
        app.config.update(test_config)

    if app.config["SQLALCHEMY_DATABASE_URI"] is None:
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "remiss.sqlite"
        )
    if app.config["UPLOAD_FOLDER"] is None:
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")

    if not isinstance(getattr(argon2.profiles, app.config["PASSWORD_HASH_PROFILE"], None), argon2.Parameters):
        raise RuntimeError("PASSWORD_HASH_PROFILE must name one of argon2.profiles")

    relaxed = app.debug or app.testing
    if not app.config.get("SECRET_KEY"):
        if not relaxed:
            raise RuntimeError(
                "SECRET_KEY is not set. Set the SECRET_KEY (or REMISS_SECRET_KEY) environment "
                "variable, or SECRET_KEY in instance/config.py."
            )
        app.config["SECRET_KEY"] = os.urandom(32).hex()
    if relaxed and "SESSION_COOKIE_SECURE" not in (test_config or {}):
        # Plain http on localhost during development and tests.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False


def _init_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
