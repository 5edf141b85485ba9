"""The page beside the comments: one focus area (or the draft as a whole with the other
comments) with every comment on it, its themes and similar-answer groups, and the office's
assessment written right there.

``load_part`` reads what one such page shows and no more – the part's comments, their tags and
groups – plus the counts of every focus area (one grouped query), so what it loads grows with
the part shown, not with the round's comments elsewhere. Filters (body, position, theme) narrow
the comments shown; the counts stay those of all."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from remiss.answers.models import Answer, AnswerVersion, MeasureComment, MeasurePosition, Position
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds.models import FocusArea, Measure, Recipient, Round
from remiss.summary.compile import ThemeCount, swedish_key
from remiss.summary.models import Theme, comment_tags
from remiss.summary.similarity import counting_version_ids, round_groups, target_key

WHOLE = "helhet"  # the part for the draft as a whole and the other comments
NO_POSITION = "ingen"  # the position filter for comments that take none
_KIND_ORDER = {kind: i for i, kind in enumerate(OrganisationKind)}


@dataclass(frozen=True, slots=True)
class Filters:
    body: int | None = None  # recipient id
    position: str = ""  # a MeasurePosition code, NO_POSITION or ""
    theme: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.body or self.position or self.theme)

    def accepts(self, comment: AreaComment) -> bool:
        if self.body and comment.recipient_id != self.body:
            return False
        if self.position == NO_POSITION and comment.position_code:
            return False
        if self.position and self.position != NO_POSITION and comment.position_code != self.position:
            return False
        return not (self.theme and self.theme not in comment.theme_ids)


@dataclass(frozen=True, slots=True)
class AreaComment:
    id: int
    recipient_id: int
    organisation: str
    position_code: str
    position: str
    text: str
    theme_ids: tuple[int, ...]
    themes: tuple[str, ...]
    carried: bool


@dataclass(frozen=True, slots=True)
class GroupView:
    comments: tuple[AreaComment, ...]
    similarity: int

    @property
    def ids(self) -> str:
        return ",".join(str(c.id) for c in self.comments)

    @property
    def theme_ids(self) -> tuple[int, ...]:
        """The themes every member has (what a tag form for the group starts from)."""
        common = set(self.comments[0].theme_ids)
        for c in self.comments[1:]:
            common &= set(c.theme_ids)
        return tuple(sorted(common))


@dataclass(slots=True)
class ItemView:
    """A measure, question, or the focus area as a whole, with what was said on it."""

    key: str  # the assessment field: measure-12, area-3
    anchor: str
    heading: str
    title: str
    assessment: str
    is_question: bool = False
    number: str = ""
    kind: str = ""
    assent: int = 0
    reject: int = 0
    commented: int = 0
    total: int = 0  # comments before filtering
    themes: tuple[ThemeCount, ...] = ()
    groups: list[GroupView] = field(default_factory=list)
    singles: list[AreaComment] = field(default_factory=list)

    @property
    def shown(self) -> int:
        return len(self.singles) + sum(len(g.comments) for g in self.groups)


@dataclass(frozen=True, slots=True)
class AreaCount:
    part: str
    label: str
    title: str
    measures: int
    assent: int
    reject: int
    comments: int


@dataclass(frozen=True, slots=True)
class WholeAnswer:
    organisation: str
    position: str
    comment: str
    other_comments: str


@dataclass
class PartPage:
    round: Round
    part: str
    area: FocusArea | None
    items: list[ItemView]
    counts: list[AreaCount]
    themes: list[ThemeCount]
    bodies: list[tuple[int, str]]
    filters: Filters
    answers: list[WholeAnswer] = field(default_factory=list)  # the whole part only

    @property
    def title(self) -> str:
        if self.area is None:
            return "Förslaget som helhet och övriga synpunkter"
        return self.area.heading  # "Fokusområde 2: Titel", or a section by its title


def _bodies(round_id: int, version_ids: list[int]):
    """(version id, recipient id, organisation, kind) of the versions that count, in the
    summary's order."""
    rows = db.session.execute(
        sa.select(AnswerVersion.id, Recipient.id, Organisation.name, Organisation.kind)
        .join(Answer, Answer.id == AnswerVersion.answer_id)
        .join(Recipient, Recipient.id == Answer.recipient_id)
        .join(Organisation, Organisation.id == Recipient.organisation_id)
        .where(AnswerVersion.id.in_(version_ids or [-1]))
    ).all()
    return sorted(rows, key=lambda r: (_KIND_ORDER[r[3]], swedish_key(r[2]), r[1]))


def _area_counts(round_id: int, version_ids: list[int], areas: list[FocusArea]) -> list[AreaCount]:
    """Per focus area: measures, positions and comments on it (one grouped query)."""
    area_of = sa.func.coalesce(Measure.focus_area_id, MeasureComment.focus_area_id)
    has_text = sa.func.length(sa.func.trim(MeasureComment.text)) > 0
    rows = db.session.execute(
        sa.select(
            area_of,
            sa.func.sum(sa.case((MeasureComment.position == MeasurePosition.ASSENT, 1), else_=0)),
            sa.func.sum(sa.case((MeasureComment.position == MeasurePosition.REJECT, 1), else_=0)),
            sa.func.sum(sa.case((has_text, 1), else_=0)),
        )
        .select_from(MeasureComment)
        .outerjoin(Measure, Measure.id == MeasureComment.measure_id)
        .where(MeasureComment.version_id.in_(version_ids or [-1]))
        .group_by(area_of)
    ).all()
    by_area = {area_id: (a or 0, r or 0, c or 0) for area_id, a, r, c in rows}
    return [
        AreaCount(
            str(area.id),
            area.label,  # "Fokusområde 2", "Sektion 1" or "Frågor"
            area.title,
            len(area.measures),
            *by_area.get(area.id, (0, 0, 0)),
        )
        for area in areas
    ]


def load_part(round_: Round, part: str, filters: Filters = Filters(), *, groups: bool = True) -> PartPage:  # noqa: B008
    """What the page of ``part`` (a focus area's id, or ``WHOLE``) shows; ``groups``: with the
    similar-answer groups (computed first when the answers changed). Raises LookupError when
    the round has no such part."""
    areas = list(
        db.session.scalars(
            sa.select(FocusArea)
            .where(FocusArea.round_id == round_.id)
            .order_by(FocusArea.position, FocusArea.id)
            .options(selectinload(FocusArea.measures))
        )
    )
    area = None
    if part != WHOLE:
        area = next((a for a in areas if str(a.id) == part), None)
        if area is None:
            raise LookupError(part)
    version_ids = counting_version_ids(round_.id)
    bodies = _bodies(round_.id, version_ids)
    names = {v: (rid, name) for v, rid, name, _kind in bodies}
    order = {rid: i for i, (_v, rid, _n, _k) in enumerate(bodies)}
    themes = list(
        db.session.execute(
            sa.select(Theme.id, Theme.name).where(Theme.round_id == round_.id).order_by(Theme.id)
        )
    )
    theme_names = dict(themes)
    page = PartPage(
        round=round_,
        part=part,
        area=area,
        items=[],
        counts=_area_counts(round_.id, version_ids, areas),
        themes=_round_theme_counts(version_ids, themes, names),
        bodies=[(rid, name) for _v, rid, name, _k in bodies],
        filters=filters,
    )
    if area is None:
        page.answers = _whole_answers(version_ids, names, order)
        return page

    measures = sorted(area.measures, key=lambda m: (m.position, m.id))
    items: dict[str, ItemView] = {
        target_key(None, area.id): ItemView(
            key=f"area-{area.id}",
            anchor=f"omrade-{area.id}",
            heading=f"{area.label} som helhet",
            title=area.title,
            assessment=area.assessment or "",
            number=area.number,
        )
    }
    for m in measures:
        items[target_key(m.id, None)] = ItemView(
            key=f"measure-{m.id}",
            anchor=f"insats-{m.id}",
            heading=f"{m.kind.label} {m.number}",
            title=m.title,
            assessment=m.assessment or "",
            is_question=m.kind.value == "question",
            number=m.number,
            kind=m.kind.label,
        )
    rows = db.session.execute(
        sa.select(
            MeasureComment.id,
            MeasureComment.version_id,
            MeasureComment.measure_id,
            MeasureComment.focus_area_id,
            sa.type_coerce(MeasureComment.position, sa.String),
            MeasureComment.text,
        ).where(
            MeasureComment.version_id.in_(version_ids or [-1]),
            sa.or_(
                MeasureComment.measure_id.in_([m.id for m in measures] or [-1]),
                MeasureComment.focus_area_id == area.id,
            ),
        )
    ).all()
    tags = comment_tags(db.session, version_ids, [r[0] for r in rows])
    labels = {p.value: p.label for p in MeasurePosition}
    per_item: dict[str, list[AreaComment]] = {key: [] for key in items}
    for comment_id, version_id, measure_id, area_id, code, text in rows:
        text = (text or "").strip()
        if not code and not text:
            continue
        recipient_id, organisation = names[version_id]
        theme_ids, carried = tags.get(comment_id, ((), False))
        theme_ids = tuple(t for t in theme_ids if t in theme_names)
        per_item[target_key(measure_id, area_id)].append(
            AreaComment(
                comment_id,
                recipient_id,
                organisation,
                code or "",
                labels.get(code, "") if code else "",
                text,
                theme_ids,
                tuple(theme_names[t] for t in theme_ids),
                carried,
            )
        )
    similar = round_groups(round_.id, list(items)) if groups else {}
    for key, item in items.items():
        comments = sorted(per_item[key], key=lambda c: order.get(c.recipient_id, 0))
        item.total = len(comments)
        item.assent = sum(1 for c in comments if c.position_code == MeasurePosition.ASSENT.value)
        item.reject = sum(1 for c in comments if c.position_code == MeasurePosition.REJECT.value)
        item.commented = sum(1 for c in comments if c.text)
        raised: dict[int, set[int]] = {}
        for c in comments:
            for t in c.theme_ids:
                raised.setdefault(t, set()).add(c.recipient_id)
        item.themes = tuple(ThemeCount(t, n, len(raised[t])) for t, n in themes if t in raised)
        shown = [c for c in comments if filters.accepts(c)]
        grouped: set[int] = set()
        for g in similar.get(key, []):
            members = tuple(c for c in shown if c.id in set(g.comment_ids))
            if len(members) > 1:
                item.groups.append(GroupView(members, g.similarity))
                grouped.update(c.id for c in members)
        item.singles = [c for c in shown if c.id not in grouped]
    page.items = [item for item in items.values() if item.total or item.key.startswith("measure")]
    return page


def _round_theme_counts(version_ids, themes, names) -> list[ThemeCount]:
    """Every theme of the round and how many bodies raised it (from the tags, not the comments)."""
    if not themes:
        return []
    tags = comment_tags(db.session, version_ids)
    raised: dict[int, set[int]] = {}
    if tags:
        for comment_id, version_id in db.session.execute(
            sa.select(MeasureComment.id, MeasureComment.version_id).where(MeasureComment.id.in_(list(tags)))
        ):
            for t in tags[comment_id][0]:
                raised.setdefault(t, set()).add(names[version_id][0])
    return [ThemeCount(t, n, len(raised.get(t, ()))) for t, n in themes]


def _whole_answers(version_ids, names, order) -> list[WholeAnswer]:
    labels = {p: p.label for p in Position}
    rows = db.session.execute(
        sa.select(
            AnswerVersion.id, AnswerVersion.position, AnswerVersion.comment, AnswerVersion.other_comments
        ).where(AnswerVersion.id.in_(version_ids or [-1]))
    ).all()
    rows = sorted(rows, key=lambda r: order.get(names[r[0]][0], 0))
    return [
        WholeAnswer(names[v][1], labels.get(p, ""), (c or "").strip(), (o or "").strip())
        for v, p, c, o in rows
        if (c or "").strip() or (o or "").strip() or p
    ]
