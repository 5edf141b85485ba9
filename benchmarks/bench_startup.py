"""Start-up before and after a change, side by side in one run (issue 18).

    .venv/bin/python benchmarks/bench_startup.py --before <commit> [--runs 7]

Exports ``--before`` (``git archive``) into a temporary folder and times, alternately in the
same run, that tree and this working tree: ``flask --app app --help`` (the CLI's start-up: every
``flask`` command pays it) and ``python -c "from app import app"`` (what a gunicorn worker or the
job worker imports). Each run is a fresh process with ``PYTHONPATH`` set to its tree; the 1-minute
load average (``/proc/loadavg``) is read before each. Prints a Markdown table of the best and the
median wall time, the best CPU time, and the load beside the best, for benchmarks/RESULTS.md.
Not a test: the machine is shared, so only figures taken side by side compare."""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
FLASK = PYTHON.parent / "flask"
GIT = shutil.which("git") or "git"
COMMANDS = {
    "`flask --app app --help`": [str(FLASK), "--app", "app", "--help"],
    '`python -c "from app import app"`': [str(PYTHON), "-c", "from app import app"],
}


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return float("nan")


def export(revision: str, folder: Path) -> Path:
    archive = subprocess.run(  # noqa: S603 (git, our own arguments)
        [GIT, "archive", "--format=tar", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def timed(command: list[str], tree: Path, env: dict) -> dict:
    load = load_average()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} in {tree} failed:\n{result.stdout}\n{result.stderr}")
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "load": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True, help="the commit to compare with (e.g. main)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="remiss-bench-startup-"))
    trees = {f"before ({args.before})": export(args.before, folder / "before"), "after (this tree)": ROOT}
    base = {key: value for key, value in os.environ.items() if not key.startswith("REMISS_")}
    results: dict[tuple[str, str], list[dict]] = {}
    for tree in trees.values():  # once each, untimed: byte-compiled files written
        for command in COMMANDS.values():
            env = {
                **base,
                "PYTHONPATH": str(tree),
                "REMISS_SECRET_KEY": "bench",
                "REMISS_INSTANCE_PATH": str(folder),
            }
            timed(command, tree, env)
    for run in range(args.runs):
        order = list(trees.items()) if run % 2 == 0 else list(reversed(trees.items()))
        for name, command in COMMANDS.items():
            for label, tree in order:
                env = {
                    **base,
                    "PYTHONPATH": str(tree),
                    "REMISS_SECRET_KEY": "bench",
                    "REMISS_INSTANCE_PATH": str(folder),
                }
                results.setdefault((name, label), []).append(timed(command, tree, env))

    print(
        f"Written by `benchmarks/bench_startup.py` on {time.strftime('%Y-%m-%d %H:%M')} UTC, "
        f"{args.runs} runs each, alternating.\n"
    )
    print("| command | tree | best wall (load) | median wall | best CPU | load, all runs |")
    print("|---|---|---:|---:|---:|---|")
    for (name, label), runs in results.items():
        best = min(runs, key=lambda r: r["wall"])
        loads = ", ".join(f"{r['load']:.1f}" for r in runs)
        print(
            f"| {name} | {label} | {best['wall']:.2f} s ({best['load']:.2f}) | "
            f"{statistics.median(r['wall'] for r in runs):.2f} s | "
            f"{min(r['cpu'] for r in runs):.2f} s | {loads} |"
        )


if __name__ == "__main__":
    main()
