"""Benchmark: the Excel export of a large round next to the floor (issues 15 and 18).

    .venv/bin/python benchmarks/bench_export.py [--repeat 3] [--sizes 300x60,1000x200]

Builds, in a temporary SQLite database, a round in which every recipient comments on every
measure (300 × 60: 18,000 comments of 400 characters; 1,000 × 200: 200,000), then times in fresh
subprocesses, in turn:

- floor:    a plain XlsxWriter ``constant_memory`` script writing the same sheets and cell values
            (prepared beforehand, untimed) with ``write_row``: no formats, no heights, no chart;
- openpyxl: a plain openpyxl write-only script writing the same values;
- export:   ``export_xlsx`` as the download does: ``stream_summary`` (loading everything from the
            database, the comments streamed one measure at a time) and ``write_xlsx``.

Each subprocess reports the CPU time and wall time of the timed part only (after start-up and
imports) and its peak resident memory: the high-water mark ``VmHWM`` reset just before the timed
part (``/proc/self/clear_refs``), or ``ru_maxrss`` where that cannot be reset. A separate run of
the export under ``tracemalloc`` gives its own Python allocations at their peak. Results go to
``benchmarks/RESULTS.md`` with the machine's load average (``/proc/loadavg``) beside each figure.
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

COMMENT_LENGTH = 400
TARGET_RATIO = 1.3  # the export against the floor (issue 18)
TARGET_MB = 300
# recipients × measures → (recipients, focus areas, measures per area)
SIZES = {"300x60": (300, 6, 10), "1000x200": (1000, 10, 20)}
MODES = ("floor", "openpyxl", "export")


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


def build(database: Path, recipients: int, areas: int, measures_per_area: int) -> int:
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
                for i in range(recipients)
            ],
        )
        db.session.flush()
        for a in range(1, areas + 1):
            area = FocusArea(number=str(a), title=f"Fokusområde {a}: {_text(a, 60)}", position=a)
            for m in range(1, measures_per_area + 1):
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
        texts = [_text(k) for k in range(997)]  # varied, and quick to make for 200,000 comments
        for start in range(0, len(version_ids), 100):  # in batches: bounded memory while building
            db.session.execute(
                sa.insert(MeasureComment),
                [
                    {
                        "version_id": v,
                        "measure_id": m,
                        "position": "avstyrker" if (i + j) % 9 == 0 else None,
                        "text": texts[(i * 61 + j) % len(texts)],
                    }
                    for i, v in enumerate(version_ids[start : start + 100], start=start)
                    for j, m in enumerate(measure_ids)
                ],
            )
        db.session.commit()
        comments = db.session.scalar(sa.select(sa.func.count(MeasureComment.id)))
        assert comments == recipients * areas * measures_per_area, comments
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


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def child(mode: str, database: Path, round_id: int) -> None:
    # Start-up, for every kind alike: the libraries imported before the clock starts.
    import xlsxwriter
    from openpyxl import Workbook

    from remiss.summary.compile import compile_summary
    from remiss.summary.xlsx import export_xlsx

    app = _app(database)
    with app.app_context():
        if mode in ("floor", "openpyxl"):
            rows = plain_rows(compile_summary(round_id))  # untimed: the values to write
        gc.collect()
        reset = _reset_peak()
        baseline = _status_mb("VmRSS") or _peak_mb()
        load = _load()
        buffer = io.BytesIO()
        if mode == "traced":
            tracemalloc.start()
        cpu_started = time.process_time()
        started = time.perf_counter()
        if mode in ("export", "traced"):
            export_xlsx(round_id, buffer)
        elif mode == "floor":
            workbook = xlsxwriter.Workbook(
                buffer,
                {
                    "constant_memory": True,
                    "strings_to_formulas": False,
                    "strings_to_numbers": False,
                    "strings_to_urls": False,
                },
            )
            for title, sheet_rows in rows.items():
                ws = workbook.add_worksheet(title)
                for r, row in enumerate(sheet_rows):
                    ws.write_row(r, 0, row)
            workbook.close()
        else:
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
                "peak_mb": _peak_mb(),
                "baseline_mb": baseline,
                "traced_peak_mb": traced_mb,
                "bytes": len(buffer.getvalue()),
                "load": load,
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


def measure_size(size: str, repeat: int, folder: Path) -> dict:
    recipients, areas, per_area = SIZES[size]
    database = folder / f"bench-{size}.sqlite"
    started = time.perf_counter()
    round_id = build(database, recipients, areas, per_area)
    print(f"{size}: built the round in {time.perf_counter() - started:.1f} s")
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for i in range(repeat):
        for mode in MODES:
            result = run(mode, database, round_id)
            results[mode].append(result)
            print(
                f"{size} run {i + 1} {mode:8} {result['cpu_seconds']:.2f} s CPU, "
                f"{result['seconds']:.2f} s wall, peak {result['peak_mb']:.0f} MB "
                f"(from {result['baseline_mb']:.0f} MB), load {result['load']}"
            )
    traced = run("traced", database, round_id)
    print(f"{size}: the export's Python allocations at their peak: {traced['traced_peak_mb']:.0f} MB")
    database.unlink()
    return {
        "size": size,
        "recipients": recipients,
        "measures": areas * per_area,
        "comments": recipients * areas * per_area,
        "results": results,
        "traced": traced,
    }


def _best(runs: list[dict], key: str) -> dict:
    return min(runs, key=lambda r: r[key])


def _section(measured: list[dict], repeat: int, command: str) -> str:
    lines = []
    for m in measured:
        results = m["results"]
        lines.append(
            f"\n**{m['recipients']:,} recipients × {m['measures']} measures: {m['comments']:,} comments** "
            f"(file {statistics.median(r['bytes'] for r in results['export']) / 1024 / 1024:.1f} MB)\n"
        )
        lines.append("| | CPU time, best (load) | wall time, median | peak memory, most (baseline) |")
        lines.append("|---|---:|---:|---:|")
        names = {
            "floor": "floor: plain XlsxWriter `constant_memory`, same cells",
            "openpyxl": "plain openpyxl write-only, same cells",
            "export": "**export**: `export_xlsx` (stream_summary + write_xlsx)",
        }
        for mode in MODES:
            runs = results[mode]
            best = _best(runs, "cpu_seconds")
            most = max(runs, key=lambda r: r["peak_mb"])
            lines.append(
                f"| {names[mode]} | {best['cpu_seconds']:.2f} s ({best['load']}) | "
                f"{statistics.median(r['seconds'] for r in runs):.2f} s | "
                f"{most['peak_mb']:.0f} MB ({most['baseline_mb']:.0f} MB) |"
            )
        export, floor = _best(results["export"], "cpu_seconds"), _best(results["floor"], "cpu_seconds")
        ratio = export["cpu_seconds"] / floor["cpu_seconds"]
        wall = statistics.median(r["seconds"] for r in results["export"]) / statistics.median(
            r["seconds"] for r in results["floor"]
        )
        peak = max(r["peak_mb"] for r in results["export"])
        grown = max(r["peak_mb"] - r["baseline_mb"] for r in results["export"])
        lines.append("")
        lines.append(
            f"- Export / floor: **{ratio:.2f} ×** by CPU time (best of {repeat}), {wall:.2f} × by median "
            f"wall time; target ≤ {TARGET_RATIO} ×: {'met' if ratio <= TARGET_RATIO else 'NOT met'}."
        )
        lines.append(
            f"- Export's peak: **{peak:.0f} MB** for the whole process, {grown:.0f} MB above what it held "
            f"when the export began; target < {TARGET_MB} MB: {'met' if peak < TARGET_MB else 'NOT met'}. "
            f"Its own Python allocations peak at {m['traced']['traced_peak_mb']:.1f} MB (tracemalloc, "
            f"separate run at load {m['traced']['load']})."
        )
    import openpyxl
    import sqlalchemy
    import xlsxwriter

    return f"""## Export on XlsxWriter (issues 15, 18)

Written by `benchmarks/bench_export.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (`{command}`).
Every recipient comments on every measure (400 characters each), plus each recipient's overall and
other comments, in SQLite. {repeat} runs of each kind, each in a fresh process, the kinds in turn.
Times are of the timed part only (after start-up: the app created, XlsxWriter and openpyxl
imported; the export is the first in its process, so SQLAlchemy compiles its queries inside the
clock): CPU seconds of the process, the best run, with the 1-minute load average when it
began; and wall seconds, the median. The floor and the openpyxl script get their values
prepared before the clock starts; the export's time includes loading and compiling everything
from the database. Peak memory is the high-water mark
of resident memory (`VmHWM`) reset just before the timed part (`/proc/self/clear_refs`), for
the whole process; baseline is what the process held when the timed part began (the scripts'
baseline includes their prepared values). The machine is shared ({os.cpu_count()} CPUs; the load
average is shown beside each figure).
{chr(10).join(lines)}

The export does what the floor does not: one named font on every cell (the workbook's default
format is Calibri 11, top-aligned, wrapped; headers bold with a fill, labels bold, dates as
dates), a row height estimated for every row of more than one line, frozen and filtered header
rows, long text split over rows, a chart, document properties and print settings (the matrix on
A3 with its measure columns repeated); every text through `write_string` (never `write()`).
Memory is flat in the number of comments: the comments are read in one query streamed in
batches of 2,000 (`yield_per`; a server-side cursor on PostgreSQL) and grouped per measure, so
the export holds one measure's comments at a time; XlsxWriter's `constant_memory` mode sends
each row to a temporary file as the next begins, and the writer drops each row's height once
the row is written. What grows with the round is the finished file itself, held in memory as
the download is (its size is given above): most of the export's own allocations at the larger
size (tracemalloc). The floor and the openpyxl script hold all their prepared values, so their
peaks say nothing about the writers.

Environment: Python {platform.python_version()}, XlsxWriter {xlsxwriter.__version__}, openpyxl
{openpyxl.__version__}, SQLAlchemy {sqlalchemy.__version__}, {platform.system()} {platform.machine()}.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="300x60,1000x200", help="of " + ", ".join(SIZES))
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATABASE", "ROUND_ID"), help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()
    if args.child:
        mode, database, round_id = args.child
        child(mode, Path(database), int(round_id))
        return
    command = f".venv/bin/python benchmarks/bench_export.py --repeat {args.repeat} --sizes {args.sizes}"
    with tempfile.TemporaryDirectory() as folder:
        measured = [measure_size(size, args.repeat, Path(folder)) for size in args.sizes.split(",")]
    report = _section(measured, args.repeat, command)
    replace_section(args.results, "export-xlsxwriter", report)
    print(report)


def replace_section(path: Path, name: str, text: str) -> None:
    """Write ``text`` between this benchmark's markers in ``path`` (appended at the end the first
    time), keeping the other sections (the load test writes its own)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{text.strip()}\n{end}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in current and end in current:
        before, rest = current.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        current = before + block + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + block if current else block
    path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
