"""Reading for rounds: a pasted table of contents (a pure parser), the list of rounds with its
counts, and the officer's start page. What people *do* with a round is in ``operations``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from remiss.core.paging import Page, paginate
from remiss.core.text import join_words, plural
from remiss.core.time import local_today
from remiss.core.types import LabelledEnum
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds.models import AreaKind, MeasureKind, Recipient, Round, RoundStatus

# Paste import ----------------------------------------------------------------------------------
# What a Word document's headings and table of contents give, one line each:
#   Fokusområde 1: Titel · Insats 1:1 Titel · Fråga 3 Titel · Sektion: Titel
#   1. Titel · 1) Titel · 1.1 Titel · 3. Har nämnden …? · Har nämnden …? · • Titel
# with the layout around them: page numbers after dot leaders, tabs or spaces, bullets, tabs.
# The layout is stripped, the titles kept exactly as written.

AREA_TITLE_MAX = 500
MEASURE_TITLE_MAX = 1000


class ReadAs(LabelledEnum):
    """How numbered lines without a keyword are read."""

    AUTO = ("auto", "Avgör efter innehållet")
    MEASURES = ("measures", "Fokusområden och insatser")
    QUESTIONS = ("questions", "Frågor, eventuellt under rubriker")


_BULLET = re.compile(r"^(?:[•·▪■□●○◦‣∙*>]|[-–—](?=\s))\s*")
# A page number at the end: after a tab, a dot leader or several spaces, or (in a line that is
# numbered or has a keyword) after a single space.
_PAGE_AFTER_LEADER = re.compile(
    r"(?:\t|\s*(?:\.\s*){2,}|\s*…{2,}\s*|\s*(?:…\s*){2,}|\s*_{2,}\s*|\s{2,})[\s.…_]*(\d{1,4})\s*$"
)
# A table of contents' own heading.
_CONTENTS_HEADING = re.compile(r"^(?:innehåll|innehållsförteckning)$", re.IGNORECASE)
_PAGE_AFTER_SPACE = re.compile(r"(?<=\S)\s(\d{1,3})$")
_SEP = r"\s*(?:[:.)\-–—]\s*)?"
_KEYWORD_AREA = re.compile(rf"^fokusområde\s+(?P<a>\d{{1,3}}){_SEP}(?P<title>.*)$", re.IGNORECASE)
_KEYWORD_SECTION = re.compile(
    rf"^(?:sektion|avsnitt)(?:\s+(?P<a>\d{{1,3}}))?{_SEP}(?P<title>.*)$", re.IGNORECASE
)
_KEYWORD_MEASURE = re.compile(
    rf"^insats\s+(?P<a>\d{{1,3}})\s*[:.]\s*(?P<b>\d{{1,3}}){_SEP}(?P<title>.*)$", re.IGNORECASE
)
_KEYWORD_QUESTION = re.compile(
    rf"^(?:remiss)?fråga\s+(?P<a>\d{{1,3}})(?:\s*[:.]\s*(?P<b>\d{{1,3}}))?{_SEP}(?P<title>.*)$", re.IGNORECASE
)
_THIRD_LEVEL = re.compile(r"^\d{1,3}[.:]\d{1,3}[.:]\d{1,3}")
_SUB = re.compile(r"^(?P<a>\d{1,3})[.:](?P<b>\d{1,3})(?:[.):]\s*|\s+)(?P<title>\S.*)$")
_TOP = re.compile(r"^(?P<a>\d{1,3})(?:[.):]\s*|\s+)(?P<title>\D.*)$")


@dataclass
class ParsedMeasure:
    line: int
    number: str
    title: str
    kind: MeasureKind

    @property
    def label(self) -> str:
        return f"{self.kind.label} {self.number}"


@dataclass
class ParsedArea:
    line: int
    number: str
    title: str
    measures: list[ParsedMeasure] = field(default_factory=list)
    kind: AreaKind = AreaKind.FOCUS_AREA

    @property
    def label(self) -> str:
        return self.kind.label if self.kind is AreaKind.QUESTIONS else f"{self.kind.label} {self.number}"

    @property
    def heading(self) -> str:
        if self.kind is AreaKind.FOCUS_AREA:
            return f"{self.label}: {self.title}"
        return self.title or self.label

    @property
    def has_heading(self) -> bool:
        return self.kind is not AreaKind.QUESTIONS


@dataclass
class LineReading:
    """One pasted line and what it was read as, for the preview."""

    line: int
    text: str
    reading: str = ""
    problem: str = ""
    note: str = ""


@dataclass
class ParsedStructure:
    areas: list[ParsedArea] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lines: list[LineReading] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.areas) and not self.problems

    @property
    def measure_count(self) -> int:
        """Measures and questions."""
        return sum(len(area.measures) for area in self.areas)

    @property
    def summary(self) -> str:
        """``2 fokusområden, 3 insatser och 4 frågor``."""
        kinds = [m.kind for area in self.areas for m in area.measures]
        parts = []
        counts = [
            (sum(a.kind is AreaKind.FOCUS_AREA for a in self.areas), "fokusområde", "fokusområden"),
            (sum(a.kind is AreaKind.SECTION for a in self.areas), "sektion", "sektioner"),
            (kinds.count(MeasureKind.MEASURE), "insats", "insatser"),
            (kinds.count(MeasureKind.QUESTION), "fråga", "frågor"),
        ]
        parts = [plural(count, one, many) for count, one, many in counts if count]
        return join_words(parts) if parts else "ingenting"


@dataclass
class _Token:
    line: int
    text: str  # as pasted (whitespace tidied), for the preview
    form: str  # area, section, measure, question, top, sub, plain, third
    a: int | None = None
    b: int | None = None
    title: str = ""
    note: str = ""

    @property
    def asks(self) -> bool:
        return self.title.endswith("?")


def _strip_page_number(title: str, numbered: bool) -> tuple[str, str]:
    """The title without a trailing page number, and a note saying what was removed."""
    match = _PAGE_AFTER_LEADER.search(title)
    if match is None and numbered:
        match = _PAGE_AFTER_SPACE.search(title)
    if match is None or not re.search(r"[^\W\d_]", title[: match.start()]):
        return title, ""
    return title[: match.start()].rstrip(), f"sidnummer {match.group(1)} borttaget"


def _tokenise(number: int, raw: str) -> _Token | None:
    text = raw.replace("\u00a0", " ").replace("\u2007", " ").replace("\u202f", " ").strip()
    if not text:
        return None
    shown = " ".join(text.split())
    text = _BULLET.sub("", text, count=1)
    forms = (
        ("area", _KEYWORD_AREA),
        ("section", _KEYWORD_SECTION),
        ("measure", _KEYWORD_MEASURE),
        ("question", _KEYWORD_QUESTION),
        ("sub", _SUB),
        ("top", _TOP),
    )
    if _THIRD_LEVEL.match(text):
        return _Token(number, shown, "third")
    for form, pattern in forms:
        if match := pattern.match(text):
            groups = match.groupdict()
            title, note = _strip_page_number(match["title"], numbered=True)
            return _Token(
                number,
                shown,
                form,
                int(groups["a"]) if groups.get("a") else None,
                int(groups["b"]) if groups.get("b") else None,
                " ".join(title.split()).strip(),
                note,
            )
    title, note = _strip_page_number(text, numbered=False)
    return _Token(number, shown, "plain", title=" ".join(title.split()).strip(), note=note)


def parse_structure(
    text: str,
    existing_area_numbers=(),
    existing_question_numbers=(),
    read_as: ReadAs | str = ReadAs.AUTO,
) -> ParsedStructure:
    """Read a pasted table of contents or list of questions (see the forms above). Blank lines are
    skipped; every line is given its reading, and every line that cannot be read is named by its
    number. Questions keep a number they are given (``Fråga 3``, ``3. …?``) and are otherwise
    numbered on from the last. A pure function: nothing touches the database."""
    read_as = ReadAs(read_as)
    result = ParsedStructure()
    tokens = [t for n, raw in enumerate((text or "").splitlines(), start=1) if (t := _tokenise(n, raw))]
    cue_measures = any(t.form in ("area", "measure") for t in tokens)
    cue_questions = any(t.form in ("question", "section") or t.asks for t in tokens)
    questions_document = read_as is ReadAs.QUESTIONS or (
        read_as is ReadAs.AUTO and cue_questions and not cue_measures
    )

    taken_areas = {str(n) for n in existing_area_numbers}
    taken_questions = {str(n) for n in existing_question_numbers}
    seen_measures: set[str] = set()
    readings: dict[int, LineReading] = {t.line: LineReading(t.line, t.text, note=t.note) for t in tokens}
    unnumbered: list[ParsedArea] = []  # groups numbered once every given number is known
    current: ParsedArea | None = None
    current_refused = False
    current_explicit_area = False  # a "Fokusområde N" heading: may turn out to hold questions

    def problem(token: _Token, what: str) -> None:
        result.problems.append(f"Rad {token.line}: {what}")
        readings[token.line].problem = what

    def read(token: _Token, item) -> None:
        readings[token.line].reading = (
            item.heading if isinstance(item, ParsedArea) else (f"{item.label}: {item.title}")
        )

    def children_of(index: int, parent: int) -> list[_Token]:
        children = []
        for token in tokens[index + 1 :]:
            if token.form in ("sub", "measure") and token.a == parent:
                children.append(token)
            elif token.form in ("area", "section", "top"):
                break
        return children

    def next_is_question(index: int) -> bool:
        for token in tokens[index + 1 :]:
            return (
                token.form == "question"
                or token.asks
                or (questions_document and token.form in ("top", "sub"))
            )
        return False

    def open_area(token: _Token, kind: AreaKind, number: int | None, title: str) -> ParsedArea:
        nonlocal current, current_refused, current_explicit_area
        area = ParsedArea(token.line, str(number) if number is not None else "", title, kind=kind)
        current, current_refused, current_explicit_area = area, False, False
        name = f"{kind.label.lower()} {area.number}".strip()
        if kind is not AreaKind.QUESTIONS and not title:
            problem(token, f"{name} saknar rubrik.")
        elif len(title) > AREA_TITLE_MAX:
            problem(token, f"rubriken är längre än {AREA_TITLE_MAX} tecken.")
        elif area.number and area.number in taken_areas:
            problem(token, f"{name} finns redan.")
        else:
            result.areas.append(area)
            if not area.number:
                unnumbered.append(area)
            read(token, area)
            if area.number:
                taken_areas.add(area.number)
            return area
        current_refused = True
        if area.number:
            taken_areas.add(area.number)
        return area

    def headless(token: _Token) -> ParsedArea:
        return open_area(token, AreaKind.QUESTIONS, None, "")

    def add_question(token: _Token, number: int | None) -> None:
        nonlocal current
        if current is None or (current.kind is AreaKind.FOCUS_AREA and current.measures):
            current = headless(token)
        elif current.kind is AreaKind.FOCUS_AREA:
            current.kind = AreaKind.SECTION  # a focus area heading over questions only
            if not current_refused:
                readings[current.line].reading = current.heading
        if number is None:
            given = [int(n) for n in taken_questions if n.isdigit()]
            number = max(given, default=0) + 1
        question = ParsedMeasure(token.line, str(number), token.title, MeasureKind.QUESTION)
        if not token.title:
            problem(token, f"fråga {number} saknar rubrik.")
        elif len(token.title) > MEASURE_TITLE_MAX:
            problem(token, f"rubriken är längre än {MEASURE_TITLE_MAX} tecken.")
        elif str(number) in taken_questions:
            problem(token, f"fråga {number} finns redan.")
        elif not current_refused:
            current.measures.append(question)
            read(token, question)
        taken_questions.add(str(number))

    def add_measure(token: _Token) -> None:
        number = f"{token.a}:{token.b}"
        label = f"insats {number}"
        if current is None or current.kind is AreaKind.QUESTIONS:
            problem(token, f"{label} står inte under något fokusområde.")
        elif current.kind is not AreaKind.FOCUS_AREA:
            problem(token, f"{label} står under en rubrik med frågor; insatser hör till ett fokusområde.")
        elif str(token.a) != current.number:
            problem(
                token,
                f"{label} hör inte till fokusområde {current.number} "
                f"(numret ska börja med {current.number}:).",
            )
        elif not token.title:
            problem(token, f"{label} saknar rubrik.")
        elif len(token.title) > MEASURE_TITLE_MAX:
            problem(token, f"rubriken är längre än {MEASURE_TITLE_MAX} tecken.")
        elif number in seen_measures:
            problem(token, f"{label} finns redan.")
        elif not current_refused:
            measure = ParsedMeasure(token.line, number, token.title, MeasureKind.MEASURE)
            current.measures.append(measure)
            read(token, measure)
        seen_measures.add(number)

    for index, token in enumerate(tokens):
        if token.form == "area":
            kind = AreaKind.SECTION if read_as is ReadAs.QUESTIONS else AreaKind.FOCUS_AREA
            open_area(token, kind, token.a, token.title)
            current_explicit_area = True
        elif token.form == "section":
            open_area(token, AreaKind.SECTION, token.a, token.title)
        elif token.form == "measure":
            add_measure(token)
        elif token.form == "question":
            add_question(token, token.a if token.b is None else None)
            if token.b is not None:
                readings[token.line].note = f"numrerad {token.a}:{token.b} i texten"
        elif token.form == "top":
            children = children_of(index, token.a)
            if token.asks and not children:
                add_question(token, token.a)
            elif children:
                subs_ask = all(c.asks for c in children)
                if read_as is ReadAs.QUESTIONS or (
                    read_as is ReadAs.AUTO and (subs_ask or questions_document)
                ):
                    open_area(token, AreaKind.SECTION, token.a, token.title)
                else:
                    open_area(token, AreaKind.FOCUS_AREA, token.a, token.title)
            elif read_as is ReadAs.MEASURES or (read_as is ReadAs.AUTO and cue_measures):
                open_area(token, AreaKind.FOCUS_AREA, token.a, token.title)
            else:
                add_question(token, token.a)
        elif token.form == "sub":
            if current is not None and current.kind is AreaKind.FOCUS_AREA and current.number == str(token.a):
                if (
                    current_explicit_area
                    and not current.measures
                    and (read_as is ReadAs.QUESTIONS or (read_as is ReadAs.AUTO and token.asks))
                ):
                    add_question(token, None)
                else:
                    add_measure(token)
            elif current is not None and current.kind is AreaKind.SECTION:
                add_question(token, None)
                readings[token.line].note = f"numrerad {token.a}.{token.b} i texten"
            else:
                problem(token, f"{token.a}.{token.b} står inte under någon rubrik med nummer {token.a}.")
        elif token.form == "third":
            problem(token, "en tredje nivå (t.ex. 1.2.3) läses inte. Ta bort raden eller skriv om den.")
        elif _CONTENTS_HEADING.match(token.title):
            readings[token.line].note = "innehållsförteckningens rubrik"
        elif token.asks:
            add_question(token, None)
        elif next_is_question(index) and token.title:
            open_area(token, AreaKind.SECTION, None, token.title)
        else:
            shown = token.text if len(token.text) <= 60 else token.text[:57] + "…"
            problem(
                token,
                f"”{shown}” kan inte läsas. Skriv ”Fokusområde 1: Rubrik”, ”Insats 1:1 Rubrik”, "
                "”Fråga 1 Rubrik” eller ”1. Rubrik”, eller ta bort raden.",
            )

    # Groups without a number of their own take the next free ones, in order.
    for area in unnumbered:
        given = [int(n) for n in taken_areas if n.isdigit()]
        area.number = str(max(given, default=0) + 1)
        taken_areas.add(area.number)
    result.lines = [readings[t.line] for t in tokens]
    for reading in result.lines:
        if not reading.reading and not reading.problem:
            reading.reading = "hoppas över"
    if not result.areas and not result.problems:
        result.problems.append("Klistra in minst ett fokusområde, en insats eller en fråga.")
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
    counts = answer_counts(r.id for r in result.items)
    result.items = [RoundRow(r, *counts.get(r.id, (0, 0))) for r in result.items]
    return result


def answer_counts(round_ids) -> dict[int, tuple[int, int]]:
    """``{round_id: (answered, invited)}`` for ``round_ids``: how many of each round's bodies
    have submitted an answer, and how many were invited, in one grouped query."""
    ids = list(round_ids)
    if not ids:
        return {}
    return {
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


# The round page's bodies -----------------------------------------------------------------------

RECIPIENTS_PAGE_SIZE = 50


class RecipientFilter(LabelledEnum):
    """Which of a round's bodies the round page's table shows."""

    ALL = ("", "Alla")
    WITHOUT_ACCOUNT = ("utan-konto", "Utan konto")


def _bodies(round_: Round, show: RecipientFilter) -> sa.Select:
    """``round_``'s bodies joined to their organisations; ``show`` keeps only the ones nobody
    of which can sign in yet (``Organisation.has_active_account``)."""
    query = sa.select(Recipient).join(Organisation).where(Recipient.round_id == round_.id)
    if show is RecipientFilter.WITHOUT_ACCOUNT:
        query = query.where(sa.not_(Organisation.has_active_account))
    return query


def recipients_page(
    round_: Round, *, page: int = 1, show: RecipientFilter = RecipientFilter.ALL, with_answers: bool = True
) -> Page:
    """One page of ``round_``'s bodies (``show``) by name, with their organisations and
    (``with_answers``) their answers' versions for the status column: paged in SQL, so that a
    round of 300 bodies shows 50 at a time."""
    return paginate(
        _bodies(round_, show).order_by(Organisation.name, Recipient.id),
        page=page,
        size=RECIPIENTS_PAGE_SIZE,
        options=(
            sa.orm.contains_eager(Recipient.organisation),
            *((Recipient.with_answers(),) if with_answers else ()),
        ),
    )


def without_account(round_: Round, organisation_ids) -> set[int]:
    """Which of ``organisation_ids`` among ``round_``'s bodies nobody can sign in for yet, in
    one query (the badges of a page of ``recipients_page``)."""
    query = _bodies(round_, RecipientFilter.WITHOUT_ACCOUNT).where(
        Recipient.organisation_id.in_(list(organisation_ids))
    )
    return set(db.session.scalars(query.with_only_columns(Recipient.organisation_id)))


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


# Choosing recipients ------------------------------------------------------------------------------


@dataclass
class RecipientChoice:
    """One organisation on the page where the officer chooses the round's recipients."""

    organisation: Organisation
    recipient: Recipient | None  # when it is already a recipient
    chosen: bool  # ticked: already a recipient, or chosen on the page

    @property
    def locked(self) -> bool:
        """A recipient that cannot be removed (it has begun answering): shown ticked, disabled."""
        return self.recipient is not None and not self.recipient.removable

    @property
    def reason(self) -> str | None:
        return self.recipient.why_not_removable if self.recipient is not None else None


@dataclass
class RecipientGroup:
    """A group of the register (``Organisation.register_group``) with its organisations."""

    name: str
    number: int  # 1, 2, 3 … in the page's order, for anchors and ids
    choices: list[RecipientChoice]

    @property
    def selectable(self) -> list[RecipientChoice]:
        """The organisations that "Välj hela gruppen" ticks: all but the locked ones."""
        return [c for c in self.choices if not c.locked]

    @property
    def all_chosen(self) -> bool:
        return all(c.chosen for c in self.choices)


def choosable_organisations(round_: Round) -> list[Organisation]:
    """What the officer can choose from: every active organisation of the register, and every
    organisation that is already a recipient of ``round_`` (one deactivated since stays listed,
    so that it can be removed)."""
    invited = sa.select(Recipient.organisation_id).where(Recipient.round_id == round_.id)
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(sa.or_(Organisation.active.is_(True), Organisation.id.in_(invited)))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def recipient_groups(
    round_: Round, organisations: list[Organisation], chosen_ids: set[int] | None = None
) -> list[RecipientGroup]:
    """``organisations`` grouped as the register groups them: by kind (committees, companies,
    authorities), named groups alphabetically, the kind's own group (a body with no group) last
    in its kind; each group's bodies by name. ``chosen_ids`` are the ticked ones (default: the
    round's recipients); a recipient that cannot be removed is always ticked."""
    recipients = {
        r.organisation_id: r
        for r in db.session.scalars(
            sa.select(Recipient).where(Recipient.round_id == round_.id).options(Recipient.with_answers())
        )
    }
    if chosen_ids is None:
        chosen_ids = set(recipients)
    kinds = list(OrganisationKind)
    by_group: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        by_group.setdefault(organisation.register_group, []).append(organisation)

    def order(item):
        name, members = item
        kind = min(kinds.index(o.kind) for o in members)
        is_kinds_own = name == kinds[kind].group_label
        return (kind, is_kinds_own, name.casefold())

    groups = []
    for number, (name, members) in enumerate(sorted(by_group.items(), key=order), start=1):
        choices = []
        for organisation in sorted(members, key=lambda o: (o.name.casefold(), o.id)):
            recipient = recipients.get(organisation.id)
            locked = recipient is not None and not recipient.removable
            choices.append(
                RecipientChoice(organisation, recipient, chosen=locked or organisation.id in chosen_ids)
            )
        groups.append(RecipientGroup(name, number, choices))
    return groups
