"""Benchmark: the Excel export of a large round next to a plain openpyxl write-only script.

    .venv/bin/python benchmarks/bench_export.py [--repeat 3]

Builds, in a temporary SQLite database, a round with 300 recipients and 60 measures in which
every recipient comments on every measure (18,000 comments of about 400 characters), then times
in fresh subprocesses, alternately:

- export: ``compile_summary`` (loading from the database) + ``write_xlsx``, as the download does;
- plain:  a plain openpyxl write-only workbook with the same sheets and the same cell values
          (prepared beforehand, untimed), appended as bare values: no styles, no text typing,
          no splitting, no chart. Only the writing is timed.

Each subprocess reports its time and its peak resident memory (``ru_maxrss``, the whole Python
process with Flask and SQLAlchemy loaded). The medians go to ``benchmarks/RESULTS.md``.
Not a test: run it by hand after changing the export."""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RECIPIENTS = 300
AREAS = 6
MEASURES_PER_AREA = 10  # 60 measures
COMMENT_LENGTH = 400
TARGET_RATIO = 2.0
TARGET_MB = 300


def _app(database: Path):
    from remiss import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "UPLOAD_FOLDER": str(database.parent / "uploads"),
        }
    )


def _text(seed: int, length: int = COMMENT_LENGTH) -> str:
    words = (
        "Nämnden ser positivt på insatsen men vill att ansvaret mellan förvaltningarna förtydligas "
        "och att samverkan med polisen och skolan beskrivs närmare i handlingsplanen "
    ).split()
    out, i = [], seed
    while sum(len(w) + 1 for w in out) < length:
        out.append(words[i % len(words)])
        i += 7
    return " ".join(out)[:length]


def build(database: Path) -> int:
    """The round, inserted in bulk (the ORM's unit of work would take minutes, and what is
    measured is the export, not the building)."""
    import sqlalchemy as sa

    from remiss.answers.models import Answer, AnswerVersion, MeasureComment
    from remiss.auth.models import Role, User
    from remiss.extensions import db
    from remiss.organisations.models import Organisation, OrganisationKind
    from remiss.rounds.models import FocusArea, Measure, Recipient, Round, RoundStatus

    app = _app(database)
    with app.app_context():
        db.create_all()
        now = datetime.now(UTC)
        officer = User(name="Hanna Handläggare", email="h@example.se", role=Role.OFFICER)
        db.session.add(officer)
        round_ = Round(
            title="Handlingsplan för benchmark",
            dnr="1668/20",
            decision="Kommunstyrelsen 2021-10-27 § 820",
            sent_on=date(2021, 11, 1),
            deadline=date(2022, 1, 31),
            status=RoundStatus.CLOSED,
            officer=officer,
        )
        db.session.add(round_)
        kinds = list(OrganisationKind)
        db.session.execute(
            sa.insert(Organisation),
            [
                {
                    "name": f"Remissinstans {i:03d}",
                    "short_name": f"RI {i:03d}",
                    "kind": kinds[i % 3],
                    "email": f"ri{i}@example.se",
                }
                for i in range(RECIPIENTS)
            ],
        )
        db.session.flush()
        for a in range(1, AREAS + 1):
            area = FocusArea(number=str(a), title=f"Fokusområde {a}: {_text(a, 60)}", position=a)
            for m in range(1, MEASURES_PER_AREA + 1):
                area.measures.append(Measure(number=f"{a}:{m}", title=_text(a * 100 + m, 120), position=m))
            round_.focus_areas.append(area)
        db.session.flush()
        organisation_ids = db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)).all()
        db.session.execute(
            sa.insert(Recipient),
            [
                {"round_id": round_.id, "organisation_id": o, "contact_email": "x@example.se"}
                for o in organisation_ids
            ],
        )
        recipient_ids = db.session.scalars(
            sa.select(Recipient.id).where(Recipient.round_id == round_.id).order_by(Recipient.id)
        ).all()
        db.session.execute(sa.insert(Answer), [{"recipient_id": r, "created_at": now} for r in recipient_ids])
        answer_ids = db.session.scalars(sa.select(Answer.id).order_by(Answer.id)).all()
        db.session.execute(
            sa.insert(AnswerVersion),
            [
                {
                    "answer_id": answer_id,
                    "number": 1,
                    "revision": 1,
                    "position": "tillstyrker" if i % 5 else "avstyrker",
                    "comment": _text(i),
                    "other_comments": _text(i + 3),
                    "decided_by": f"Remissinstans {i:03d}",
                    "decision_date": date(2022, 1, 20),
                    "decision_paragraph": str(i),
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    "received_on": date(2022, 1, 31) + timedelta(days=i % 4),
                    "channel": "import",
                    "receipt_number": f"R-BENCH-{i:05d}",
                    "days_late": i % 4,
                }
                for i, answer_id in enumerate(answer_ids)
            ],
        )
        version_ids = db.session.scalars(sa.select(AnswerVersion.id).order_by(AnswerVersion.id)).all()
        measure_ids = [m.id for m in round_.measures]
        db.session.execute(
            sa.insert(MeasureComment),
            [
                {
                    "version_id": v,
                    "measure_id": m,
                    "position": "avstyrker" if (i + j) % 9 == 0 else None,
                    "text": _text(i * 61 + j),
                }
                for i, v in enumerate(version_ids)
                for j, m in enumerate(measure_ids)
            ],
        )
        db.session.commit()
        comments = db.session.scalar(sa.select(sa.func.count(MeasureComment.id)))
        assert comments == RECIPIENTS * AREAS * MEASURES_PER_AREA, comments
        return round_.id


def plain_rows(summary) -> dict[str, list[list]]:
    """The same cells as the export, as bare values per sheet (its sheet names and header rows)."""
    from remiss.summary import xlsx

    facts, counts = summary.round, summary.counts
    recipients = summary.recipients
    sheets = {
        xlsx.SUMMARY_SHEET: [
            ["Ärende", facts.title],
            ["Diarienummer", facts.dnr],
            ["Beslut", facts.decision],
            ["Skickad", facts.sent_on],
            ["Svar senast", facts.deadline],
            ["Ansvarig", facts.officer],
            ["Sammanställd", facts.compiled_at.replace(tzinfo=None)],
            [],
            ["Inbjudna", counts.invited],
            ["Svarat", counts.answered],
            ["I tid", counts.on_time],
            ["För sent", counts.late],
            ["Inget svar", counts.no_answer],
            [],
            ["Ställningstagande", "Antal"],
            *([p.label, p.count] for p in counts.positions),
        ],
        xlsx.RECIPIENTS_SHEET: [
            list(xlsx.RECIPIENT_HEADERS),
            *(
                [
                    r.organisation,
                    r.kind,
                    r.status,
                    r.received_on,
                    r.days_late,
                    r.position,
                    r.decision,
                    r.comment,
                ]
                for r in recipients
            ),
        ],
        xlsx.COMMENTS_SHEET: [
            list(xlsx.COMMENT_HEADERS),
            *(
                [area.heading, m.number, m.title, c.organisation, c.position, c.text, m.assessment]
                for area in summary.focus_areas
                for m in area.measures
                for c in m.comments
            ),
        ],
        xlsx.MATRIX_SHEET: [
            [*xlsx.MATRIX_HEADERS, *(r.organisation for r in recipients)],
            *([m.number, m.title, m.assent, m.reject, m.commented, *m.matrix] for m in summary.measures),
        ],
        xlsx.OTHER_SHEET: [
            list(xlsx.OTHER_HEADERS),
            *([o.organisation, o.text] for o in summary.other_comments),
        ],
    }
    return sheets


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the process's resident-memory high-water mark (Linux), so that the peak measured is
    the export's and not that of start-up (the app's import hashes a password with Argon2, which
    takes 64 MB for a moment)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, database: Path, round_id: int) -> None:
    from openpyxl import Workbook

    from remiss.summary.compile import compile_summary
    from remiss.summary.xlsx import write_xlsx

    app = _app(database)
    with app.app_context():
        if mode == "plain":
            rows = plain_rows(compile_summary(round_id))  # untimed: the values to write
        gc.collect()
        reset = _reset_peak()
        baseline = _status_mb("VmRSS") or _peak_mb()
        buffer = io.BytesIO()
        if mode == "traced":
            tracemalloc.start()
        cpu_started = time.process_time()
        started = time.perf_counter()
        if mode in ("export", "traced"):
            summary = compile_summary(round_id)
            compiled = time.perf_counter()
            write_xlsx(summary, buffer)
        else:
            compiled = started
            workbook = Workbook(write_only=True)
            for title, sheet_rows in rows.items():
                ws = workbook.create_sheet(title)
                for row in sheet_rows:
                    ws.append(row)
            workbook.save(buffer)
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started
        traced_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if mode == "traced" else None
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": finished - started,
                "cpu_seconds": cpu,
                "peak_reset": reset,
                "compile_seconds": compiled - started,
                "peak_mb": _peak_mb(),
                "baseline_mb": baseline,
                "traced_peak_mb": traced_mb,
                "bytes": len(buffer.getvalue()),
            }
        )
    )


def run(mode: str, database: Path, round_id: int) -> dict:
    output = subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [sys.executable, __file__, "--child", mode, str(database), str(round_id)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATABASE", "ROUND_ID"), help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()
    if args.child:
        mode, database, round_id = args.child
        child(mode, Path(database), int(round_id))
        return

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        round_id = build(database)
        print(f"Built the round in {time.perf_counter() - started:.1f} s")
        results: dict[str, list[dict]] = {"export": [], "plain": []}
        for i in range(args.repeat):
            for mode in ("plain", "export"):
                result = run(mode, database, round_id)
                results[mode].append(result)
                print(
                    f"run {i + 1} {mode:6} {result['cpu_seconds']:.2f} s CPU, "
                    f"{result['seconds']:.2f} s wall, peak {result['peak_mb']:.0f} MB"
                )

        traced = run("traced", database, round_id)["traced_peak_mb"]
        print(f"Python allocations of the export at their peak (tracemalloc): {traced:.0f} MB")

    def best(mode: str, key: str) -> float:
        return min(r[key] for r in results[mode])

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    export_cpu, plain_cpu = best("export", "cpu_seconds"), best("plain", "cpu_seconds")
    ratio = export_cpu / plain_cpu
    wall_ratio = median("export", "seconds") / median("plain", "seconds")
    compile_s = best("export", "compile_seconds")
    peak, baseline = max(r["peak_mb"] for r in results["export"]), median("export", "baseline_mb")
    plain_peak = max(r["peak_mb"] for r in results["plain"])
    peak_how = (
        "high-water mark of resident memory,\n  reset just before the export (`/proc/self/clear_refs`)"
        if all(r["peak_reset"] for r in results["export"])
        else "`ru_maxrss` of the whole process, start-up included"
    )
    import openpyxl
    import sqlalchemy

    try:
        import lxml  # noqa: F401

        xml = "lxml"
    except ImportError:
        xml = "et_xmlfile (pure Python; lxml is not installed)"
    verdict_time = "met" if ratio <= TARGET_RATIO else "NOT met"
    verdict_memory = "met" if peak <= TARGET_MB else "NOT met"
    measures = AREAS * MEASURES_PER_AREA
    comments = RECIPIENTS * measures
    export_wall, plain_wall = median("export", "seconds"), median("plain", "seconds")
    report = f"""# Export benchmark

Written by `benchmarks/bench_export.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC
(`.venv/bin/python benchmarks/bench_export.py --repeat {args.repeat}`).

A round with {RECIPIENTS} recipients and {measures} measures in which every recipient comments on
every measure: {comments:,} comments of {COMMENT_LENGTH} characters, plus each recipient's overall and other
comments, in SQLite. {args.repeat} runs of each, every run in a fresh process, the two kinds alternating.
Times are CPU seconds of the process, best of the runs (the machine is shared; wall-clock times
are shown too, as medians).

| | CPU time (best) | wall time (median) | peak memory |
|---|---:|---:|---:|
| export: `compile_summary` + `write_xlsx` | {export_cpu:.2f} s | {export_wall:.2f} s | {peak:.0f} MB |
| of which `compile_summary` (6 queries, wall) | | {compile_s:.2f} s | |
| plain write-only script, same cells | {plain_cpu:.2f} s | {plain_wall:.2f} s | {plain_peak:.0f} MB |

- **Time: the export takes {ratio:.2f} × the plain script** (CPU; {wall_ratio:.2f} × by median wall time).
  Target at most {TARGET_RATIO:.0f} ×: {verdict_time}.
- **Peak memory of the export: {peak:.0f} MB** for the whole process (target under {TARGET_MB} MB:
  {verdict_memory}); it held {baseline:.0f} MB when the export began (Python, Flask, SQLAlchemy,
  openpyxl loaded). Measured as the {peak_how}.
  The export's own Python allocations peak at {traced:.0f} MB (tracemalloc, in a separate run).
- The file is {median("export", "bytes") / 1024 / 1024:.1f} MB.

The comparison is strict: the plain script's values are prepared before its clock starts, while
the export's time includes loading everything from the database and compiling it. The export
also does what the plain script does not: a bold, frozen, filtered header row on every sheet,
wrapped text, date formats, every text cell typed as text (never a formula), long text split
over rows, a chart and print settings. Both write a write-only (streaming) workbook, so memory
does not grow with the number of cells; most of the time in both goes to openpyxl serialising
XML cell by cell.

Environment: Python {platform.python_version()}, openpyxl {openpyxl.__version__},
SQLAlchemy {sqlalchemy.__version__}, XML writer {xml},
{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs.
"""
    replace_section(args.results, "export", report)
    print(report)


def replace_section(path: Path, name: str, text: str) -> None:
    """Write ``text`` between this benchmark's markers in ``path``, keeping the other sections
    (the load test writes its own)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{text.strip()}\n{end}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in current and end in current:
        before, rest = current.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        current = before + block + ("\n" + after if after else "")
    else:
        current = block + ("\n" + current if current else "")
    path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
