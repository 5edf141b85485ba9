"""Pages bounded by what they show: a list is filtered, sorted and paged in SQL (``LIMIT`` /
``OFFSET``), and its count is one ``SELECT count(*)`` that loads no rows. A page's query count
and size therefore do not grow with the database; only the page size bounds it.

``paginate(query, page=…, size=…)`` runs a SQLAlchemy ``select`` as one page;
``page_number()`` reads ``?page=`` from the request. The template macro ``_pagination.html``
shows the Swedish navigation: «Föregående · Sida 2 av 5 · Nästa»."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app, request

from remiss.extensions import db

DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000


def page_number(name: str = "page") -> int:
    """The page asked for in the query string, 1 when missing or unreadable."""
    value = request.args.get(name, 1, type=int) or 1
    return min(max(value, 1), MAX_PAGE)


def page_size(default: int) -> int:
    """``default``, unless the app's ``PAGE_SIZE`` setting sets every list's page size (the
    tests compare a small and a large database at a small page size)."""
    return current_app.config.get("PAGE_SIZE") or default


def count_of(query: sa.Select) -> int:
    """How many rows ``query`` would return, counted by the database without loading them."""
    counted = query.order_by(None).limit(None).offset(None)
    counted = counted.with_only_columns(*counted.selected_columns[:1], maintain_column_froms=True)
    return db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery())) or 0


@dataclass
class Page:
    """One page of a list: its ``items``, which page it is (from 1), the page size, and the
    count of the whole list."""

    items: list[Any]
    number: int
    size: int
    total: int
    extra: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """The 1-based position of the page's first item in the whole list (0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def paginate(
    query: sa.Select,
    *,
    page: int = 1,
    size: int = DEFAULT_PAGE_SIZE,
    count_query: sa.Select | None = None,
    scalars: bool = True,
    options=(),
) -> Page:
    """Page ``page`` (from 1; past the end means the last page) of ``query`` in ``size`` rows.
    ``query`` must be fully ordered (end with a unique column) for pages not to overlap.
    ``count_query`` counts instead of ``query`` (without its extra columns, say); ``scalars``
    False returns rows of several columns; ``options`` are loader options for the page only."""
    size = page_size(size)
    total = count_of(count_query if count_query is not None else query)
    pages = max(math.ceil(total / size), 1)
    number = min(max(page, 1), pages)
    paged = query.limit(size).offset((number - 1) * size)
    if options:
        paged = paged.options(*options)
    result = db.session.execute(paged)
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, number=number, size=size, total=total)
