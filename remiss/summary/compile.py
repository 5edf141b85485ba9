"""The summary of a round (sammanställning av remissvar) as plain data.

``compile_summary`` makes every decision: which version counts (the latest submitted one; drafts
never), what is late, what counts as a comment, how rows are ordered, what "Inget svar" means.
The writers (the HTML template and ``write_xlsx``) only format what it returns.

It loads everything in a fixed number of SQL queries, however many recipients, measures and
comments the round has: the round, its structure, the recipients with their answers and
versions, and the comments of the versions that count.

Two ways to have it, one set of decisions:

- ``compile_summary(round)`` → ``Summary``: everything, as plain frozen dataclasses (the page).
- ``stream_summary(round)`` → ``SummaryStream``: the same facts, recipients, counts and other
  comments, and the structure; the comments are read from one streamed query (``yield_per``; a
  server-side cursor on PostgreSQL) one measure at a time through ``SummaryStream.sections()``,
  so what is held at once is one measure's comments, however many the round has (the Excel
  export). ``compile_summary`` is ``stream_summary`` collected."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from remiss.answers.models import Answer, MeasureComment, MeasurePosition, Position
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.organisations.models import OrganisationKind
from remiss.rounds.models import FocusArea, Recipient, Round
from remiss.summary.models import Theme, comment_tags

NO_ANSWER = "Inget svar"
# In the matrix: a body that commented on a measure without taking a position on it.
COMMENTED = "Synpunkt"

_KIND_ORDER = {kind: i for i, kind in enumerate(OrganisationKind)}
_MEASURE_POSITION_LABELS = {p: p.label for p in MeasurePosition}
_MEASURE_POSITIONS = {p.value: p for p in MeasurePosition}  # by the code stored


@dataclass(frozen=True, slots=True)
class RoundFacts:
    id: int
    title: str
    dnr: str
    decision: str
    status: str
    sent_on: date
    deadline: date
    officer: str
    compiled_at: datetime
    assessment: str
    assessment_changes: str


@dataclass(frozen=True, slots=True)
class RecipientSummary:
    organisation: str
    kind: str
    status: str
    answered: bool
    received_on: date | None
    days_late: int | None  # None when there is no answer; 0 when on time
    position: str  # the position's label, or "Inget svar"
    decision: str
    comment: str
    other_comments: str

    @property
    def is_late(self) -> bool:
        return bool(self.days_late)


@dataclass(frozen=True, slots=True)
class Comment:
    """One body's word on a measure or focus area: its position there (may be empty) and text."""

    organisation: str
    position: str
    text: str
    id: int = 0  # the MeasureComment's id (what a theme is tagged on)
    themes: tuple[str, ...] = ()  # the office's themes, in the round's order of themes
    themes_carried: bool = False  # tagged on the body's earlier version of this comment


@dataclass(frozen=True, slots=True)
class ThemeCount:
    """A theme and how many bodies raised it (tagged comments from that many bodies)."""

    id: int
    name: str
    bodies: int


def theme_counts(themes: tuple[tuple[int, str], ...], comments) -> tuple[ThemeCount, ...]:
    """The themes raised in ``comments`` with the number of distinct bodies, in the round's order."""
    raised: dict[str, set[str]] = {}
    for comment in comments:
        for name in comment.themes:
            raised.setdefault(name, set()).add(comment.organisation)
    return tuple(ThemeCount(tid, name, len(raised[name])) for tid, name in themes if name in raised)


@dataclass(frozen=True, slots=True)
class MeasureSummary:
    id: int
    number: str
    title: str
    kind: str
    assessment: str
    assent: int
    reject: int
    commented: int  # bodies that wrote a comment, whatever their position
    comments: tuple[Comment, ...]
    # Per recipient, in the order of ``Summary.recipients``: the position label, "Synpunkt" or "".
    matrix: tuple[str, ...]
    # A question (remissfråga): answered in text, no position. Its ``comments`` are the answers
    # (organisation, text); ``commented`` is how many bodies answered it; assent/reject are 0.
    is_question: bool = False
    themes: tuple[ThemeCount, ...] = ()  # the themes raised on it, with how many bodies

    @property
    def label(self) -> str:
        """``Insats 1:2`` or ``Fråga 3``."""
        return f"{self.kind} {self.number}"

    @property
    def answered(self) -> int:
        """How many bodies answered the question (wrote something)."""
        return self.commented


@dataclass(frozen=True, slots=True)
class FocusAreaSummary:
    id: int
    number: str
    title: str
    assessment: str
    comments: tuple[Comment, ...]  # on the focus area as a whole
    measures: tuple[MeasureSummary, ...]
    kind: str = "focus_area"  # AreaKind value: focus_area, section, questions (no heading)

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def holds_questions(self) -> bool:
        return self.kind != "focus_area"

    @property
    def has_heading(self) -> bool:
        return self.kind != "questions"


@dataclass(frozen=True, slots=True)
class PositionCount:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Counts:
    invited: int
    answered: int
    on_time: int
    late: int
    no_answer: int
    positions: tuple[PositionCount, ...]  # every position, then "Inget svar"


@dataclass(frozen=True, slots=True)
class OtherComment:
    organisation: str
    text: str


@dataclass(frozen=True, slots=True)
class Summary:
    round: RoundFacts
    recipients: tuple[RecipientSummary, ...]
    counts: Counts
    focus_areas: tuple[FocusAreaSummary, ...]
    other_comments: tuple[OtherComment, ...]
    # Every theme of the round with how many bodies raised it anywhere (0 when none yet).
    themes: tuple[ThemeCount, ...] = ()

    @property
    def measures(self) -> tuple[MeasureSummary, ...]:
        return tuple(m for area in self.focus_areas for m in area.measures)

    @property
    def asks_questions(self) -> bool:
        return any(area.holds_questions for area in self.focus_areas)

    @property
    def lists_measures(self) -> bool:
        return any(not area.holds_questions for area in self.focus_areas)


_SWEDISH = str.maketrans({"å": "{", "ä": "|", "ö": "}"})  # after z, in Swedish order


def swedish_key(text: str) -> str:
    """Sort key for Swedish names: å, ä, ö after z; other accents ignored (é as e)."""
    folded = text.casefold().translate(_SWEDISH)
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class MeasureOutline:
    """A measure as the draft has it, before its comments are read."""

    id: int
    number: str
    title: str
    kind: str
    assessment: str
    is_question: bool = False


@dataclass(frozen=True, slots=True)
class FocusAreaOutline:
    id: int
    number: str
    title: str
    assessment: str
    measures: tuple[MeasureOutline, ...]
    kind: str = "focus_area"  # AreaKind value

    @property
    def holds_questions(self) -> bool:
        return self.kind != "focus_area"

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the streamed summary, in the draft's order: a focus area as a whole
    (``measure`` None, ``comments`` on the area) or one of its measures."""

    area: FocusAreaOutline
    measure: MeasureSummary | None
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class SummaryStream:
    """The summary with its comments still in the database: ``sections()`` reads them once, in
    order, one measure at a time (consume it fully or close it before the next query)."""

    round: RoundFacts
    recipients: tuple[RecipientSummary, ...]
    counts: Counts
    areas: tuple[FocusAreaOutline, ...]
    other_comments: tuple[OtherComment, ...]
    _sections: Callable[[], Iterator[Section]]
    themes: tuple[ThemeCount, ...] = ()

    def sections(self) -> Iterator[Section]:
        return self._sections()

    @property
    def measure_count(self) -> int:
        return sum(len(a.measures) for a in self.areas)

    def collect(self) -> Summary:
        areas: list[FocusAreaSummary] = []
        area_comments: tuple[Comment, ...] = ()
        measures: list[MeasureSummary] = []
        current: FocusAreaOutline | None = None

        def close() -> None:
            if current is not None:
                areas.append(
                    FocusAreaSummary(
                        id=current.id,
                        number=current.number,
                        title=current.title,
                        assessment=current.assessment,
                        comments=area_comments,
                        measures=tuple(measures),
                        kind=current.kind,
                    )
                )

        for section in self.sections():
            if section.measure is None:
                close()
                current, area_comments, measures = section.area, section.comments, []
            else:
                measures.append(section.measure)
        close()
        return Summary(
            round=self.round,
            recipients=self.recipients,
            counts=self.counts,
            focus_areas=tuple(areas),
            other_comments=self.other_comments,
            themes=self.themes,
        )


def compile_summary(round_or_id: Round | int, now: datetime | None = None) -> Summary:
    """The summary of one round. Raises ``LookupError`` when there is no such round."""
    return stream_summary(round_or_id, now).collect()


# How many comment rows are fetched from the database at a time while streaming.
STREAM_BATCH = 2000


def stream_summary(round_or_id: Round | int, now: datetime | None = None) -> SummaryStream:
    """The summary of one round with its comments streamed (see the module's docstring).
    Raises ``LookupError`` when there is no such round."""
    round_id = round_or_id.id if isinstance(round_or_id, Round) else int(round_or_id)
    session = db.session

    # 1: the round and its responsible officer.
    round_ = session.scalar(sa.select(Round).options(joinedload(Round.officer)).where(Round.id == round_id))
    if round_ is None:
        raise LookupError(f"Remiss {round_id} finns inte.")
    # 2–3: the structure, in the draft's order.
    area_rows = session.scalars(
        sa.select(FocusArea)
        .where(FocusArea.round_id == round_id)
        .order_by(FocusArea.position, FocusArea.id)
        .options(selectinload(FocusArea.measures))
    ).all()
    areas = tuple(
        FocusAreaOutline(
            id=area.id,
            number=area.number,
            title=area.title,
            assessment=area.assessment or "",
            kind=area.kind.value,
            measures=tuple(
                MeasureOutline(
                    id=m.id,
                    number=m.number,
                    title=m.title,
                    kind=m.kind.label,
                    assessment=m.assessment or "",
                    is_question=m.is_question,
                )
                for m in sorted(area.measures, key=lambda m: (m.position, m.id))
            ),
        )
        for area in area_rows
    )
    # 4–5: the recipients with their organisation, answer and every version of it.
    recipients = session.scalars(
        sa.select(Recipient)
        .where(Recipient.round_id == round_id)
        .options(
            joinedload(Recipient.organisation),
            joinedload(Recipient.answer).selectinload(Answer.versions),
        )
    ).all()
    recipients = sorted(
        recipients,
        key=lambda r: (_KIND_ORDER[r.organisation.kind], swedish_key(r.organisation.name), r.id),
    )
    # The version that counts: the latest submitted one (the model's rule); drafts never.
    counting = {r.id: r.latest_submitted for r in recipients}
    order = {r.id: i for i, r in enumerate(recipients)}
    # version id -> the recipient's place in the order of ``recipients``
    version_index = {v.id: order[rid] for rid, v in counting.items() if v is not None}
    names = tuple(r.organisation.name for r in recipients)

    recipient_rows = []
    for recipient in recipients:
        version = counting[recipient.id]
        answered = version is not None
        recipient_rows.append(
            RecipientSummary(
                organisation=recipient.organisation.name,
                kind=recipient.organisation.kind.label,
                status=recipient.status_text,
                answered=answered,
                # When the answer reached the office, and how late: its first receipt (the
                # model's rule; a correction asked for later does not make it late).
                received_on=recipient.first_received_on,
                days_late=recipient.days_answered_late,
                position=version.position.label if answered and version.position else NO_ANSWER,
                decision=version.decision_text if answered else "",
                comment=(version.comment or "").strip() if answered else "",
                other_comments=(version.other_comments or "").strip() if answered else "",
            )
        )

    answered = [r for r in recipient_rows if r.answered]
    positions = [PositionCount(p.label, sum(1 for r in answered if r.position == p.label)) for p in Position]
    no_answer = len(recipient_rows) - len(answered)
    counts = Counts(
        invited=len(recipient_rows),
        answered=len(answered),
        on_time=sum(1 for r in answered if not r.is_late),
        late=sum(1 for r in answered if r.is_late),
        no_answer=no_answer,
        positions=(*positions, PositionCount(NO_ANSWER, no_answer)),
    )

    facts = RoundFacts(
        id=round_.id,
        title=round_.title,
        dnr=round_.dnr,
        decision=round_.decision or "",
        status=round_.status.label,
        sent_on=round_.sent_on,
        deadline=round_.deadline,
        officer=round_.officer.name if round_.officer is not None else "",
        compiled_at=now or utcnow(),
        assessment=round_.assessment or "",
        assessment_changes=round_.assessment_changes or "",
    )

    # 6–7: the round's themes and the tags of the comments that count.
    theme_rows = session.execute(
        sa.select(Theme.id, Theme.name).where(Theme.round_id == round_id).order_by(Theme.id)
    ).all()
    themes = tuple((tid, name) for tid, name in theme_rows)
    theme_names = dict(themes)
    tags = comment_tags(session, version_index) if themes else {}
    by_version = {v.id: names[version_index[v.id]] for v in counting.values() if v is not None}
    raised: dict[int, set[str]] = {}
    if tags:
        for comment_id, version_id in session.execute(
            sa.select(MeasureComment.id, MeasureComment.version_id).where(MeasureComment.id.in_(list(tags)))
        ):
            for theme_id in tags[comment_id][0]:
                raised.setdefault(theme_id, set()).add(by_version[version_id])
    round_themes = tuple(ThemeCount(tid, name, len(raised.get(tid, ()))) for tid, name in themes)

    def sections() -> Iterator[Section]:
        yield from _sections(session, areas, version_index, names, tags, theme_names)

    return SummaryStream(
        round=facts,
        recipients=tuple(recipient_rows),
        counts=counts,
        areas=areas,
        other_comments=tuple(
            OtherComment(r.organisation, r.other_comments) for r in recipient_rows if r.other_comments
        ),
        _sections=sections,
        themes=round_themes,
    )


# (recipient's index, position, text, comment id)
_Entry = tuple[int, MeasurePosition | None, str, int]


def _sections(
    session,
    areas,
    version_index: dict[int, int],
    names: tuple[str, ...],
    tags: dict[int, tuple[tuple[int, ...], bool]] | None = None,
    theme_names: dict[int, str] | None = None,
) -> Iterator[Section]:
    """6: the comments of the versions that count, in one query ordered as the draft is (each
    focus area as a whole, then its measures), streamed in batches and grouped per measure."""
    slots: list[tuple[FocusAreaOutline, MeasureOutline | None]] = []
    for area in areas:
        slots.append((area, None))
        slots.extend((area, m) for m in area.measures)
    area_slot = {area.id: i for i, (area, m) in enumerate(slots) if m is None}
    measure_slot = {m.id: i for i, (_a, m) in enumerate(slots) if m is not None}

    groups: Iterator[tuple[int, Iterator]] = iter(())
    result = None
    if version_index and slots:
        slot = sa.case(
            measure_slot or {-1: -1},
            value=MeasureComment.measure_id,
            else_=sa.case(area_slot, value=MeasureComment.focus_area_id, else_=-1),
        )
        # Plain rows through the session's connection (same transaction, no ORM row processing),
        # the position as its stored code.
        result = session.connection().execute(
            sa.select(
                slot,
                MeasureComment.version_id,
                sa.type_coerce(MeasureComment.position, sa.String),
                MeasureComment.text,
                MeasureComment.id,
            )
            .where(MeasureComment.version_id.in_(list(version_index)))
            .order_by(slot)
            .execution_options(yield_per=STREAM_BATCH)
        )
        groups = groupby(result, key=lambda row: row[0])
    try:
        pending = next(groups, None)
        for i, (area, measure) in enumerate(slots):
            while pending is not None and pending[0] < i:  # a comment on nothing of this round
                pending = next(groups, None)
            entries: list[_Entry] = []
            if pending is not None and pending[0] == i:
                for _slot, version_id, code, text, comment_id in pending[1]:
                    position = _MEASURE_POSITIONS[code] if code else None
                    text = (text or "").strip()
                    if position is None and not text:
                        continue  # an empty row says nothing
                    entries.append((version_index[version_id], position, text, comment_id))
                pending = next(groups, None)
            entries.sort(key=lambda e: e[0])
            comments = tuple(
                _comment(names[index], p, text, cid, tags, theme_names) for index, p, text, cid in entries
            )
            if measure is None:
                yield Section(area, None, comments)
                continue
            matrix = [""] * len(names)
            for index, position, _text, _id in entries:
                matrix[index] = _MEASURE_POSITION_LABELS[position] if position else COMMENTED
            summary = MeasureSummary(
                id=measure.id,
                number=measure.number,
                title=measure.title,
                kind=measure.kind,
                assessment=measure.assessment,
                assent=sum(1 for e in entries if e[1] is MeasurePosition.ASSENT),
                reject=sum(1 for e in entries if e[1] is MeasurePosition.REJECT),
                commented=sum(1 for e in entries if e[2]),
                comments=comments,
                matrix=tuple(matrix),
                is_question=measure.is_question,
                themes=theme_counts(tuple(theme_names.items()), comments) if theme_names else (),
            )
            yield Section(area, summary, comments)
    finally:
        if result is not None:
            result.close()


def _comment(organisation, position, text, comment_id, tags, theme_names) -> Comment:
    label = _MEASURE_POSITION_LABELS[position] if position else ""
    tagged = tags.get(comment_id) if tags else None
    if not tagged:
        return Comment(organisation, label, text, comment_id)
    theme_ids, carried = tagged
    return Comment(
        organisation,
        label,
        text,
        comment_id,
        tuple(theme_names[t] for t in theme_ids if t in theme_names),
        carried,
    )
