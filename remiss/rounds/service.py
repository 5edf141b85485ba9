"""Reading for rounds: a pasted table of contents (a pure parser), the list of rounds with its
counts, and the officer's start page. What people *do* with a round is in ``operations``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from remiss.core.paging import Page, paginate
from remiss.core.time import local_today
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import MeasureKind, Recipient, Round, RoundStatus

# Paste import ----------------------------------------------------------------------------------

# Between a number and its title: a colon, a dash of any length, a full stop, or only spaces.
_SEPARATOR = r"\s*(?:[:.\-–—]\s*)?"
_AREA_LINE = re.compile(rf"^fokusområde\s+(?P<number>\d{{1,3}}){_SEPARATOR}(?P<title>.*)$", re.IGNORECASE)
_MEASURE_LINE = re.compile(
    rf"^(?P<kind>insats|remissfråga|fråga)\s+(?P<area>\d{{1,3}})\s*[:.]\s*(?P<number>\d{{1,3}})"
    rf"{_SEPARATOR}(?P<title>.*)$",
    re.IGNORECASE,
)
AREA_TITLE_MAX = 500
MEASURE_TITLE_MAX = 1000


@dataclass
class ParsedMeasure:
    line: int
    number: str
    title: str
    kind: MeasureKind


@dataclass
class ParsedArea:
    line: int
    number: str
    title: str
    measures: list[ParsedMeasure] = field(default_factory=list)


@dataclass
class ParsedStructure:
    areas: list[ParsedArea] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.areas) and not self.problems

    @property
    def measure_count(self) -> int:
        return sum(len(area.measures) for area in self.areas)


def parse_structure(text: str, existing_area_numbers=()) -> ParsedStructure:
    """Read a pasted table of contents: ``Fokusområde 2: Titel``, ``Insats 2:1 Titel``,
    ``Fråga 1:1 Titel``, one a line. Blank lines are skipped; every line that cannot be read is
    named by its number. A pure function: nothing touches the database."""
    result = ParsedStructure()
    taken_areas = {str(n) for n in existing_area_numbers}
    seen_measures: set[str] = set()
    current: ParsedArea | None = None

    def problem(number: int, what: str) -> None:
        result.problems.append(f"Rad {number}: {what}")

    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = " ".join(raw.replace("\u00a0", " ").split())
        if not line:
            continue
        if match := _AREA_LINE.match(line):
            area_number = str(int(match["number"]))
            title = match["title"].strip()
            # A refused focus area still heads its lines, so they are checked but not added.
            current = ParsedArea(number, area_number, title)
            if not title:
                problem(number, f"fokusområde {area_number} saknar rubrik.")
            elif len(title) > AREA_TITLE_MAX:
                problem(number, f"rubriken är längre än {AREA_TITLE_MAX} tecken.")
            elif area_number in taken_areas:
                problem(number, f"fokusområde {area_number} finns redan.")
            else:
                result.areas.append(current)
            taken_areas.add(area_number)
            continue
        if match := _MEASURE_LINE.match(line):
            kind = MeasureKind.MEASURE if match["kind"].lower() == "insats" else MeasureKind.QUESTION
            label = kind.label.lower()
            measure_number = f"{int(match['area'])}:{int(match['number'])}"
            title = match["title"].strip()
            if current is None:
                problem(number, f"{label} {measure_number} står inte under något fokusområde.")
            elif str(int(match["area"])) != current.number:
                problem(
                    number,
                    f"{label} {measure_number} hör inte till fokusområde {current.number} "
                    f"(numret ska börja med {current.number}:).",
                )
            elif not title:
                problem(number, f"{label} {measure_number} saknar rubrik.")
            elif len(title) > MEASURE_TITLE_MAX:
                problem(number, f"rubriken är längre än {MEASURE_TITLE_MAX} tecken.")
            elif measure_number in seen_measures:
                problem(number, f"{label} {measure_number} finns redan.")
            else:
                current.measures.append(ParsedMeasure(number, measure_number, title, kind))
            seen_measures.add(measure_number)
            continue
        shown = line if len(line) <= 60 else line[:57] + "…"
        problem(
            number,
            f"”{shown}” kan inte läsas. Skriv ”Fokusområde 1: Rubrik”, ”Insats 1:1 Rubrik” "
            "eller ”Fråga 1:1 Rubrik”.",
        )
    if not result.areas and not result.problems:
        result.problems.append("Klistra in minst ett fokusområde.")
    return result


# The list of rounds ------------------------------------------------------------------------------


@dataclass
class RoundRow:
    round: Round
    answered: int
    invited: int


ROUNDS_PAGE_SIZE = 50


def rounds_query(
    *,
    status: RoundStatus | None = None,
    year: int | None = None,
    officer_id: int | None = None,
    search: str = "",
    newest_deadline_first: bool = False,
    open_only: bool = False,
) -> sa.Select:
    """The rounds matching the filters, sorted; filtered and sorted in SQL. ``search`` matches
    the case number or title, case-insensitively (a Unicode ``lower()`` on both sides, also on
    SQLite: ``core.database``)."""
    query = sa.select(Round).order_by(
        Round.deadline.desc() if newest_deadline_first else Round.deadline,
        Round.id.desc() if newest_deadline_first else Round.id,
    )
    if status is not None:
        query = query.where(Round.status == status)
    if open_only:
        query = query.where(Round.is_open)
    if year is not None:
        query = query.where(Round.sent_on >= date(year, 1, 1), Round.sent_on < date(year + 1, 1, 1))
    if officer_id is not None:
        query = query.where(Round.officer_id == officer_id)
    search = search.strip().lower()
    if search:
        query = query.where(
            sa.or_(
                sa.func.lower(Round.dnr).contains(search, autoescape=True),
                sa.func.lower(Round.title).contains(search, autoescape=True),
            )
        )
    return query


def list_rounds(*, page: int = 1, size: int = ROUNDS_PAGE_SIZE, **filters) -> Page:
    """One page of the rounds matching ``filters`` (see ``rounds_query``) as ``RoundRow``s with
    their answered/invited counts: a count, the page, and the counts of the page's rounds in
    one grouped query, whatever the database holds (the counts are not computed for the rows
    an ``OFFSET`` skips)."""
    result = paginate(
        rounds_query(**filters), page=page, size=size, options=(sa.orm.joinedload(Round.officer),)
    )
    ids = [r.id for r in result.items]
    counts = {}
    if ids:
        counts = {
            round_id: (answered, invited)
            for round_id, answered, invited in db.session.execute(
                sa.select(
                    Recipient.round_id,
                    sa.func.count(Recipient.id).filter(Recipient.has_submitted),
                    sa.func.count(Recipient.id),
                )
                .where(Recipient.round_id.in_(ids))
                .group_by(Recipient.round_id)
            )
        }
    result.items = [RoundRow(r, *counts.get(r.id, (0, 0))) for r in result.items]
    return result


def sent_years() -> list[int]:
    """The years rounds were sent in, newest first: one row a year, counted in SQL."""
    year = sa.extract("year", Round.sent_on)
    years = db.session.scalars(sa.select(year).where(Round.sent_on.is_not(None)).distinct())
    return sorted({int(y) for y in years if y is not None}, reverse=True)


# The officer's start page ------------------------------------------------------------------------

ATTENTION_LIMIT = 50


@dataclass
class Attention:
    overdue: list[Recipient]
    unread: list
    overdue_total: int = 0
    unread_total: int = 0


def needs_attention(officer_id: int, today: date | None = None, limit: int = ATTENTION_LIMIT) -> Attention:
    """In the open rounds of officer ``officer_id``: recipients past their deadline without a
    submitted answer (earliest deadline first), and submitted answers not marked read (oldest
    first). Each list is selected, sorted and cut at ``limit`` in SQL, with its full count."""
    # The answers area sits above rounds: reach its models through the relationships.
    Answer = Recipient.answer.property.mapper.class_
    AnswerVersion = Answer.versions.property.mapper.class_
    today = today or local_today()
    # The officer's open rounds first (an index on officer_id), then their recipients.
    in_own_open_round = Recipient.round_id.in_(
        sa.select(Round.id).where(Round.officer_id == officer_id, Round.is_open)
    )
    overdue_query = (
        sa.select(Recipient)
        .join(Organisation, Organisation.id == Recipient.organisation_id)
        .where(in_own_open_round, Recipient.is_overdue(today))
        .order_by(Recipient.effective_deadline, Organisation.name, Recipient.id)
    )
    last_submitted = (
        sa.select(sa.func.max(AnswerVersion.submitted_at))
        .where(AnswerVersion.answer_id == Answer.id)
        .correlate(Answer)
        .scalar_subquery()
    )
    unread_query = (
        sa.select(Answer)
        .join(Recipient, Recipient.id == Answer.recipient_id)
        .where(in_own_open_round, Recipient.has_submitted, Answer.read_at.is_(None))
        .order_by(last_submitted, Answer.id)
    )
    recipient_options = (
        Recipient.with_answers(),
        sa.orm.joinedload(Recipient.organisation),
        sa.orm.joinedload(Recipient.round),
    )
    overdue = paginate(overdue_query, size=limit, options=recipient_options)
    unread = paginate(
        unread_query,
        size=limit,
        options=(
            sa.orm.selectinload(Answer.versions),
            sa.orm.joinedload(Answer.recipient).options(
                sa.orm.joinedload(Recipient.organisation), sa.orm.joinedload(Recipient.round)
            ),
        ),
    )
    return Attention(overdue.items, unread.items, overdue.total, unread.total)
