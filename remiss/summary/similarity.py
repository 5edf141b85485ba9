"""Similar answers grouped: comments on the same measure (or focus area) that say nearly the
same thing – identical texts, or lightly edited ones, as the four social committees often send –
shown as one group with the bodies that sent them and how alike they are.

``group_texts`` is the pure part (rapidfuzz's ``token_sort_ratio``, greedy: each comment not yet
in a group leads a new one and gathers every later comment at least ``THRESHOLD`` alike to it).
``round_groups`` is what pages ask for: the groups of a round's comments that count, computed once
per change of the answers and memoised in ``SimilarityCache`` under a fingerprint of the versions
that count (a new or corrected answer changes it); a page that finds the fingerprint unchanged
reads one row."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from rapidfuzz import fuzz, process, utils
from sqlalchemy.exc import IntegrityError

from remiss.answers.models import Answer, AnswerVersion, MeasureComment
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.rounds.models import Recipient
from remiss.summary.models import SimilarityCache, SimilarityGroup

# How alike two comments must be (0–100, token_sort_ratio: lower-cased, punctuation-free text
# with its words in sorted order, compared by normalised Indel distance).
THRESHOLD = 85
# Texts shorter than this are never grouped ("Inga synpunkter." says nothing to group).
MIN_LENGTH = 20
ALGORITHM = f"token_sort_ratio/{THRESHOLD}/{MIN_LENGTH}/3"


@dataclass(frozen=True, slots=True)
class Group:
    """Comments (their ids, in the order given) that say nearly the same thing; ``similarity``
    is the lowest likeness (percent) of a member to the group's first comment."""

    comment_ids: tuple[int, ...]
    similarity: int


def _normalise(text: str) -> str:
    """Lower case, punctuation gone, the words in sorted order: the same words in another order
    or with other punctuation are the same text (what ``token_sort_ratio`` compares)."""
    return " ".join(sorted(utils.default_process(text).split()))


def group_texts(items: Sequence[tuple[int, str]], threshold: int = THRESHOLD) -> list[Group]:
    """Groups of two or more of ``items`` ((id, text)) that are at least ``threshold`` alike:
    identical texts (after ``_normalise``) at once, then each distinct text not yet in a group
    gathers every later one at least ``threshold`` alike (``fuzz.ratio`` on the normalised texts,
    i.e. rapidfuzz's ``token_sort_ratio``, compared in C by ``process.extract``)."""
    same: dict[str, list[int]] = {}
    for item_id, text in items:
        if text and len(text) >= MIN_LENGTH:
            normalised = _normalise(text)
            if len(normalised) >= MIN_LENGTH:
                same.setdefault(normalised, []).append(item_id)
    texts = list(same)
    order = {item_id: k for k, (item_id, _t) in enumerate(items)}
    taken = [False] * len(texts)
    groups: list[Group] = []
    for i, text in enumerate(texts):
        if taken[i]:
            continue
        taken[i] = True
        ids = list(same[text])
        lowest = 100
        rest = {j: texts[j] for j in range(i + 1, len(texts)) if not taken[j]}
        if rest:
            for _text, score, j in process.extract(
                text, rest, scorer=fuzz.ratio, score_cutoff=threshold, limit=None, processor=None
            ):
                taken[j] = True
                ids.extend(same[texts[j]])
                lowest = min(lowest, int(score))
        if len(ids) > 1:
            groups.append(Group(tuple(sorted(ids, key=order.__getitem__)), lowest))
    return groups


def counting_version_ids(round_id: int) -> list[int]:
    """The ids of the versions that count (each answer's latest submitted one), in one query."""
    latest = (
        sa.select(AnswerVersion.answer_id, sa.func.max(AnswerVersion.number).label("number"))
        .join(Answer, Answer.id == AnswerVersion.answer_id)
        .join(Recipient, Recipient.id == Answer.recipient_id)
        .where(Recipient.round_id == round_id, AnswerVersion.submitted_at.is_not(None))
        .group_by(AnswerVersion.answer_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(AnswerVersion.id)
            .join(
                latest,
                sa.and_(
                    AnswerVersion.answer_id == latest.c.answer_id, AnswerVersion.number == latest.c.number
                ),
            )
            .order_by(AnswerVersion.id)
        )
    )


def fingerprint(version_ids: Sequence[int]) -> str:
    text = ALGORITHM + ":" + ",".join(str(v) for v in sorted(version_ids))
    return hashlib.sha256(text.encode()).hexdigest()


def target_key(measure_id: int | None, focus_area_id: int | None) -> str:
    """How a measure (``m12``) or a focus area as a whole (``a3``) is named in the cache."""
    return f"m{measure_id}" if measure_id is not None else f"a{focus_area_id}"


def compute_groups(version_ids: Sequence[int]) -> dict[str, list[list]]:
    """Every target's groups: {target_key: [[comment ids…], similarity], …}."""
    per_target: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if version_ids:
        rows = db.session.execute(
            sa.select(
                MeasureComment.measure_id,
                MeasureComment.focus_area_id,
                MeasureComment.id,
                MeasureComment.text,
            )
            .where(MeasureComment.version_id.in_(list(version_ids)))
            .order_by(MeasureComment.id)
        )
        for measure_id, area_id, comment_id, text in rows:
            if text and len(text) >= MIN_LENGTH:
                per_target[target_key(measure_id, area_id)].append((comment_id, text))
    result: dict[str, list[list]] = {}
    for key, items in per_target.items():
        groups = group_texts(items)
        if groups:
            result[key] = [[list(g.comment_ids), g.similarity] for g in groups]
    return result


def refresh(round_id: int) -> bool:
    """Make the stored groups those of the answers that count now: computed again (and stored;
    the caller commits) only when the fingerprint of the counting versions changed. Returns
    whether they were computed."""
    version_ids = counting_version_ids(round_id)
    key = fingerprint(version_ids)
    cache = db.session.get(SimilarityCache, round_id)
    if cache is not None and cache.fingerprint == key:
        return False
    groups = compute_groups(version_ids)
    rows = [
        {"round_id": round_id, "target": target, "similarity": similarity, "comment_ids": ids}
        for target, target_groups in groups.items()
        for ids, similarity in target_groups
    ]
    try:
        with db.session.begin_nested():
            db.session.execute(sa.delete(SimilarityGroup).where(SimilarityGroup.round_id == round_id))
            if rows:
                db.session.execute(sa.insert(SimilarityGroup), rows)
            if cache is None:
                cache = SimilarityCache(round_id=round_id)
                db.session.add(cache)
            cache.fingerprint = key
            cache.computed_at = utcnow()
    except IntegrityError:
        # Another request stored the same groups at the same moment: theirs are read.
        return False
    return True


def round_groups(round_id: int, targets: Sequence[str] | None = None) -> dict[str, list[Group]]:
    """The similar-answer groups per target (all, or those of ``targets``), fresh: computed
    first if the answers changed since the last time (see ``refresh``)."""
    refresh(round_id)
    query = sa.select(SimilarityGroup).where(SimilarityGroup.round_id == round_id)
    if targets is not None:
        query = query.where(SimilarityGroup.target.in_(list(targets)))
    result: dict[str, list[Group]] = defaultdict(list)
    for group in db.session.scalars(query.order_by(SimilarityGroup.id)):
        result[group.target].append(Group(tuple(group.comment_ids), group.similarity))
    return dict(result)
