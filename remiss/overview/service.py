"""Reading for the overview: each section is one query, filtered, sorted and paged in SQL, with
a fixed number of queries for the rows of a page however many rounds and bodies there are.

What counts as late, due or answered is the model's (``Recipient.is_overdue(today)``,
``is_due_within``, ``answered_on_time``, ``answered_late``, ``days_answered_late``,
``has_submitted``), in their SQL form here and their Python form in the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from remiss.core.paging import Page, paginate
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds.models import Recipient, Round

PAGE_SIZE = 20
# "Answers due in the coming week": deadlines from today to this many days ahead.
DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class Filters:
    """Rounds sent from ``sent_from`` to ``sent_to`` (both included), and bodies of ``group``,
    of ``kind``, or whose name or short name contains ``name`` (case-insensitively)."""

    sent_from: date | None = None
    sent_to: date | None = None
    group: str | None = None
    kind: OrganisationKind | None = None
    name: str = ""

    @property
    def on_bodies(self) -> bool:
        """Whether the filters pick some bodies out (not only rounds)."""
        return bool(self.group or self.kind or self.name)

    @property
    def any(self) -> bool:
        return bool(self.sent_from or self.sent_to or self.on_bodies)

    def round_conditions(self) -> list:
        conditions = []
        if self.sent_from is not None:
            conditions.append(Round.sent_on >= self.sent_from)
        if self.sent_to is not None:
            conditions.append(Round.sent_on <= self.sent_to)
        return conditions

    def body_conditions(self) -> list:
        conditions = []
        if self.group:
            conditions.append(Organisation.group == self.group)
        if self.kind is not None:
            conditions.append(Organisation.kind == self.kind)
        text = self.name.strip().lower()
        if text:
            # A Unicode lower() on both sides, SQLite included (core.database).
            conditions.append(
                sa.or_(
                    sa.func.lower(Organisation.name).contains(text, autoescape=True),
                    sa.func.lower(Organisation.short_name).contains(text, autoescape=True),
                )
            )
        return conditions


def groups() -> list[str]:
    """The register's groups of bodies, for the filter: one query."""
    return list(
        db.session.scalars(
            sa.select(Organisation.group)
            .where(Organisation.group.is_not(None))
            .distinct()
            .order_by(Organisation.group)
        )
    )


def _recipients(filters: Filters) -> sa.Select:
    """Recipients with their round and organisation joined, narrowed by ``filters``."""
    return (
        sa.select(Recipient)
        .join(Round, Round.id == Recipient.round_id)
        .join(Organisation, Organisation.id == Recipient.organisation_id)
        .where(*filters.round_conditions(), *filters.body_conditions())
    )


def recipient_options() -> tuple:
    """The loader options of recipients' rows: their round and organisation (joined) and their
    answer with its versions (two selectin loads), a fixed number of queries however many rows.
    (Built when a query is, not at import: the mappers are configured by then.)"""
    return (
        sa.orm.contains_eager(Recipient.round),
        sa.orm.contains_eager(Recipient.organisation),
        Recipient.with_answers(),
    )


# Open rounds with their progress --------------------------------------------------------------


@dataclass
class RoundProgress:
    round: Round
    answered: int
    invited: int
    late: int


def open_rounds_query(filters: Filters) -> sa.Select:
    """The open rounds sent in the date range, earliest deadline first; with body filters, only
    the rounds sent to at least one of those bodies."""
    query = (
        sa.select(Round).where(Round.is_open, *filters.round_conditions()).order_by(Round.deadline, Round.id)
    )
    if filters.on_bodies:
        query = query.where(
            Round.id.in_(
                sa.select(Recipient.round_id)
                .join(Organisation, Organisation.id == Recipient.organisation_id)
                .where(*filters.body_conditions())
            )
        )
    return query


def _progress(rounds: list[Round], filters: Filters, today: date) -> list[RoundProgress]:
    """Answered, invited and overdue recipients of ``rounds`` (of the filtered bodies only), in
    one grouped query."""
    ids = [r.id for r in rounds]
    counts = {}
    if ids:
        counts = {
            round_id: (answered, invited, late)
            for round_id, answered, invited, late in db.session.execute(
                sa.select(
                    Recipient.round_id,
                    sa.func.count(Recipient.id).filter(Recipient.has_submitted),
                    sa.func.count(Recipient.id),
                    sa.func.count(Recipient.id).filter(Recipient.is_overdue(today)),
                )
                .join(Organisation, Organisation.id == Recipient.organisation_id)
                .where(Recipient.round_id.in_(ids), *filters.body_conditions())
                .group_by(Recipient.round_id)
            )
        }
    return [RoundProgress(r, *counts.get(r.id, (0, 0, 0))) for r in rounds]


def open_rounds(filters: Filters, today: date, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of ``RoundProgress``: the open rounds with answered/invited/late counts."""
    result = paginate(
        open_rounds_query(filters), page=page, size=size, options=(sa.orm.joinedload(Round.officer),)
    )
    result.items = _progress(result.items, filters, today)
    return result


# Bodies late, answers due -----------------------------------------------------------------------


def late_query(filters: Filters, today: date) -> sa.Select:
    """Recipients whose answer is overdue today (``Recipient.is_overdue``) in every open round,
    the longest overdue first. (Once a round is closed, a missing answer is no longer awaited:
    it counts as not answered in the body's history.)"""
    return (
        _recipients(filters)
        .where(Round.is_open, Recipient.is_overdue(today))
        .order_by(Recipient.effective_deadline, Organisation.name, Round.id, Recipient.id)
    )


def late_bodies(filters: Filters, today: date, page: int = 1, size: int = PAGE_SIZE) -> Page:
    return paginate(late_query(filters, today), page=page, size=size, options=recipient_options())


def due_query(filters: Filters, today: date, days: int = DUE_WITHIN_DAYS) -> sa.Select:
    """Recipients of open rounds without an answer whose deadline (extension included) falls
    from today to ``days`` days ahead (``Recipient.is_due_within``), the nearest first."""
    return (
        _recipients(filters)
        .where(Round.accepts_answers, Recipient.is_due_within(today, days))
        .order_by(Recipient.effective_deadline, Organisation.name, Round.id, Recipient.id)
    )


def due_soon(filters: Filters, today: date, page: int = 1, size: int = PAGE_SIZE) -> Page:
    return paginate(due_query(filters, today), page=page, size=size, options=recipient_options())


# Each body's history of answering -------------------------------------------------------------


@dataclass
class BodyHistory:
    """How one body answered the rounds it received (in the filtered date range): on time, late,
    not at all although its deadline has passed, and still waiting (deadline ahead)."""

    organisation: Organisation
    received: int
    on_time: int
    late: int
    not_answered: int
    average_days_late: float | None  # among its late answers
    max_days_late: int | None

    @property
    def waiting(self) -> int:
        return self.received - self.on_time - self.late - self.not_answered


def history_query(filters: Filters, today: date) -> sa.Select:
    """One row per body that received a round: its counts, most late answers first (then most
    unanswered, then by name). Counted in SQL with the model's checks."""
    late = sa.func.count(Recipient.id).filter(Recipient.answered_late).label("late")
    not_answered = sa.func.count(Recipient.id).filter(Recipient.is_overdue(today)).label("not_answered")
    return (
        sa.select(
            Organisation,
            sa.func.count(Recipient.id).label("received"),
            sa.func.count(Recipient.id).filter(Recipient.answered_on_time).label("on_time"),
            late,
            not_answered,
            # Days late are 0 for an answer on time and NULL without one: their sum and maximum
            # are the late answers' (the average is taken among those in ``_history_rows``).
            sa.func.sum(Recipient.days_answered_late).label("days_late"),
            sa.func.max(Recipient.days_answered_late).label("maximum"),
        )
        .join(Recipient, Recipient.organisation_id == Organisation.id)
        .join(Round, Round.id == Recipient.round_id)
        .where(Recipient.is_invited, *filters.round_conditions(), *filters.body_conditions())
        .group_by(Organisation.id)
        .order_by(late.desc(), not_answered.desc(), Organisation.name, Organisation.id)
    )


def _history_rows(rows) -> list[BodyHistory]:
    return [
        BodyHistory(
            organisation,
            received,
            on_time,
            late,
            not_answered,
            int(days_late) / late if late else None,
            int(maximum) if late else None,
        )
        for organisation, received, on_time, late, not_answered, days_late, maximum in rows
    ]


def body_history(filters: Filters, today: date, page: int = 1, size: int = PAGE_SIZE) -> Page:
    result = paginate(history_query(filters, today), page=page, size=size, scalars=False)
    result.items = _history_rows(result.items)
    return result


def history_of(organisation: Organisation, filters: Filters, today: date) -> BodyHistory:
    """One body's totals (its rounds in the filtered date range)."""
    only = Filters(sent_from=filters.sent_from, sent_to=filters.sent_to)
    row = db.session.execute(history_query(only, today).where(Organisation.id == organisation.id)).first()
    if row is None:
        return BodyHistory(organisation, 0, 0, 0, 0, None, None)
    return _history_rows([row])[0]


def rounds_of(organisation: Organisation, filters: Filters, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the body's recipients (the rounds it received in the date range), the most
    recently sent first."""
    query = (
        sa.select(Recipient)
        .join(Round, Round.id == Recipient.round_id)
        .join(Organisation, Organisation.id == Recipient.organisation_id)
        .where(
            Recipient.organisation_id == organisation.id, Recipient.is_invited, *filters.round_conditions()
        )
        .order_by(Round.sent_on.desc(), Round.id.desc())
    )
    return paginate(query, page=page, size=size, options=recipient_options())


# The whole overview, for the Excel file ---------------------------------------------------------


@dataclass
class Overview:
    """Every row of every section (not paged), read in a fixed number of queries."""

    today: date
    filters: Filters
    rounds: list[RoundProgress]
    late: list[Recipient]
    due: list[Recipient]
    bodies: list[BodyHistory]


def whole_overview(filters: Filters, today: date) -> Overview:
    rounds = list(db.session.scalars(open_rounds_query(filters).options(sa.orm.joinedload(Round.officer))))
    late = list(db.session.scalars(late_query(filters, today).options(*recipient_options())).unique())
    due = list(db.session.scalars(due_query(filters, today).options(*recipient_options())).unique())
    bodies = _history_rows(db.session.execute(history_query(filters, today)))
    return Overview(today, filters, _progress(rounds, filters, today), late, due, bodies)


# Words ------------------------------------------------------------------------------------------


def decimal_text(value: float | None) -> str:
    """One decimal, Swedish comma: ``2,5``; empty for None."""
    if value is None:
        return ""
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")
