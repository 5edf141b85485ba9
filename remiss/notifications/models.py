from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.time import utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db


class MessageKind(LabelledEnum):
    INVITATION = ("invitation", "Inbjudan")
    REMINDER = ("reminder", "Påminnelse")
    OVERDUE = ("overdue", "Försenat svar")
    EXTENSION = ("extension", "Bekräftelse av anstånd")
    RECEIPT = ("receipt", "Kvitto")
    DIGEST = ("digest", "Veckosammanfattning")
    ACCOUNT = ("account", "Konto")
    FEEDBACK = ("feedback", "Återkoppling")
    # A visitor's report from the accessibility statement's form, to the contact address.
    ACCESSIBILITY_REPORT = ("accessibility_report", "Rapporterad tillgänglighetsbrist")


class MessageStatus(LabelledEnum):
    PENDING = ("pending", "Väntar")
    SENT = ("sent", "Skickat")
    FAILED = ("failed", "Misslyckades")
    KEPT = ("kept", "Sparat i utkorgen")
    # Not sent because it no longer applied when its turn came (the recipient had answered,
    # the round had closed, the deadline had moved).
    CANCELLED = ("cancelled", "Stoppat")


class Message(db.Model):
    """One e-mail, recorded before it is sent. ``dedup_key`` makes each (recipient, kind,
    deadline) unique in the database, so parallel or repeated runs cannot send it twice."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    dedup_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("recipient.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(254))
    cc_address: Mapped[str | None] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    ics: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "message_status"), default=MessageStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round = relationship("Round")
    recipient = relationship("Recipient")

    @property
    def has_failed(self) -> bool:
        return self.status is MessageStatus.FAILED

    @property
    def was_sent(self) -> bool:
        return self.status is MessageStatus.SENT

    @property
    def was_stopped(self) -> bool:
        """Not sent because it no longer applied when its turn came."""
        return self.status is MessageStatus.CANCELLED

    @property
    def will_retry(self) -> bool:
        return self.has_failed and self.next_attempt_at is not None
