"""SQL expressions that each database writes its own way, for the models' ``hybrid_property``s.

``days_between(later, earlier)``: the whole days from ``earlier`` to ``later`` (two ``DATE``
expressions), as an integer, negative when ``later`` is before ``earlier`` – what
``(later - earlier).days`` is in Python. PostgreSQL subtracts dates into an integer; SQLite keeps
dates as ISO text and counts through ``julianday``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class days_between(FunctionElement):  # noqa: N801 - used like the SQL function it stands for
    """``days_between(later, earlier)``: ``(later - earlier).days`` in SQL (NULL if either is)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)})"
        " AS INTEGER)"
    )


# Searching text ------------------------------------------------------------------------------------
#
# The searches find a word anywhere in a title or a case number: ``lower(column) LIKE '%word%'``.
# No ordinary index serves a pattern that starts with ``%``, so at 10,000 rounds every search read
# and lowered every title (6–8 ms a word on PostgreSQL alone, many times that under load). On
# PostgreSQL a trigram index (the ``pg_trgm`` extension, which the database's owner may create
# since PostgreSQL 13) serves it. SQLite has none and scans: its ``lower()`` is our own Python
# function (``core.database``), which no index can use.

TRIGRAM_EXTENSION = sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def trigram_index(name: str, column: sa.Column) -> sa.Index:
    """A PostgreSQL index for ``lower(column) LIKE '%…%'`` (GIN, trigrams); none on SQLite."""
    label = f"{column.name}_lowered"
    return sa.Index(
        name,
        sa.func.lower(column).label(label),
        postgresql_using="gin",
        postgresql_ops={label: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")
