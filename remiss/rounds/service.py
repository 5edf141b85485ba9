"""What officers do with rounds beyond a single model method: read a pasted table of contents,
add and remove recipients, reorder the structure, and load the list of rounds with its counts.
Functions here only add to the session and flush; the view commits once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerVersion
from remiss.core.errors import DomainError
from remiss.core.time import local_today
from remiss.events import recipient_added
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import FocusArea, Measure, MeasureKind, Recipient, Round, RoundStatus

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


def add_structure(round_: Round, parsed: ParsedStructure) -> list[FocusArea]:
    """Append the parsed focus areas and their measures to ``round_``."""
    _require_editable(round_)
    position = max((a.position for a in round_.focus_areas), default=0)
    added = []
    for offset, area in enumerate(parsed.areas, start=1):
        focus_area = FocusArea(number=area.number, title=area.title, position=position + offset)
        for index, measure in enumerate(area.measures, start=1):
            focus_area.measures.append(
                Measure(number=measure.number, title=measure.title, kind=measure.kind, position=index)
            )
        round_.focus_areas.append(focus_area)
        added.append(focus_area)
    db.session.flush()
    return added


# Structure editing -------------------------------------------------------------------------------


def _require_editable(round_: Round) -> None:
    if not round_.is_editable:
        raise DomainError("Strukturen kan bara ändras medan remissen är ett utkast.")


def next_area_number(round_: Round) -> str:
    numbers = [int(a.number) for a in round_.focus_areas if a.number.isdigit()]
    return str(max(numbers, default=0) + 1)


def next_measure_number(area: FocusArea) -> str:
    numbers = [
        int(m.number.rpartition(":")[2]) for m in area.measures if m.number.rpartition(":")[2].isdigit()
    ]
    return f"{area.number}:{max(numbers, default=0) + 1}"


def check_area_number(round_: Round, number: str, area: FocusArea | None = None) -> None:
    if any(a.number == number and a is not area for a in round_.focus_areas):
        raise DomainError(f"Fokusområde {number} finns redan.")


def check_measure_number(area: FocusArea, number: str, measure: Measure | None = None) -> None:
    for other in area.round.measures:
        if other.number == number and other is not measure:
            raise DomainError(f"Nummer {number} finns redan.")


def move(items: list, item, direction: str) -> bool:
    """Swap ``item`` with its neighbour above or below in ``items`` (ordered by position);
    renumber positions 1..n. Returns False when it is already first or last."""
    index = items.index(item)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        return False
    items = list(items)
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    return True


# Recipients --------------------------------------------------------------------------------------


def add_recipient(
    round_: Round, organisation: Organisation, contact_email: str | None, *, now: datetime
) -> Recipient:
    """Invite ``organisation`` to ``round_``. Added to an open round, it is invited at once."""
    if round_.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise DomainError("Remissinstanser kan bara läggas till medan remissen är ett utkast eller öppen.")
    if round_.recipient_for(organisation.id) is not None:
        raise DomainError(f"{organisation.name} är redan remissinstans.")
    recipient = Recipient(
        organisation=organisation, contact_email=(contact_email or organisation.email).strip().lower()
    )
    round_.recipients.append(recipient)
    if round_.status is RoundStatus.OPEN:
        recipient.invited_at = now
    db.session.flush()
    if round_.status is RoundStatus.OPEN:
        recipient_added.send(recipient, now=now)
    return recipient


def has_answered(recipient: Recipient) -> bool:
    """Whether the recipient has begun or sent an answer (any version, draft or submitted)."""
    return recipient.answer is not None and bool(recipient.answer.versions)


def remove_recipient(recipient: Recipient) -> None:
    if recipient.round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise DomainError("Remissinstanser kan bara tas bort medan remissen är ett utkast eller öppen.")
    if has_answered(recipient):
        raise DomainError(
            f"{recipient.organisation.name} har redan börjat svara eller svarat och kan inte tas bort."
        )
    if recipient.answer is not None:
        db.session.delete(recipient.answer)
    recipient.round.recipients.remove(recipient)
    db.session.delete(recipient)
    db.session.flush()


# The list of rounds ------------------------------------------------------------------------------


def _answered_count():
    return (
        sa.select(sa.func.count(sa.distinct(Recipient.id)))
        .join(Answer, Answer.recipient_id == Recipient.id)
        .join(AnswerVersion, AnswerVersion.answer_id == Answer.id)
        .where(Recipient.round_id == Round.id, AnswerVersion.submitted_at.is_not(None))
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
    unread: list[Answer]


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
            sa.orm.selectinload(Recipient.answer).selectinload(Answer.versions),
            sa.orm.joinedload(Recipient.organisation),
            sa.orm.joinedload(Recipient.round),
        )
    ).all()
    overdue = [
        r
        for r in recipients
        if r.latest_submitted is None and r.invited_at is not None and r.deadline < today
    ]
    unread = [r.answer for r in recipients if r.latest_submitted is not None and r.answer.read_at is None]
    overdue.sort(key=lambda r: (r.deadline, r.organisation.name))
    unread.sort(key=lambda a: a.latest_submitted.submitted_at)
    return Attention(overdue, unread)
