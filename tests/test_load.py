"""The load test's machinery, briefly (10 seconds), so that it keeps working as the app grows:
gunicorn with 2 workers on this run's database, 30 simulated people saving and submitting answers
and browsing, no server errors, and every acknowledged submission in the database. The full run
(60 seconds, production password hashing, figures for benchmarks/RESULTS.md) is ``make load``."""

from __future__ import annotations

import subprocess
import sys

from remiss import PROJECT_ROOT
from tests.conftest import TEST_DATABASE_URL


def test_thirty_people_for_ten_seconds_without_server_errors():
    database = "postgresql" if TEST_DATABASE_URL else "sqlite"
    result = subprocess.run(  # noqa: S603 - our own runner, fixed arguments
        [
            sys.executable,
            "benchmarks/load/run.py",
            "--database",
            database,
            "--seconds",
            "10",
            "--users",
            "30",
            "--password-profile",
            "CHEAPEST",  # signing in at production cost would take the 10 seconds on a busy machine
            "--allow-no-submissions",  # on a busy machine 10 s may end before anyone submits
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "== OK" in result.stdout
    assert ", 0 failures, 0 server errors;" in result.stdout
    assert "submissions acknowledged, 0 of them missing" in result.stdout
