"""Benchmark: the Word report and the public ZIP of all answers of a large round (issue 18).

    .venv/bin/python benchmarks/bench_report_archive.py [--repeat 3] [--files 300,900] [--file-kb 200]

Builds, in a temporary SQLite database, the benchmark round of ``bench_export.py`` (300 bodies ×
60 measures, 18,000 comments of 400 characters; public and closed), gives every answer
``files / 300`` decision files of ``--file-kb`` KB of random bytes (as incompressible as a PDF),
then times each of these in a fresh subprocess (wall and CPU time of the timed part only, after
start-up; peak resident memory from the high-water mark reset just before it):

- ``word``:            ``write_report`` to memory – what the download did in the request;
- ``word job``:        the background job (``summary.report``) writing the file in the jobs folder;
- ``zip before``:      the ZIP as the anonymous request built it before: the round loaded with
                       every answer, comment and file (``get_public_round_or_404(with_answers=True)``)
                       and ``write_zip``;
- ``zip job``:         the worker building the kept archive (``public.archive``);
- ``zip not ready``:   a visitor's request while it is not built: contents and stamp computed,
                       the build asked for (one already pending), the redirect to the progress page;
- ``zip kept``:        a visitor's request when it is built: the kept file sent (streamed) whole.

Prints a Markdown table for benchmarks/RESULTS.md with the 1-minute load average (``/proc/loadavg``)
beside each figure. Not a test: run it by hand."""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_export  # noqa: E402 (the round is built as the export benchmark builds it)

MODES = ("word", "word job", "zip before", "zip job", "zip not ready", "zip kept")
SIZE = (300, 6, 10)  # 300 bodies × 60 measures


def add_files(database: Path, round_id: int, per_answer: int, kilobytes: int) -> int:
    """Make the round public and closed, and give every submitted answer ``per_answer`` files."""
    import sqlalchemy as sa

    from remiss.answers.models import Answer, AnswerVersion
    from remiss.documents.models import Document, DocumentKind
    from remiss.extensions import db
    from remiss.rounds.models import Recipient, Round

    app = bench_export._app(database)
    uploads = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.is_public = True
        versions = db.session.scalars(
            sa.select(AnswerVersion.id)
            .join(Answer, Answer.id == AnswerVersion.answer_id)
            .join(Recipient, Recipient.id == Answer.recipient_id)
            .where(Recipient.round_id == round_id)
            .order_by(AnswerVersion.id)
        ).all()
        rows = []
        for i, version_id in enumerate(versions):
            for k in range(per_answer):
                data = os.urandom(kilobytes * 1024)
                digest = hashlib.sha256(data).hexdigest()
                stored = hashlib.sha256(f"{version_id}-{k}".encode()).hexdigest()
                path = uploads / stored[:2] / stored
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                rows.append(
                    {
                        "version_id": version_id,
                        "kind": DocumentKind.DECISION,
                        "original_name": f"Protokollsutdrag {i} del {k + 1}.pdf",
                        "stored_name": stored,
                        "content_type": "application/pdf",
                        "size": len(data),
                        "sha256": digest,
                    }
                )
        db.session.execute(sa.insert(Document), rows)
        db.session.commit()
        return len(rows)


def child(mode: str, database: Path, round_id: int) -> None:
    from remiss.extensions import db
    from remiss.public import archive_job
    from remiss.public.export import archive_contents, write_zip
    from remiss.public.service import get_public_round_or_404, public_answers, public_round_with_files
    from remiss.summary.report import write_report
    from remiss.tasks import service as tasks
    from remiss.tasks.models import BackgroundJob

    app = bench_export._app(database)
    app.config["JOBS_FOLDER"] = str(database.parent / f"jobs-{os.getpid()}")
    client = app.test_client()
    with app.app_context():
        # What the measured part needs beforehand, untimed.
        if mode in ("zip not ready", "zip kept"):
            round_ = public_round_with_files(round_id)
            stamp = archive_contents(public_answers(round_)).stamp
            if mode == "zip kept":
                with open(archive_job.cached_path(round_id, stamp), "wb") as out:
                    write_zip(round_, datetime.now(UTC), out)
            else:
                archive_job.request_archive(round_, stamp)
            db.session.commit()
        if mode in ("word job", "zip job"):
            kind = "summary.report" if mode == "word job" else archive_job.KIND
            job = BackgroundJob(
                kind=kind, title="Benchmark", params={"round_id": round_id}, round_id=round_id
            )
            db.session.add(job)
            db.session.commit()
            job_id = tasks.claim_next()
        db.session.remove()
        gc.collect()
        reset = bench_export._reset_peak()
        baseline = bench_export._status_mb("VmRSS") or bench_export._peak_mb()
        load = bench_export._load()
        cpu_started = time.process_time()
        started = time.perf_counter()
        size = 0
        if mode == "word":
            buffer = io.BytesIO()
            write_report(round_id, buffer)
            size = len(buffer.getvalue())
        elif mode in ("word job", "zip job"):
            job = tasks.run(job_id)
            assert job.is_done, job.message
            size = (tasks.jobs_folder() / job.result_path).stat().st_size
        elif mode == "zip before":
            with app.test_request_context():
                stream = write_zip(get_public_round_or_404(round_id, with_answers=True), datetime.now(UTC))
                size = stream.seek(0, 2)
        elif mode == "zip not ready":
            response = client.get(f"/register/{round_id}/answers.zip")
            assert response.status_code == 303, response.status_code
        else:
            response = client.get(f"/register/{round_id}/answers.zip")
            assert response.status_code == 200 and response.mimetype == "application/zip"
            size = sum(len(chunk) for chunk in response.response)
            response.close()
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": finished - started,
                "cpu_seconds": cpu,
                "peak_reset": reset,
                "peak_mb": bench_export._peak_mb(),
                "baseline_mb": baseline,
                "bytes": size,
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", default="300,900", help="answer files in the round, a multiple of 300")
    parser.add_argument("--file-kb", type=int, default=200)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATABASE", "ROUND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), int(args.child[2]))
        return

    lines = [
        f"Written by `benchmarks/bench_report_archive.py` on {time.strftime('%Y-%m-%d %H:%M')} UTC; "
        f"best CPU of {args.repeat} (load beside it), median wall, largest peak.",
        "",
        "| round | what | CPU, best (load) | wall, median | peak memory (baseline) | file |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for files in (int(n) for n in args.files.split(",")):
        folder = Path(tempfile.mkdtemp(prefix="remiss-bench-report-"))
        database = folder / "bench.sqlite"
        round_id = bench_export.build(database, *SIZE)
        made = add_files(database, round_id, files // SIZE[0], args.file_kb)
        label = f"300 × 60, {made} files of {args.file_kb} KB"
        modes = MODES if files == int(args.files.split(",")[0]) else MODES[2:]
        for mode in modes:
            runs = [run(mode, database, round_id) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["cpu_seconds"])
            most = max(runs, key=lambda r: r["peak_mb"])
            size = statistics.median(r["bytes"] for r in runs)
            print(
                f"{label} {mode}: "
                + ", ".join(f"{r['cpu_seconds']:.2f} s CPU load {r['load']}" for r in runs)
            )
            lines.append(
                f"| {label} | {mode} | {best['cpu_seconds']:.2f} s ({best['load']}) | "
                f"{statistics.median(r['seconds'] for r in runs):.2f} s | "
                f"{most['peak_mb']:.0f} MB ({most['baseline_mb']:.0f} MB) | "
                f"{size / 1024 / 1024:.1f} MB |"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
