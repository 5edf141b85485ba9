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
    DECISION = ("decision", "Beslut eller yttrande")


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
    # A sent round's document is a record and never deleted: a corrected one is added beside it
    # and names the one it replaces.
    replaces_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("document.id", ondelete="SET NULL"), index=True, unique=True
    )

    round = relationship("Round", back_populates="documents")
    version = relationship("AnswerVersion", back_populates="documents")
    uploaded_by = relationship("User")
    replaces = relationship("Document", remote_side=[id], back_populates="replaced_by", uselist=False)
    replaced_by = relationship("Document", back_populates="replaces", uselist=False)

    @property
    def is_current(self) -> bool:
        return self.replaced_by is None

    def visible_to(self, user) -> bool:
        """Who may download the file: whoever may see its round; an answer's file, the staff
        and the respondents of the body that sent it."""
        if self.round is not None:
            return self.round.visible_to(user)
        if getattr(user, "is_staff", False):
            return True
        recipient = self.version.answer.recipient
        return getattr(user, "is_respondent", False) and recipient.organisation_id == user.organisation_id
