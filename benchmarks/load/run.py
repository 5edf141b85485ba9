"""The load test: a fresh database with the demo data and one account per simulated person,
gunicorn with 2 workers on a free loopback port, locust headless for a bounded time, then the
verdict: no server errors (no 5xx, no failed check, no traceback in gunicorn's log), and every
submission the server acknowledged with a receipt number is in the database.

    .venv/bin/python benchmarks/load/run.py             # SQLite, 60 s, 30 users
    REMISS_TEST_DATABASE_URL=postgresql+psycopg://… \
        .venv/bin/python benchmarks/load/run.py --database postgresql

PostgreSQL: the database named by REMISS_TEST_DATABASE_URL is emptied first, as the test suite
does. Everything runs on 127.0.0.1; exit status 0 only when the run was clean."""

from __future__ import annotations

import argparse
import csv
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCUST = Path(sys.executable).parent / "locust"
ROLES = ("officer", "manager", "respondent", "admin")
SERVER_ERROR = re.compile(r"HTTP 5\d\d|Server Error|RemoteDisconnected|ConnectionResetError")


@dataclass
class Result:
    database: str
    seconds: int
    users: int
    requests: int
    failures: int
    server_errors: int
    rps: float
    median_ms: float
    p95_ms: float
    max_ms: float
    acknowledged: int  # submissions the server acknowledged with a receipt
    missing: int  # of which not in the database afterwards
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def markdown_row(self) -> str:
        return (
            f"| {time.strftime('%Y-%m-%d')} | {self.database} | {self.users} | {self.seconds} s | "
            f"{self.requests} | {self.rps:.1f} | {self.median_ms:.0f} | {self.p95_ms:.0f} | "
            f"{self.max_ms:.0f} | {self.failures} | {self.server_errors} | {self.acknowledged} | "
            f"{self.missing} |"
        )


# A worker killed by a signal (a crash in C code: gunicorn 27 logs it as a WARNING, older ones as
# an ERROR) restarts silently and only shows as a latency spike; count it as a problem.
WORKER_KILLED = re.compile(r"Worker \(pid:\d+\) was sent (SIG\w+)")


def log_problems(log_text: str, log_path) -> list[str]:
    """What gunicorn's log says went wrong: tracebacks, errors, workers killed by a signal."""
    problems = []
    if "Traceback" in log_text or "[ERROR]" in log_text:
        problems.append(f"errors in gunicorn's log: {log_path}")
    killed = WORKER_KILLED.findall(log_text)
    if killed:
        signals = ", ".join(sorted(set(killed)))
        problems.append(f"web workers killed by a signal: {len(killed)} ({signals}); {log_path}")
    return problems


def prepare_database(url: str, users: int, password: str, folder: Path, profile: str) -> tuple[int, int]:
    """Migrations (as in production), the demo data, and ``users`` accounts per role; returns
    the ids of the open and of the closed demo round."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from remiss import create_app
    from remiss.auth.models import Role, User
    from remiss.demo import load_demo
    from remiss.extensions import db
    from remiss.organisations.models import Organisation
    from remiss.rounds.models import Round, RoundStatus

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "load",
            "INSTANCE_PATH": str(folder),
            "PASSWORD_HASH_PROFILE": profile,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        load_demo()
        open_round = db.session.scalar(sa.select(Round).where(Round.status == RoundStatus.OPEN))
        closed_round = db.session.scalar(sa.select(Round).where(Round.status == RoundStatus.CLOSED))
        round_ids = open_round.id, closed_round.id
        bodies = [recipient.organisation for recipient in open_round.recipients]
        template = User(email="x", name="x", role=Role.OFFICER)
        template.set_password(password)  # Argon2 once; every load account shares the hash
        for role in ROLES:
            for n in range(1, users + 1):
                organisation: Organisation | None = bodies[n % len(bodies)] if role == "respondent" else None
                db.session.add(
                    User(
                        email=f"load-{role}-{n}@example.se",
                        name=f"Last {role} {n}",
                        role=Role(role),
                        organisation=organisation,
                        password_hash=template.password_hash,
                    )
                )
        db.session.commit()
        db.engine.dispose()
    return round_ids


def missing_receipts(url: str, numbers: list[str], folder: Path) -> list[str]:
    """The acknowledged receipt numbers that no submitted version in the database carries."""
    import sqlalchemy as sa

    from remiss import create_app
    from remiss.answers.models import AnswerVersion
    from remiss.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load", "INSTANCE_PATH": str(folder)})
    with app.app_context():
        found = set(
            db.session.scalars(
                sa.select(AnswerVersion.receipt_number).where(
                    AnswerVersion.receipt_number.in_(numbers), AnswerVersion.submitted_at.is_not(None)
                )
            )
        )
        db.engine.dispose()
    return [number for number in numbers if number not in found]


def read_stats(prefix: Path) -> tuple[dict, list[dict]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as file:
        total = next(row for row in csv.DictReader(file) if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as file:
        failures = list(csv.DictReader(file))
    return total, failures


def run(
    database: str,
    seconds: int,
    users: int,
    workers: int,
    keep: bool,
    profile: str,
    require_submissions: bool = True,
) -> Result:
    from tests.servers import gunicorn_server

    folder = Path(tempfile.mkdtemp(prefix="remiss-load-"))
    if database == "postgresql":
        url = os.environ.get("REMISS_TEST_DATABASE_URL", "")
        if not url.startswith("postgresql"):
            raise SystemExit("Set REMISS_TEST_DATABASE_URL to a PostgreSQL database that may be emptied.")
    else:
        url = f"sqlite:///{folder / 'remiss.sqlite'}"
    password = secrets.token_urlsafe(16)
    print(f"== {database}: preparing a fresh database in {folder}", flush=True)
    open_round, closed_round = prepare_database(url, users, password, folder, profile)
    receipts = folder / "receipts.txt"

    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "INSTANCE_PATH": str(folder),
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "PASSWORD_HASH_PROFILE": profile,
    }
    log_path = folder / "gunicorn.log"
    prefix = folder / "locust"
    with (
        open(log_path, "w", encoding="utf-8") as log,
        gunicorn_server(config, workers=workers, log=log) as base,
    ):
        assert urlsplit(base).hostname == "127.0.0.1"  # loopback only
        print(f"== gunicorn ({workers} workers) on {base}; locust: {users} users for {seconds} s", flush=True)
        locust = subprocess.run(  # noqa: S603 - our own locust, fixed arguments
            [
                str(LOCUST),
                "--locustfile",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                "10",
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "5",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "LOAD_PASSWORD": password,
                "LOAD_OPEN_ROUND": str(open_round),
                "LOAD_CLOSED_ROUND": str(closed_round),
                "LOAD_RECEIPTS": str(receipts),
            },
            timeout=seconds + 120,
            check=False,
        )

    total, failures = read_stats(prefix)
    problems = []
    server_errors = sum(int(row["Occurrences"]) for row in failures if SERVER_ERROR.search(row["Error"]))
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    if server_errors:
        problems.append(f"{server_errors} server errors (5xx)")
    if failures:
        problems.extend(
            f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}" for row in failures
        )
    problems.extend(log_problems(log_text, log_path))
    if int(total["Request Count"]) == 0:
        problems.append("no requests were made")
    acknowledged = receipts.read_text(encoding="utf-8").split() if receipts.exists() else []
    missing = missing_receipts(url, acknowledged, folder)
    if missing:
        problems.append(f"{len(missing)} acknowledged submissions are not in the database: {missing[:5]}")
    if not acknowledged and require_submissions:
        problems.append("no submission was acknowledged")
    if locust.returncode not in (0, 1):
        problems.append(f"locust exited with {locust.returncode}")
    result = Result(
        database=database,
        seconds=seconds,
        users=users,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        server_errors=server_errors,
        rps=float(total["Requests/s"]),
        median_ms=float(total["Median Response Time"] or 0),
        p95_ms=float(total["95%"] or 0),
        max_ms=float(total["Max Response Time"] or 0),
        acknowledged=len(acknowledged),
        missing=len(missing),
        problems=problems,
    )
    if not keep and result.ok:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        folder.rmdir()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database, logs and CSV files")
    parser.add_argument(
        "--allow-no-submissions",
        action="store_true",
        help="a run too short for anyone to reach the submit button passes (the suite's 10 s run)",
    )
    parser.add_argument(
        "--password-profile",
        default="RFC_9106_LOW_MEMORY",
        help="Argon2 parameters of the accounts (argon2.profiles); the production one by default, "
        "CHEAPEST for the short run in the test suite, where signing in would take the whole run",
    )
    args = parser.parse_args(argv)
    result = run(
        args.database,
        args.seconds,
        args.users,
        args.workers,
        args.keep,
        args.password_profile,
        require_submissions=not args.allow_no_submissions,
    )
    print(
        f"== {result.requests} requests, {result.rps:.1f}/s, median {result.median_ms:.0f} ms, "
        f"95th percentile {result.p95_ms:.0f} ms, max {result.max_ms:.0f} ms, "
        f"{result.failures} failures, {result.server_errors} server errors; "
        f"{result.acknowledged} submissions acknowledged, {result.missing} of them missing"
    )
    print("For benchmarks/RESULTS.md:\n" + result.markdown_row())
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    print("== OK" if result.ok else "== FAILED")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
