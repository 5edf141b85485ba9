"""Start-up (issue 18): Alembic, Authlib with requests, and openpyxl are imported where first
used, not by every process that starts; what uses them still works."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa
from flask_migrate import upgrade
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as OPENPYXL_ILLEGAL

from remiss import PROJECT_ROOT
from remiss.core.spreadsheets import ILLEGAL_CHARACTERS_RE
from remiss.extensions import db
from tests.conftest import empty_schema

LAZY = ("alembic", "flask_migrate", "authlib", "requests", "joserfc", "openpyxl")


def test_the_app_starts_without_the_libraries_it_uses_only_sometimes(tmp_path):
    script = (
        "import sys\n"
        "from remiss import create_app\n"
        "app = create_app()\n"
        "app.test_client().get('/register/')\n"
        f"print(' '.join(m for m in {LAZY!r} if m in sys.modules))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REMISS_")},
        "REMISS_SECRET_KEY": "test",
        "REMISS_INSTANCE_PATH": str(tmp_path),
        "REMISS_DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite'}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_illegal_characters_are_openpyxls():
    assert ILLEGAL_CHARACTERS_RE.pattern == OPENPYXL_ILLEGAL.pattern


def test_flask_db_still_runs_flask_migrate(app, runner):
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0 and "upgrade" in result.output
    with app.app_context():
        empty_schema()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "round" in db.inspect(db.engine).get_table_names()
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))


def test_flask_migrate_functions_find_their_configuration(app):
    with app.app_context():
        empty_schema()
        upgrade()  # asks app.extensions["migrate"], set up on first use
        assert "background_job" in db.inspect(db.engine).get_table_names()
