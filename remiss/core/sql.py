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
