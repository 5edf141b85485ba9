"""The scale scenario of the load test (issue 18): 10,000 public rounds and a round of 300 bodies ×
60 measures (``scale_data.py``), gunicorn with 2 sync workers (30 s timeout) and a background-job
worker (``flask run-jobs``), locust headless (``locustfile_scale.py``).

    .venv/bin/python benchmarks/load/scale.py --users 30                 # SQLite
    REMISS_TEST_DATABASE_URL=postgresql+psycopg://… \\
        .venv/bin/python benchmarks/load/scale.py --database postgresql --users 100
    .venv/bin/python benchmarks/load/scale.py --users 100 Visitor Respondent   # some kinds only

The verdict: no failed check, no 5xx, no worker timeout or traceback in gunicorn's log, every
acknowledged submission in the database, and the 95th percentile of every page under 500 ms
(signing in and out excepted: Argon2 is slow on purpose; the export's own download and status
polls are reported but are not pages). The database is built with ``create_all`` (the schema
of the models), not the migrations."""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(HERE))

import run as base  # noqa: E402

LOCUSTFILE = HERE / "locustfile_scale.py"
TARGET_P95_MS = 500
NOT_PAGES = (
    "/auth/login [POST]",
    "/auth/logout [POST]",
    "/auth/login",
    "/jobs/[id]/download",
    "/jobs/[id]/status",
)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def prepare(url: str, users: int, folder: Path, profile: str) -> tuple[dict, str]:
    import sqlalchemy as sa
    from scale_data import build

    from remiss import create_app
    from remiss.auth.models import Role, User
    from remiss.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "load",
            "INSTANCE_PATH": str(folder),
            "PASSWORD_HASH_PROFILE": profile,
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
    password = secrets.token_urlsafe(16)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        template = User(email="x", name="x", role=Role.OFFICER)
        template.set_password(password)
        password_hash = template.password_hash
    return build(app, users, password_hash), password


def per_name(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as file:
        return [row for row in csv.DictReader(file) if row["Name"] != "Aggregated"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--password-profile", default="RFC_9106_LOW_MEMORY")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "classes", nargs="*", help="only these kinds of people (Visitor, Officer, Manager, Respondent)"
    )
    args = parser.parse_args(argv)

    from tests.servers import gunicorn_server

    folder = Path(tempfile.mkdtemp(prefix="remiss-scale-"))
    if args.database == "postgresql":
        url = os.environ.get("REMISS_TEST_DATABASE_URL", "")
        if not url.startswith("postgresql"):
            raise SystemExit("Set REMISS_TEST_DATABASE_URL to a PostgreSQL database that may be emptied.")
    else:
        url = f"sqlite:///{folder / 'remiss.sqlite'}"
    print(f"== {args.database}: building the scale database in {folder}", flush=True)
    ids, password = prepare(url, args.users, folder, args.password_profile)
    print(f"== built in {ids['seconds']:.0f} s: {ids['counts']}", flush=True)
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "INSTANCE_PATH": str(folder),
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "PASSWORD_HASH_PROFILE": args.password_profile,
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMISS_")}
    env.update({f"REMISS_{key}": str(value) for key, value in config.items()})
    log_path = folder / "gunicorn.log"
    worker_log = folder / "worker.log"
    prefix = folder / "locust"
    receipts = folder / "receipts.txt"
    load_before = load_average()
    with (
        open(log_path, "w", encoding="utf-8") as log,
        open(worker_log, "w", encoding="utf-8") as wlog,
        gunicorn_server(config, workers=args.workers, log=log) as url_base,
    ):
        worker = subprocess.Popen(  # noqa: S603 - our own flask, fixed arguments
            [str(Path(sys.executable).parent / "flask"), "--app", "app", "run-jobs", "--poll", "0.5"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=wlog,
            stderr=wlog,
        )
        try:
            print(
                f"== gunicorn ({args.workers} workers) on {url_base}; {args.users} users for "
                f"{args.seconds} s; load {load_before}",
                flush=True,
            )
            locust = subprocess.run(  # noqa: S603 - our own locust, fixed arguments
                [
                    str(base.LOCUST),
                    "--locustfile",
                    str(LOCUSTFILE),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    "10",
                    "--run-time",
                    f"{args.seconds}s",
                    "--stop-timeout",
                    "5",
                    "--host",
                    url_base,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    *args.classes,
                ],
                cwd=PROJECT_ROOT,
                env={
                    **os.environ,
                    "LOAD_PASSWORD": password,
                    "LOAD_OPEN_ROUND": str(ids["big"]),
                    "LOAD_BIG_ROUND": str(ids["big"]),
                    "LOAD_CLOSED_ROUND": str(ids["demo_closed"]),
                    "LOAD_DEMO_ROUNDS": f"{ids['demo_open']},{ids['demo_closed']}",
                    "LOAD_ROUNDS": str(ids["counts"]["rounds"]),
                    "LOAD_RECEIPTS": str(receipts),
                },
                timeout=args.seconds + 180,
                check=False,
            )
            load_after = load_average()
        finally:
            worker.terminate()
            try:
                worker.wait(30)  # it finishes the job it runs and claims no more
                worker_stopped = True
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
                worker_stopped = False

    total, failures = base.read_stats(prefix)
    rows = per_name(prefix)
    problems = []
    server_errors = sum(int(r["Occurrences"]) for r in failures if base.SERVER_ERROR.search(r["Error"]))
    if failures:
        problems.extend(f"{r['Occurrences']}× {r['Method']} {r['Name']}: {r['Error']}" for r in failures)
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    timeouts = log_text.count("WORKER TIMEOUT")
    if timeouts:
        problems.append(f"{timeouts} worker timeouts")
    problems.extend(base.log_problems(log_text, log_path))
    worker_text = worker_log.read_text(encoding="utf-8", errors="replace")
    if "Traceback" in worker_text:
        problems.append(f"errors in the job worker's log: {worker_log}")
    if not worker_stopped:
        problems.append("the job worker did not stop within 30 s of SIGTERM")
    acknowledged = receipts.read_text(encoding="utf-8").split() if receipts.exists() else []
    missing = base.missing_receipts(url, acknowledged, folder)
    if missing:
        problems.append(f"{len(missing)} acknowledged submissions are not in the database")
    pages = [r for r in rows if r["Name"] not in NOT_PAGES and int(r["Request Count"])]
    slow = [r for r in pages if float(r["95%"] or 0) >= TARGET_P95_MS]
    for r in slow:
        problems.append(f"p95 of {r['Type']} {r['Name']}: {r['95%']} ms")
    worst = max(pages, key=lambda r: float(r["95%"] or 0))
    page_requests = sum(int(r["Request Count"]) for r in pages)
    exports = next((int(r["Request Count"]) for r in rows if r["Name"] == "/jobs/[id]/download"), 0)
    sign_in = next((r for r in rows if r["Name"] == "/auth/login [POST]"), None)
    print("\nPer page (ms): name | requests | median | 95 % | max")
    for r in sorted(rows, key=lambda r: -float(r["95%"] or 0)):
        print(
            f"  {r['Type']} {r['Name']} | {r['Request Count']} | {r['Median Response Time']} | {r['95%']} | "
            f"{float(r['Max Response Time']):.0f}"
        )
    print("\nFor benchmarks/RESULTS.md:")
    print(
        f"| {time.strftime('%Y-%m-%d %H:%M')} | {args.database} | {args.users} | {args.seconds} s | "
        f"{total['Request Count']} | {float(total['Requests/s']):.1f} | {page_requests} | "
        f"{float(total['Median Response Time'] or 0):.0f} | {float(total['95%'] or 0):.0f} | "
        f"{float(worst['95%']):.0f} ({worst['Name']}) | {sign_in['95%'] if sign_in else '–'} | "
        f"{exports} | {total['Failure Count']} | {server_errors} | {timeouts} | "
        f"{len(acknowledged)}/{len(missing)} | "
        f"{load_before.split()[0]} → {load_after.split()[0]} |"
    )
    if locust.returncode not in (0, 1):
        problems.append(f"locust exited with {locust.returncode}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("== OK" if not problems else "== FAILED")
    if not args.keep and not problems and args.database == "sqlite":
        subprocess.run(["rm", "-rf", str(folder)], check=False)  # noqa: S603,S607
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
