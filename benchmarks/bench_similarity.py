"""Benchmark: similar answers grouped for the large round (issue 15 item 3: ≤ 10 s).

    .venv/bin/python benchmarks/bench_similarity.py [--repeat 3]

Builds the export benchmark's round of 300 recipients × 60 measures (18,000 comments of 400
characters, ``bench_export.build``) in a temporary SQLite database and times ``refresh`` – what
the first page after a change of the answers does: read the counting versions and their
comments, group each measure's comments (rapidfuzz ``token_sort_ratio``), and store the groups –
for two kinds of text:

- the benchmark's texts: 997 texts from one small vocabulary, so nearly everything is alike
  (few, large groups);
- distinct texts: every comment rewritten from a large vocabulary, so almost nothing groups and
  every comment is compared with every later one on its measure (the costly case).

Then times a second ``refresh`` with nothing changed (what every later page does: the
fingerprint only). Each figure is printed with ``uptime``'s load average, and the section
``similarity`` of ``benchmarks/RESULTS.md`` is rewritten."""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_export import _app, build, replace_section  # noqa: E402

TARGET_SECONDS = 10.0


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603, S607


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def distinct_texts(database: Path) -> None:
    """Rewrite every comment as a text of its own (words drawn from 5,000)."""
    import sqlalchemy as sa

    from remiss.answers.models import MeasureComment
    from remiss.extensions import db

    rng = random.Random(15)  # noqa: S311 (test data)
    letters = "abcdefghijklmnopqrstuvwxyzåäö"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 11))) for _ in range(5000)]
    app = _app(database)
    with app.app_context():
        ids = db.session.scalars(sa.select(MeasureComment.id)).all()
        for start in range(0, len(ids), 2000):
            db.session.execute(
                sa.update(MeasureComment),
                [
                    {"id": i, "text": " ".join(rng.choice(vocabulary) for _ in range(60))[:400]}
                    for i in ids[start : start + 2000]
                ],
            )
        db.session.commit()


def time_refresh(database: Path, round_id: int, repeat: int) -> dict:
    import sqlalchemy as sa

    from remiss.extensions import db
    from remiss.summary.models import SimilarityCache, SimilarityGroup
    from remiss.summary.similarity import refresh

    app = _app(database)
    runs, loads = [], []
    with app.app_context():
        for _ in range(repeat):
            db.session.execute(sa.delete(SimilarityCache))
            db.session.commit()
            loads.append(_load())
            started = time.perf_counter()
            assert refresh(round_id)
            db.session.commit()
            runs.append(time.perf_counter() - started)
        groups = db.session.scalar(sa.select(sa.func.count()).select_from(SimilarityGroup))
        members = sum(len(ids) for ids in db.session.scalars(sa.select(SimilarityGroup.comment_ids)))
        started = time.perf_counter()
        assert not refresh(round_id)
        unchanged = time.perf_counter() - started
    return {
        "best": min(runs),
        "median": statistics.median(runs),
        "load": loads[runs.index(min(runs))],
        "groups": groups,
        "members": members,
        "unchanged": unchanged,
        "uptime": _uptime(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()
    import rapidfuzz

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite"
        round_id = build(database, 300, 6, 10)
        alike = time_refresh(database, round_id, args.repeat)
        print("benchmark texts:", alike)
        distinct_texts(database)
        distinct = time_refresh(database, round_id, args.repeat)
        print("distinct texts:", distinct)

    def row(name: str, r: dict) -> str:
        return (
            f"| {name} | {r['best']:.2f} s ({r['load']}) | {r['median']:.2f} s | {r['groups']:,} groups of "
            f"{r['members']:,} comments | {r['unchanged'] * 1000:.0f} ms |"
        )

    worst = max(alike["best"], distinct["best"])
    verdict = "met" if worst <= TARGET_SECONDS else "NOT met"
    environment = (
        f"Python {platform.python_version()}, rapidfuzz {rapidfuzz.__version__}, "
        f"{platform.system()} {platform.machine()}"
    )
    text = f"""## Similar answers grouped (issue 15 item 3)

`python benchmarks/bench_similarity.py --repeat {args.repeat}`: the export benchmark's round of 300
recipients × 60 measures, **18,000 comments** of 400 characters, in SQLite. Timed: `refresh`, what the
first page after a change of the answers does – the fingerprint of the counting versions, every
comment read, each measure's comments grouped (identical texts at once, then rapidfuzz
`token_sort_ratio` ≥ 85 – `fuzz.ratio` on the words sorted once per text – greedy: each distinct
text not yet grouped gathers every later one alike to it, `process.extract` in C), the groups
stored (`similarity_group`). Then `refresh` again with nothing changed: what every later page pays.

| texts | grouping, best (load) | median | result | unchanged: fingerprint only |
|---|---:|---:|---|---:|
{row("benchmark texts (one small vocabulary: nearly all alike)", alike)}
{row("distinct texts (each comment its own words: nothing groups, every pair compared)", distinct)}

- Worst case **{worst:.2f} s**; target ≤ {TARGET_SECONDS:.0f} s: {verdict}.
- `uptime` at the end of each: `{alike["uptime"]}`; `{distinct["uptime"]}`.

Environment: {environment}.
"""
    replace_section(args.results, "similarity", text)
    print(text)


if __name__ == "__main__":
    main()
