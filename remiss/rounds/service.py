"""Reading for rounds: a pasted table of contents (a pure parser), the list of rounds with its
counts, and the officer's start page. What people *do* with a round is in ``operations``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from remiss.core.time import local_today
from remiss.extensions import db
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


def _answered_count():
    return (
        sa.select(sa.func.count(Recipient.id))
        .where(Recipient.round_id == Round.id, Recipient.has_submitted)
        .correlate(Round)
        .scalar_subquery()
    )


def _recipient_count():
    return (
        sa.select(sa.func.count(Recipient.id))
        .where(Recipient.round_id == Round.id)
        .correlate(Round)
        .scalar_subquery()
    )


@dataclass
class RoundRow:
    round: Round
    answered: int
    invited: int


def list_rounds(
    *,
    status: RoundStatus | None = None,
    year: int | None = None,
    officer_id: int | None = None,
    search: str = "",
    newest_deadline_first: bool = False,
) -> list[RoundRow]:
    """Rounds with their answered/invited counts, in one query."""
    query = (
        sa.select(Round, _answered_count(), _recipient_count())
        .options(sa.orm.joinedload(Round.officer))
        .order_by(Round.deadline.desc() if newest_deadline_first else Round.deadline, Round.id)
    )
    if status is not None:
        query = query.where(Round.status == status)
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
    return [RoundRow(r, answered, invited) for r, answered, invited in db.session.execute(query)]


def sent_years() -> list[int]:
    dates = db.session.scalars(sa.select(Round.sent_on).distinct())
    return sorted({d.year for d in dates}, reverse=True)


# The officer's start page ------------------------------------------------------------------------


@dataclass
class Attention:
    overdue: list[Recipient]
    unread: list


def needs_attention(rounds: list[Round], today: date | None = None) -> Attention:
    """Recipients past their deadline without a submitted answer, and submitted answers the
    officer has not marked read, in ``rounds``."""
    today = today or local_today()
    ids = [r.id for r in rounds]
    if not ids:
        return Attention([], [])
    recipients = db.session.scalars(
        sa.select(Recipient)
        .where(Recipient.round_id.in_(ids))
        .options(
            Recipient.with_answers(),
            sa.orm.joinedload(Recipient.organisation),
            sa.orm.joinedload(Recipient.round),
        )
    ).all()
    overdue = [r for r in recipients if r.is_overdue(today)]
    unread = [r.answer for r in recipients if r.is_unread]
    overdue.sort(key=lambda r: (r.effective_deadline, r.organisation.name))
    unread.sort(key=lambda a: a.latest_submitted.submitted_at)
    return Attention(overdue, unread)
