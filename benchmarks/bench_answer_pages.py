"""Benchmark: the answer pages of a big round (issue 12, item 4).

    /work/main/.venv/bin/python benchmarks/bench_answer_pages.py [--sizes 1000 5000] [--database URL]

Builds, in a temporary SQLite database (or the PostgreSQL database given), an open round with
N measures (50 per focus area) and one body whose answer has a submitted version and, reopened
for correction, a draft, each with a comment on every measure. Then, through the Flask test
client (server time: the whole request in the app, no network), times once each after a warm-up:

- GET  the answer form (``answers.edit``)
- POST «Spara utkast» with the whole form as the page sends it (``answers.edit``)
- POST the autosave (``answers.autosave``)
- GET  the preview (``answers.preview``)
- POST submit (``answers.submit``)
- GET  the officer's versions page (``answers.versions``, two versions)

with the number of SQL statements each took and the process's CPU time (the app's own work,
less disturbed than the wall clock when the machine is shared; with PostgreSQL the database's
own work is not in it). The load average (``uptime``) is printed beside
each figure: the machine is shared. Not a test: the bounded test is
tests/test_answers_merge_queries.py."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_AREA = 50
REPEAT = 3
TARGET_SECONDS = 1.0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build(app, measures: int) -> dict:
    import sqlalchemy as sa

    from remiss.answers.models import Answer, AnswerVersion, MeasureComment
    from remiss.auth.models import Role
    from remiss.extensions import db
    from remiss.rounds.models import FocusArea, Measure, Recipient, Round, RoundStatus
    from tests.factories import make_organisation, make_user

    with app.app_context():
        db.create_all()
        today = date.today()
        now = datetime.now(UTC)
        officer = make_user(Role.OFFICER, email="officer@example.se", name="Hanna Handläggare")
        body = make_organisation("Socialnämnden Centrum")
        respondent = make_user(Role.RESPONDENT, body, email="anna@example.se", name="Anna Andersson")
        round_ = Round(
            title="Stor remiss",
            dnr="1/26",
            decision="KS",
            sent_on=today - timedelta(days=7),
            deadline=today + timedelta(days=30),
            status=RoundStatus.OPEN,
            officer=officer,
        )
        db.session.add(round_)
        db.session.flush()
        areas = [
            {"round_id": round_.id, "number": str(a), "title": f"Fokusområde {a}", "position": a}
            for a in range(1, measures // PER_AREA + 1)
        ]
        db.session.execute(sa.insert(FocusArea), areas)
        area_ids = db.session.scalars(sa.select(FocusArea.id).order_by(FocusArea.position)).all()
        db.session.execute(
            sa.insert(Measure),
            [
                {"focus_area_id": area_id, "number": f"{a}:{m}", "title": f"Insats {a}:{m}", "position": m}
                for a, area_id in enumerate(area_ids, start=1)
                for m in range(1, PER_AREA + 1)
            ],
        )
        recipient = Recipient(round=round_, organisation=body, contact_email=body.email)
        db.session.add(recipient)
        db.session.flush()
        answer = Answer(recipient_id=recipient.id, reopened_at=now, reopen_reason="Rättelse")
        db.session.add(answer)
        db.session.flush()
        measure_ids = db.session.scalars(sa.select(Measure.id).order_by(Measure.id)).all()
        for number, submitted in ((1, True), (2, False)):
            version = AnswerVersion(
                answer_id=answer.id,
                number=number,
                position="tillstyrker",
                comment="Övergripande",
                other_comments="",
                decided_by="Socialnämnden Centrum",
                decision_paragraph="§ 1",
                created_at=now,
                updated_at=now,
                submitted_at=now if submitted else None,
                received_on=today if submitted else None,
                channel="tracker" if submitted else None,
                receipt_number=f"R-BENCH-{number}" if submitted else None,
                days_late=0 if submitted else None,
                updated_by_id=respondent.id,
            )
            db.session.add(version)
            db.session.flush()
            db.session.execute(
                sa.insert(MeasureComment),
                [
                    {
                        "version_id": version.id,
                        "measure_id": m,
                        "position": "tillstyrker" if i % 3 == 0 else None,
                        "text": f"Synpunkt {i} på insatsen, version {number}.",
                    }
                    for i, m in enumerate(measure_ids)
                ],
            )
        db.session.commit()
        return {
            "round_id": round_.id,
            "recipient_id": recipient.id,
            "respondent": respondent.email,
            "officer": officer.email,
        }


class Counter:
    def __init__(self, engine):
        import sqlalchemy as sa

        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self)

    def __call__(self, *args, **kwargs):
        self.count += 1


def run(measures: int, database_url: str | None) -> list[tuple]:
    from remiss import create_app
    from remiss.extensions import db
    from tests.conftest import empty_schema
    from tests.factories import PASSWORD
    from tests.http import read_form

    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark",
                "SQLALCHEMY_DATABASE_URI": url,
                "UPLOAD_FOLDER": str(Path(folder) / "uploads"),
                "PASSWORD_HASH_PROFILE": "CHEAPEST",
                "WTF_CSRF_ENABLED": False,
                "SERVER_NAME": "localhost",
                "MAX_FORM_PARTS": 100_000,
            }
        )
        with app.app_context():
            empty_schema()
        ids = build(app, measures)
        with app.app_context():
            counter = Counter(db.engine)
        respondent, officer = app.test_client(), app.test_client()
        for client, email in ((respondent, ids["respondent"]), (officer, ids["officer"])):
            assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
        round_id, recipient_id = ids["round_id"], ids["recipient_id"]
        edit = f"/answers/rounds/{round_id}/edit"
        results = []

        def timed(name, call, expect, repeat=REPEAT):
            times, cpu = [], []
            for _ in range(repeat):
                counter.count = 0
                started, started_cpu = time.perf_counter(), time.process_time()
                response = call()
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert response.status_code == expect, (name, response.status_code, response.text[:2000])
            results.append(
                (
                    measures,
                    name,
                    statistics.median(times),
                    max(times),
                    statistics.median(cpu),
                    counter.count,
                    load(),
                )
            )
            return response

        respondent.get(edit)  # warm-up: templates compiled, caches filled
        page = timed("GET edit", lambda: respondent.get(edit), 200)
        form = read_form(page.text, edit)
        first_measure = next(k for k in form if k.startswith("m_") and k.endswith("_comment"))
        form[first_measure] = "Ändrad synpunkt"
        timed("POST save", lambda: respondent.post(edit, data=form), 302)
        form = read_form(respondent.get(edit).text, edit)
        form["comment"] = "Autosparad"
        timed(
            "POST autosave",
            lambda: respondent.post(
                f"/answers/rounds/{round_id}/autosave", data=form, headers={"Accept": "application/json"}
            ),
            200,
        )
        preview = timed("GET preview", lambda: respondent.get(f"/answers/rounds/{round_id}/preview"), 200)
        submit_form = read_form(preview.text, f"/answers/rounds/{round_id}/submit")
        timed(
            "POST submit",
            lambda: respondent.post(f"/answers/rounds/{round_id}/submit", data=submit_form),
            302,
            repeat=1,  # once: the draft is then submitted
        )
        versions = f"/rounds/{round_id}/recipients/{recipient_id}/versions"
        timed("GET versions", lambda: officer.get(versions), 200)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--database", default=os.environ.get("REMISS_TEST_DATABASE_URL"))
    args = parser.parse_args()
    database = "postgresql" if args.database else "sqlite"
    print(
        f"| measures | database | request | server time (median of {REPEAT}) | slowest | CPU time (median) "
        "| SQL statements | load average (1, 5, 15 min) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for size in args.sizes:
        for measures, name, median, slowest, cpu, queries, load_average in run(size, args.database):
            worst = max(worst, median) if measures >= 5000 else worst
            print(
                f"| {measures} | {database} | {name} | {median:.2f} s | {slowest:.2f} s | {cpu:.2f} s "
                f"| {queries} | {load_average} |"
            )
    if worst:
        print(f"\nslowest median at 5,000 measures: {worst:.2f} s (target < {TARGET_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
