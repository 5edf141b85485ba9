"""A consistent copy of the database while the app keeps running (``flask --app app backup FILE``).

SQLite: the online backup API copies the database page by page inside one read transaction, so
the copy is the database as it was at one instant even while others write (WAL mode lets them
go on). The copy is written next to the target and renamed into place only when it passes
``PRAGMA integrity_check``. PostgreSQL has its own tool for this: ``pg_dump``."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


class BackupError(Exception):
    """Why no backup was made, in Swedish."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    tables: dict[str, int]


def backup(engine: sa.Engine, target: Path) -> BackupReport:
    """Copy the database behind ``engine`` to ``target`` (which must not exist)."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(postgresql_advice(url))
    source = url.database
    if not source or source == ":memory:":
        raise BackupError("Databasen finns bara i minnet och kan inte säkerhetskopieras.")
    target = Path(target).absolute()
    if target.exists():
        raise BackupError(f"{target} finns redan. Välj ett nytt filnamn.")
    if target.resolve() == Path(source).resolve():
        raise BackupError("Säkerhetskopian kan inte skrivas över själva databasen.")
    if not target.parent.is_dir():
        raise BackupError(f"Mappen {target.parent} finns inte.")

    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(source)) as src:
            src.execute("PRAGMA busy_timeout = 10000")
            with contextlib.closing(sqlite3.connect(partial)) as dst:
                src.backup(dst)  # all pages in one step: one consistent snapshot
                dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
                tables = check(dst)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"Säkerhetskopieringen misslyckades: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(path=target, size=target.stat().st_size, tables=tables)


def check(connection: sqlite3.Connection) -> dict[str, int]:
    """Run SQLite's integrity check on a copy; return the number of rows per table."""
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        problems = "; ".join(row[0] for row in result[:5])
        raise BackupError(f"Kopian klarade inte integritetskontrollen: {problems}")
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def postgresql_advice(url: sa.URL) -> str:
    safe = sa.URL.create(  # without the password
        "postgresql", username=url.username, host=url.host, port=url.port, database=url.database
    )
    return (
        "Databasen är PostgreSQL. Säkerhetskopiera den med PostgreSQL:s eget verktyg pg_dump, "
        f"som ger en konsekvent kopia medan tjänsten används, till exempel:\n"
        f"  pg_dump --format=custom --file=remiss.dump '{safe.render_as_string(hide_password=False)}'\n"
        "och återställ med pg_restore. Glöm inte mappen med uppladdade filer (UPLOAD_FOLDER)."
    )
