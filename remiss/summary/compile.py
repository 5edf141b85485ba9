"""The summary of a round (sammanställning av remissvar) as plain data.

``compile_summary`` makes every decision: which version counts (the latest submitted one; drafts
never), what is late, what counts as a comment, how rows are ordered, what "Inget svar" means.
The writers (the HTML template and ``write_xlsx``) only format what it returns.

It loads everything in a fixed number of SQL queries, however many recipients, measures and
comments the round has: the round, its structure, the recipients with their answers and
versions, and the comments of the versions that count."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from remiss.answers.models import Answer, MeasureComment, MeasurePosition, Position
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.organisations.models import OrganisationKind
from remiss.rounds.models import FocusArea, Recipient, Round

NO_ANSWER = "Inget svar"
# In the matrix: a body that commented on a measure without taking a position on it.
COMMENTED = "Synpunkt"

_KIND_ORDER = {kind: i for i, kind in enumerate(OrganisationKind)}
_MEASURE_POSITION_LABELS = {p: p.label for p in MeasurePosition}


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


@dataclass(frozen=True, slots=True)
class FocusAreaSummary:
    id: int
    number: str
    title: str
    assessment: str
    comments: tuple[Comment, ...]  # on the focus area as a whole
    measures: tuple[MeasureSummary, ...]

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"


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

    @property
    def measures(self) -> tuple[MeasureSummary, ...]:
        return tuple(m for area in self.focus_areas for m in area.measures)


_SWEDISH = str.maketrans({"å": "{", "ä": "|", "ö": "}"})  # after z, in Swedish order


def swedish_key(text: str) -> str:
    """Sort key for Swedish names: å, ä, ö after z; other accents ignored (é as e)."""
    folded = text.casefold().translate(_SWEDISH)
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


def compile_summary(round_or_id: Round | int, now: datetime | None = None) -> Summary:
    """The summary of one round. Raises ``LookupError`` when there is no such round."""
    round_id = round_or_id.id if isinstance(round_or_id, Round) else int(round_or_id)
    session = db.session

    # 1: the round and its responsible officer.
    round_ = session.scalar(sa.select(Round).options(joinedload(Round.officer)).where(Round.id == round_id))
    if round_ is None:
        raise LookupError(f"Remiss {round_id} finns inte.")
    # 2–3: the structure, in the draft's order.
    areas = session.scalars(
        sa.select(FocusArea)
        .where(FocusArea.round_id == round_id)
        .order_by(FocusArea.position, FocusArea.id)
        .options(selectinload(FocusArea.measures))
    ).all()
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
    version_owner = {v.id: rid for rid, v in counting.items() if v is not None}

    # 6: the comments of the versions that count, as plain rows (there can be tens of thousands).
    rows = []
    if version_owner:
        rows = session.execute(
            sa.select(
                MeasureComment.version_id,
                MeasureComment.measure_id,
                MeasureComment.focus_area_id,
                MeasureComment.position,
                MeasureComment.text,
            ).where(MeasureComment.version_id.in_(list(version_owner)))
        ).all()

    order = {r.id: i for i, r in enumerate(recipients)}
    names = [r.organisation.name for r in recipients]
    by_measure: dict[int, list[tuple[int, MeasurePosition | None, str]]] = {}
    by_area: dict[int, list[tuple[int, MeasurePosition | None, str]]] = {}
    for version_id, measure_id, area_id, position, text in rows:
        text = (text or "").strip()
        if position is None and not text:
            continue  # an empty row says nothing
        index = order[version_owner[version_id]]
        target = by_measure.setdefault(measure_id, []) if measure_id else by_area.setdefault(area_id, [])
        target.append((index, position, text))

    def comments(entries) -> tuple[Comment, ...]:
        return tuple(
            Comment(names[i], _MEASURE_POSITION_LABELS[p] if p else "", text)
            for i, p, text in sorted(entries)
        )

    focus_areas = []
    for area in areas:
        measures = []
        for measure in area.measures:
            entries = by_measure.get(measure.id, [])
            matrix = [""] * len(recipients)
            for i, position, _text in entries:
                matrix[i] = _MEASURE_POSITION_LABELS[position] if position else COMMENTED
            measures.append(
                MeasureSummary(
                    id=measure.id,
                    number=measure.number,
                    title=measure.title,
                    kind=measure.kind.label,
                    assessment=measure.assessment or "",
                    assent=sum(1 for _, p, _ in entries if p is MeasurePosition.ASSENT),
                    reject=sum(1 for _, p, _ in entries if p is MeasurePosition.REJECT),
                    commented=sum(1 for _, _, text in entries if text),
                    comments=comments(entries),
                    matrix=tuple(matrix),
                )
            )
        focus_areas.append(
            FocusAreaSummary(
                id=area.id,
                number=area.number,
                title=area.title,
                assessment=area.assessment or "",
                comments=comments(by_area.get(area.id, [])),
                measures=tuple(measures),
            )
        )

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
                received_on=version.received_on if answered else None,
                days_late=(version.days_late or 0) if answered else None,
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
    return Summary(
        round=facts,
        recipients=tuple(recipient_rows),
        counts=counts,
        focus_areas=tuple(focus_areas),
        other_comments=tuple(
            OtherComment(r.organisation, r.other_comments) for r in recipient_rows if r.other_comments
        ),
    )
