"""Importing a round through the CLI (issue 18): ``flask --app app import-round FILE`` on a round of
300 bodies × 60 measures and of 1,000 bodies × 100 measures, every body answering every measure
(400 characters), into a fresh SQLite database (or PostgreSQL with ``--database-url``). Also the
CLI's start-up: ``flask --app app --help``.

    .venv/bin/python benchmarks/bench_import.py                       # both sizes, SQLite
    .venv/bin/python benchmarks/bench_import.py --sizes 300x60 --database-url postgresql+psycopg://…

Prints a Markdown section for benchmarks/RESULTS.md: wall and CPU time of the import process
(start-up included, and start-up alone), its peak memory, with the 1-minute load average when
each run began (the machine is shared)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLASK = Path(sys.executable).parent / "flask"
SIZES = {"300x60": (300, 6, 10), "1000x100": (1000, 10, 10)}
COMMENT_LENGTH = 400


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


def round_file(bodies: int, areas: int, per_area: int) -> dict:
    sent = date(2025, 11, 3)
    deadline = sent + timedelta(days=60)
    names = [f"Importnämnd {i:04d}" for i in range(bodies)]
    texts = [_text(k) for k in range(997)]
    numbers = [f"{a}:{m}" for a in range(1, areas + 1) for m in range(1, per_area + 1)]
    return {
        "title": f"Benchmark av import {bodies} × {areas * per_area}",
        "dnr": "1818/25",
        "description": "Importens benchmark.",
        "decision": "Kommunstyrelsen 2025-10-01 § 18",
        "sent_on": sent.isoformat(),
        "deadline": deadline.isoformat(),
        "status": "closed",
        "focus_areas": [
            {
                "number": str(a),
                "title": f"Fokusområde {a}",
                "measures": [
                    {"number": f"{a}:{m}", "title": _text(a * 100 + m, 120)} for m in range(1, per_area + 1)
                ],
            }
            for a in range(1, areas + 1)
        ],
        "recipients": names,
        "answers": [
            {
                "organisation": name,
                "received_on": (deadline - timedelta(days=i % 5)).isoformat(),
                "position": "tillstyrker" if i % 5 else "avstyrker",
                "decision": f"{name} 2025-12-15 § {i % 90 + 1}",
                "comment": texts[i % len(texts)],
                "measures": {
                    number: {"comment": texts[(i * 61 + j) % len(texts)]} for j, number in enumerate(numbers)
                },
                "other_comments": texts[(i + 3) % len(texts)],
            }
            for i, name in enumerate(names)
        ],
    }


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def prepare(url: str, folder: Path, bodies: int) -> None:
    import sqlalchemy as sa

    from remiss import create_app
    from remiss.auth.models import Role, User
    from remiss.extensions import db
    from remiss.organisations.models import Organisation, OrganisationKind

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder)})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        db.session.add(User(email="importer@example.se", name="Importerande handläggare", role=Role.OFFICER))
        db.session.execute(
            sa.insert(Organisation),
            [
                {
                    "name": f"Importnämnd {i:04d}",
                    "short_name": f"IN {i:04d}",
                    "kind": list(OrganisationKind)[i % 3],
                    "email": f"in{i}@example.se",
                }
                for i in range(bodies)
            ],
        )
        db.session.commit()
        db.engine.dispose()


def timed(command: list[str], env: dict) -> dict:
    """Run ``command``; its wall time, CPU time (user + system) and peak resident memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = load_average()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_mb": after.ru_maxrss / 1024,
        "load": load,
        "output": result.stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="300x60,1000x100")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--startup-runs", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="remiss-bench-import-"))
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("REMISS_")}
    lines = [f"Written by `benchmarks/bench_import.py` on {time.strftime('%Y-%m-%d %H:%M')} UTC.", ""]

    # The CLI's start-up alone.
    env = {**base_env, "REMISS_SECRET_KEY": "bench", "REMISS_INSTANCE_PATH": str(folder)}
    startups = [timed([str(FLASK), "--app", "app", "--help"], env) for _ in range(args.startup_runs)]
    best = min(startups, key=lambda r: r["wall"])
    lines.append(
        f"CLI start-up, `flask --app app --help`: best of {args.startup_runs} **{best['wall']:.2f} s** wall, "
        f"{best['cpu']:.2f} s CPU (load {best['load']:.2f}); median "
        f"{sorted(r['wall'] for r in startups)[len(startups) // 2]:.2f} s."
    )
    lines += [
        "",
        "| size | comments | database | wall | CPU | peak memory | load at start |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for size in args.sizes.split(","):
        bodies, areas, per_area = SIZES[size]
        url = args.database_url or f"sqlite:///{folder / f'{size}.sqlite'}"
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        prepare(url, folder, bodies)
        path = folder / f"{size}.json"
        path.write_text(json.dumps(round_file(bodies, areas, per_area), ensure_ascii=False), "utf-8")
        env = {
            **base_env,
            "REMISS_DATABASE_URL": url,
            "REMISS_SECRET_KEY": "bench",
            "REMISS_INSTANCE_PATH": str(folder),
        }
        print(
            f"== importing {size} ({path.stat().st_size / 1e6:.0f} MB of JSON) into {database} …", flush=True
        )
        run = timed(
            [str(FLASK), "--app", "app", "import-round", str(path), "--officer", "importer@example.se"], env
        )
        comments = bodies * areas * per_area
        row = (
            f"| {bodies:,} × {areas * per_area} | {comments:,} | {database} | {run['wall']:.1f} s | "
            f"{run['cpu']:.1f} s | {run['peak_mb']:.0f} MB | {run['load']:.2f} |"
        )
        print(row, flush=True)
        lines.append(row)
        path.unlink()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
