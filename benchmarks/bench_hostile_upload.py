"""How long the tracker takes to refuse a hostile answer template: a ~100 KB .xlsx that unpacks
to a million rows (issue 14). Before the bounded reader, openpyxl read every row and a gunicorn
worker was killed at its 30 s timeout; now the zip's directory is checked before any XML is
parsed.

    .venv/bin/python benchmarks/bench_hostile_upload.py
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from remiss import create_app  # noqa: E402
from remiss.answers import template  # noqa: E402
from remiss.extensions import db  # noqa: E402
from tests import hostile_xlsx  # noqa: E402
from tests.factories import make_round  # noqa: E402


def main() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        stream = io.BytesIO()
        template.write_template(round_, "Socialnämnden Centrum", round_.deadline, None, stream)
        hostile = hostile_xlsx.million_rows(stream.getvalue())
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = template.read_template(io.BytesIO(hostile), round_)
            times.append(time.perf_counter() - started)
            assert not result.ok
        load = os.getloadavg()[0]
        print(
            f"file {len(hostile) / 1024:.0f} KB; refused in median {statistics.median(times) * 1000:.1f} ms "
            f"(max {max(times) * 1000:.1f} ms) over 5 runs; load average {load:.2f} on {os.cpu_count()} CPUs"
        )
        print("message:", result.errors[0])
        # Side by side, what the old reader did (load the whole workbook, then read every row) on
        # a tenth of the attack: a million rows would take ten times as long and as much memory.
        import warnings

        from openpyxl import load_workbook

        tenth = hostile_xlsx.million_rows(stream.getvalue(), rows=100_000)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(tenth), data_only=False)
            rows = sum(1 for _ in workbook.worksheets[0].iter_rows())
        elapsed = time.perf_counter() - started
        print(
            f"old reader on 100,000 rows ({len(tenth) / 1024:.0f} KB): {elapsed:.1f} s for {rows} rows; "
            f"load average {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
