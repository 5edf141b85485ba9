from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.time import utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db


class DocumentKind(LabelledEnum):
    DRAFT = ("draft", "Remissförslag")
    COVER_LETTER = ("cover_letter", "Missiv")
    APPENDIX = ("appendix", "Bilaga")
    DECISION = ("decision", "Beslut / yttrande")


class Document(db.Model):
    """An uploaded file, stored outside ``static/`` under a generated name. It belongs to a round
    (the draft, cover letter, appendices) or to one answer version (the body's decision)."""

    __tablename__ = "document"
    __table_args__ = (sa.CheckConstraint("(round_id IS NULL) != (version_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("answer_version.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The legal ground on which this file is withheld from the public register, or None.
    secrecy_ground: Mapped[str | None] = mapped_column(sa.String(300))

    round = relationship("Round", back_populates="documents")
    version = relationship("AnswerVersion", back_populates="documents")
    uploaded_by = relationship("User")
