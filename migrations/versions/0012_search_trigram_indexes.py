"""trigram indexes for the searches of rounds (PostgreSQL): a word anywhere in a title, a case number or a body's name

The register's and the rounds list's searches test ``lower(title) LIKE '%word%'`` (and the same
for the case number, and the register for the invited bodies' names). No B-tree index serves a
pattern that starts with ``%``, so each search lowered every title: 6–8 ms a word at 10,000
rounds on PostgreSQL alone, and a third of the database's time in the load test. A GIN index of
trigrams (``pg_trgm``) on ``lower(title)`` and ``lower(dnr)`` serves it; on the bodies' names it
also gives the planner statistics of the lowered names, so that a word found in most bodies is
joined by hashing, not one body at a time (40 → 16 ms for a body invited to nearly every round).
The extension is trusted since PostgreSQL 13: a role with the CREATE privilege on the database
(its owner has it) may create it. When it is missing and cannot be made, the upgrade stops with
a message saying what an administrator runs once (``CREATE EXTENSION pg_trgm;``), and changes
nothing. SQLite gets nothing: its ``lower()`` is the app's own Python function, which no index
can use, and it scans.

Downgrading drops the indexes and leaves the extension, which other objects may use.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 17:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_round_title_trigram": ("round", "title"),
    "ix_round_dnr_trigram": ("round", "dnr"),
    "ix_organisation_name_trigram": ("organisation", "name"),
    "ix_organisation_short_name_trigram": ("organisation", "short_name"),
}


NOT_INSTALLED = (
    "Sökindexen behöver PostgreSQL-tillägget pg_trgm, som inte finns på databasservern. "
    "Installera det (Debian: paketet postgresql-contrib, som följer med postgresql) och kör sedan "
    "flask --app app db upgrade igen."
)
NOT_ALLOWED = (
    "Sökindexen behöver PostgreSQL-tillägget pg_trgm, och databasrollen får inte skapa det ({reason}). "
    "Be en administratör köra CREATE EXTENSION pg_trgm; i databasen en gång och kör sedan "
    "flask --app app db upgrade igen."
)


def _create_extension(bind) -> None:
    """pg_trgm in the database, or a message of what to do (the upgrade then stops, and its
    transaction leaves the database as it was)."""
    if bind.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")):
        return
    if not bind.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")):
        raise RuntimeError(NOT_INSTALLED)
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION pg_trgm"))
    except sa.exc.ProgrammingError as error:  # insufficient privilege
        raise RuntimeError(NOT_ALLOWED.format(reason=str(error.orig).splitlines()[0])) from error


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _create_extension(bind)
    for name, (table, column) in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (lower({column}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
