"""What the office adds to a round's answers while it writes the report: themes (kodning) and the
comments tagged with them, the report's opening paragraph as edited, and the similar-answer
groups as last computed.

A tag belongs to one comment (``MeasureComment``) of one version of an answer: the comment that
counted when the officer tagged it. A correction (a new submitted version) makes new comment
rows; their tags are carried by target – the tags of the same body's latest tagged comment on the
same measure or focus area count for the new comment until an officer tags the new one (which
then replaces the older tags). The received versions themselves are never changed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column

from remiss.answers.models import Answer, AnswerVersion, MeasureComment
from remiss.core.time import utcnow
from remiss.core.types import UTCDateTime
from remiss.extensions import db

THEME_NAME_MAX = 200


class Theme(db.Model):
    """A point several bodies may raise ("Resursbehov"), defined by the office for one round."""

    __tablename__ = "theme"
    __table_args__ = (sa.UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(THEME_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Theme {self.name!r}>"


class CommentTheme(db.Model):
    """One comment tagged with one theme."""

    __tablename__ = "comment_theme"

    measure_comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measure_comment.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportText(db.Model):
    """The report's opening paragraph as the office edited it (drafted from the round's facts
    until then)."""

    __tablename__ = "report_text"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    intro: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class SimilarityCache(db.Model):
    """When a round's similar-answer groups were last computed, and the fingerprint of the
    answers they were computed from (the ids of the versions that counted): they are computed
    again only when an answer changes."""

    __tablename__ = "similarity_cache"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SimilarityGroup(db.Model):
    """Comments on one measure (``target`` ``m12``) or focus area (``a3``) that say nearly the
    same thing, with the lowest likeness (percent) of a member to the first; a page reads only
    the groups of the targets it shows."""

    __tablename__ = "similarity_group"
    __table_args__ = (sa.Index("ix_similarity_group_round_id_target", "round_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(sa.String(20))
    similarity: Mapped[int]
    comment_ids: Mapped[list] = mapped_column(sa.JSON, default=list)


def comment_tags(session, version_ids, comment_ids=None) -> dict[int, tuple[tuple[int, ...], bool]]:
    """The themes of the comments of the versions ``version_ids`` (those that count), in one
    query: comment id → (theme ids, carried), where ``carried`` says the tags were set on the
    same body's comment on the same target in an earlier version (see the module's docstring)."""
    version_ids = list(version_ids)
    if not version_ids or (comment_ids is not None and not comment_ids):
        return {}
    current = aliased(MeasureComment)
    current_version = aliased(AnswerVersion)
    tagged = aliased(MeasureComment)
    tagged_version = aliased(AnswerVersion)
    rows = session.execute(
        sa.select(current.id, current_version.number, tagged_version.number, CommentTheme.theme_id)
        .join(current_version, current_version.id == current.version_id)
        .join(Answer, Answer.id == current_version.answer_id)
        .join(tagged_version, tagged_version.answer_id == Answer.id)
        .join(
            tagged,
            sa.and_(
                tagged.version_id == tagged_version.id,
                tagged.measure_id.is_not_distinct_from(current.measure_id),
                tagged.focus_area_id.is_not_distinct_from(current.focus_area_id),
            ),
        )
        .join(CommentTheme, CommentTheme.measure_comment_id == tagged.id)
        .where(current.version_id.in_(version_ids), tagged_version.number <= current_version.number)
        .where(current.id.in_(list(comment_ids)) if comment_ids is not None else sa.true())
    ).all()
    latest: dict[int, int] = {}
    for comment_id, _number, tagged_number, _theme in rows:
        latest[comment_id] = max(latest.get(comment_id, 0), tagged_number)
    result: dict[int, tuple[list[int], bool]] = {}
    for comment_id, number, tagged_number, theme_id in rows:
        if tagged_number != latest[comment_id]:
            continue
        themes, _ = result.setdefault(comment_id, ([], tagged_number < number))
        themes.append(theme_id)
    return {cid: (tuple(sorted(themes)), carried) for cid, (themes, carried) in result.items()}
