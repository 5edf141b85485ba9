"""Saving the office's assessment with the round."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from remiss.answers.models import AnswerVersion, MeasureComment
from remiss.audit.models import record
from remiss.core.errors import DomainError
from remiss.extensions import db
from remiss.rounds.models import Round
from remiss.summary.models import CommentTheme, ReportText, Theme
from remiss.summary.similarity import counting_version_ids


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def can_edit_assessment(round_: Round) -> bool:
    """The assessment is written once the round is sent, and frozen when it is archived."""
    return round_.assessment_editable


def save_assessment(
    round_: Round,
    *,
    overall: str | None,
    changes: str | None,
    areas: dict[int, str | None],
    measures: dict[int, str | None],
    actor=None,
) -> int:
    """Store the assessment texts (keyed by focus area / measure id) on the round and its rows;
    returns how many texts changed. ``None`` (a field that was not posted) leaves that text as it
    was; an empty text clears it. The caller commits."""
    if round_.is_read_only:
        raise DomainError("Remissen är avslutad. Bedömningen kan inte längre ändras.")
    if not round_.assessment_editable:
        raise DomainError("Bedömningen kan skrivas först när remissen är skickad.")
    changed = 0

    def assign(obj, attribute: str, value: str | None) -> None:
        nonlocal changed
        if value is None:
            return
        value = _clean(value)
        if (getattr(obj, attribute) or "") != value:
            setattr(obj, attribute, value)
            changed += 1

    assign(round_, "assessment", overall)
    assign(round_, "assessment_changes", changes)
    for area in round_.focus_areas:
        if area.id in areas:
            assign(area, "assessment", areas[area.id])
        for measure in area.measures:
            if measure.id in measures:
                assign(measure, "assessment", measures[measure.id])
    if changed:
        record("round.assessment_saved", round_, actor=actor, count=changed)
    return changed


# The report's opening ---------------------------------------------------------------------------
def save_report_intro(round_: Round, intro: str, *, actor=None) -> bool:
    """Store the report's opening as the office edited it; an empty text goes back to the draft
    from the round's facts. Returns whether it changed. The caller commits."""
    if round_.is_read_only:
        raise DomainError("Remissen är avslutad. Redovisningen kan inte längre ändras.")
    intro = _clean(intro)
    stored = db.session.get(ReportText, round_.id)
    if stored is None:
        if not intro:
            return False
        stored = ReportText(round_id=round_.id, intro="")
        db.session.add(stored)
    if stored.intro == intro:
        return False
    stored.intro = intro
    stored.updated_by_id = actor.id if actor is not None else None
    record("report.intro_saved", round_, actor=actor)
    db.session.flush()
    return True


# Themes (kodning) --------------------------------------------------------------------------------
def _themes_editable(round_: Round) -> None:
    if round_.is_read_only:
        raise DomainError("Remissen är avslutad. Teman kan inte längre ändras.")
    if not round_.is_sent:
        raise DomainError("Teman kan sättas först när remissen är skickad.")


def add_theme(round_: Round, name: str, *, actor=None) -> Theme:
    _themes_editable(round_)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Skriv temats namn.")
    existing = db.session.scalar(
        sa.select(Theme).where(Theme.round_id == round_.id, sa.func.lower(Theme.name) == name.lower())
    )
    if existing is not None:
        raise DomainError(f"Temat ”{existing.name}” finns redan.")
    theme = Theme(round_id=round_.id, name=name)
    db.session.add(theme)
    db.session.flush()
    record("theme.added", round_, actor=actor, name=name)
    return theme


def remove_theme(round_: Round, theme: Theme, *, actor=None) -> None:
    _themes_editable(round_)
    if theme.round_id != round_.id:
        raise DomainError("Temat hör inte till remissen.")
    name = theme.name
    db.session.execute(sa.delete(CommentTheme).where(CommentTheme.theme_id == theme.id))
    db.session.delete(theme)
    record("theme.removed", round_, actor=actor, name=name)
    db.session.flush()


def counting_comments(round_: Round, comment_ids) -> list[MeasureComment]:
    """Those of ``comment_ids`` that are comments of this round's versions that count (each
    answer's latest submitted version)."""
    ids = {int(i) for i in comment_ids}
    if not ids:
        return []
    versions = counting_version_ids(round_.id)
    return list(
        db.session.scalars(
            sa.select(MeasureComment)
            .where(MeasureComment.id.in_(ids), MeasureComment.version_id.in_(versions))
            .order_by(MeasureComment.id)
        )
    )


def tag_comments(round_: Round, comment_ids, theme_ids, *, actor=None) -> int:
    """Set the themes of the comments ``comment_ids`` (one, or a group of similar ones) to
    ``theme_ids`` exactly; tags carried from a body's earlier version of the same comment are
    replaced. Returns how many comments were tagged. The caller commits."""
    _themes_editable(round_)
    comments = counting_comments(round_, comment_ids)
    if len(comments) != len({int(i) for i in comment_ids}) or not comments:
        raise DomainError("Synpunkten finns inte bland remissens gällande svar.")
    themes = {
        t.id: t
        for t in db.session.scalars(
            sa.select(Theme).where(Theme.round_id == round_.id, Theme.id.in_(list(theme_ids) or [-1]))
        )
    }
    if len(themes) != len(set(theme_ids)):
        raise DomainError("Temat finns inte i remissen.")
    for comment in comments:
        # This comment's own tags and those of the same body's earlier versions of it.
        same_target = (
            sa.select(MeasureComment.id)
            .join(AnswerVersion, AnswerVersion.id == MeasureComment.version_id)
            .where(
                AnswerVersion.answer_id == comment.version.answer_id,
                MeasureComment.measure_id.is_not_distinct_from(comment.measure_id),
                MeasureComment.focus_area_id.is_not_distinct_from(comment.focus_area_id),
            )
        )
        db.session.execute(sa.delete(CommentTheme).where(CommentTheme.measure_comment_id.in_(same_target)))
        for theme_id in sorted(themes):
            db.session.add(CommentTheme(measure_comment_id=comment.id, theme_id=theme_id))
    target = comments[0].measure or comments[0].focus_area
    record(
        "theme.tagged",
        round_,
        actor=actor,
        count=len(comments),
        target=target.label.lower(),
        themes=", ".join(themes[t].name for t in sorted(themes)) or "inga teman",
    )
    db.session.flush()
    return len(comments)


# The assessment written beside the comments: a three-way merge per text ----------------------------
def text_hash(text: str | None) -> str:
    """What the form carries for each text as it was loaded: a short hash of it."""
    return hashlib.sha256(_clean(text).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Conflict:
    """A text both this officer and someone else changed since the page was loaded."""

    key: str
    label: str
    theirs: str  # as saved by the other officer, now in the database
    yours: str  # as posted


@dataclass
class MergeResult:
    changed: int = 0
    merged: int = 0  # texts someone else had changed meanwhile that were kept
    conflicts: list[Conflict] = field(default_factory=list)


def assessment_targets(round_: Round) -> dict[str, tuple[object, str, str]]:
    """Every assessment text of the round: key → (object, attribute, label)."""
    targets: dict[str, tuple[object, str, str]] = {
        "round": (round_, "assessment", "Stadsledningskontorets bedömning av förslaget som helhet"),
        "changes": (round_, "assessment_changes", "Ändringar i förslaget efter remissen"),
    }
    for area in round_.focus_areas:
        targets[f"area-{area.id}"] = (area, "assessment", f"Bedömning av fokusområde {area.number}")
        for measure in area.measures:
            targets[f"measure-{measure.id}"] = (
                measure,
                "assessment",
                f"Bedömning av {measure.label.lower()}",
            )
    return targets


def merge_assessment(round_: Round, posted: dict[str, tuple[str, str | None]], *, actor=None) -> MergeResult:
    """Save the assessment texts posted from the page beside the comments. ``posted`` maps a
    text's key (see ``assessment_targets``) to (the hash of the text when the page was loaded,
    the text as posted). Per text, three ways: unchanged in the database since loading → the
    posted text is saved; not changed by this officer → the other's text stays; changed by
    both to different texts → nothing is saved for it and it is returned as a ``Conflict`` for
    the officer to choose or combine. The caller commits – or, when there are conflicts, rolls
    back, so that nothing is half-saved while the officer chooses (the form keeps her texts and
    the next save merges them the same way)."""
    if round_.is_read_only:
        raise DomainError("Remissen är avslutad. Bedömningen kan inte längre ändras.")
    if not round_.assessment_editable:
        raise DomainError("Bedömningen kan skrivas först när remissen är skickad.")
    # One writer at a time per round (the row lock is a no-op on SQLite, whose writes are serial).
    db.session.execute(sa.select(Round.id).where(Round.id == round_.id).with_for_update())
    targets = assessment_targets(round_)
    result = MergeResult()
    for key, (base, text) in posted.items():
        if key not in targets or text is None:
            continue
        obj, attribute, label = targets[key]
        current = _clean(getattr(obj, attribute))
        text = _clean(text)
        if text == current:
            continue
        if not base or text_hash(current) == base:  # nobody else changed it (or not checked): ours
            setattr(obj, attribute, text)
            result.changed += 1
        elif text_hash(text) == base:  # only the other officer changed it: theirs stays
            result.merged += 1
        else:
            result.conflicts.append(Conflict(key, label, current, text))
    if result.changed:
        action = "round.assessment_merged" if result.merged or result.conflicts else "round.assessment_saved"
        record(action, round_, actor=actor, count=result.changed)
    db.session.flush()
    return result
