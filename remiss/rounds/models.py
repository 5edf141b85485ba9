from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.errors import DomainError
from remiss.core.time import local_today, utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db

# A case number (diarienummer): number/two-digit year, e.g. 1668/20.
DNR_PATTERN = re.compile(r"^\d{1,5}/\d{2}$")


class RoundStatus(LabelledEnum):
    DRAFT = ("draft", "Utkast")
    OPEN = ("open", "Öppen")
    CLOSED = ("closed", "Stängd")
    ARCHIVED = ("archived", "Avslutad")


class MeasureKind(LabelledEnum):
    MEASURE = ("measure", "Insats")
    QUESTION = ("question", "Fråga")


class Round(db.Model):
    """One sending of one draft on remiss. The case number is not unique: a revised draft of
    the same case is sent as a new round."""

    __tablename__ = "round"
    __table_args__ = (sa.CheckConstraint("deadline > sent_on", name="deadline_after_sent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    dnr: Mapped[str] = mapped_column(sa.String(20), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str] = mapped_column(sa.String(300), default="")
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    sent_on: Mapped[date]
    deadline: Mapped[date]
    status: Mapped[RoundStatus] = mapped_column(
        str_enum(RoundStatus, "round_status"), default=RoundStatus.DRAFT
    )
    # Days before the deadline on which reminders go out, e.g. "14,3".
    reminder_days: Mapped[str] = mapped_column(sa.String(50), default="14,3")
    # The office's assessment (stadsledningskontorets bedömning) of the round as a whole and the
    # changes made to the draft; per focus area and measure it lives on those rows.
    assessment: Mapped[str] = mapped_column(sa.Text, default="")
    assessment_changes: Mapped[str] = mapped_column(sa.Text, default="")
    assessment_final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer = relationship("User")
    focus_areas: Mapped[list[FocusArea]] = relationship(
        back_populates="round",
        order_by="FocusArea.position",
        cascade="all, delete-orphan",
    )
    recipients: Mapped[list[Recipient]] = relationship(back_populates="round", cascade="all, delete-orphan")
    documents = relationship(
        "Document",
        back_populates="round",
        primaryjoin="and_(Document.round_id == Round.id, Document.version_id.is_(None))",
        order_by="Document.uploaded_at",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.dnr} {self.status.value}>"

    # Rules ------------------------------------------------------------------------------------
    @hybrid_property
    def is_past_deadline(self) -> bool:
        return self.deadline < local_today()

    @is_past_deadline.inplace.expression
    @classmethod
    def _is_past_deadline_expression(cls):
        return cls.deadline < sa.func.current_date()

    @property
    def measures(self) -> list[Measure]:
        return [m for area in self.focus_areas for m in area.measures]

    @property
    def has_structure(self) -> bool:
        return any(area.measures for area in self.focus_areas) or bool(self.focus_areas)

    @property
    def is_editable(self) -> bool:
        """Facts and structure can change only while the round is a draft."""
        return self.status is RoundStatus.DRAFT

    @property
    def accepts_answers(self) -> bool:
        """Respondents may submit only while the round is open."""
        return self.status is RoundStatus.OPEN

    @property
    def takes_registered_answers(self) -> bool:
        """The office may register an answer received by e-mail or post while the round is
        open or closed (a late answer after closing too), never in a draft or an archived one."""
        return self.status in (RoundStatus.OPEN, RoundStatus.CLOSED)

    def reasons_not_to_open(self) -> list[str]:
        reasons = []
        if self.status is not RoundStatus.DRAFT:
            reasons.append("Bara en remiss som är ett utkast kan skickas.")
        if not self.recipients:
            reasons.append("Remissen har inga remissinstanser.")
        if not self.has_structure:
            reasons.append("Remissen har inga fokusområden eller frågor.")
        return reasons

    def open(self, now: datetime | None = None) -> None:
        reasons = self.reasons_not_to_open()
        if reasons:
            raise DomainError(" ".join(reasons))
        now = now or utcnow()
        self.status = RoundStatus.OPEN
        self.opened_at = now
        for recipient in self.recipients:
            recipient.invited_at = recipient.invited_at or now

    def close(self, now: datetime | None = None) -> None:
        if self.status is not RoundStatus.OPEN:
            raise DomainError("Bara en öppen remiss kan stängas.")
        self.status = RoundStatus.CLOSED
        self.closed_at = now or utcnow()

    def reopen(self) -> None:
        if self.status is not RoundStatus.CLOSED:
            raise DomainError("Bara en stängd remiss kan öppnas igen.")
        self.status = RoundStatus.OPEN
        self.closed_at = None

    def archive(self, now: datetime | None = None) -> None:
        if self.status is not RoundStatus.CLOSED:
            raise DomainError("Bara en stängd remiss kan avslutas.")
        self.status = RoundStatus.ARCHIVED
        self.archived_at = now or utcnow()

    def recipient_for(self, organisation_id: int) -> Recipient | None:
        return next((r for r in self.recipients if r.organisation_id == organisation_id), None)


class FocusArea(db.Model):
    __tablename__ = "focus_area"
    __table_args__ = (sa.UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    assessment: Mapped[str] = mapped_column(sa.Text, default="")

    round: Mapped[Round] = relationship(back_populates="focus_areas")
    measures: Mapped[list[Measure]] = relationship(
        back_populates="focus_area", order_by="Measure.position", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"Fokusområde {self.number}"


class Measure(db.Model):
    """A measure (insats) of a focus area, or a question (remissfråga) in its place."""

    __tablename__ = "measure"
    __table_args__ = (sa.UniqueConstraint("focus_area_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(sa.ForeignKey("focus_area.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(1000))
    kind: Mapped[MeasureKind] = mapped_column(
        str_enum(MeasureKind, "measure_kind"), default=MeasureKind.MEASURE
    )
    position: Mapped[int] = mapped_column(default=0)
    assessment: Mapped[str] = mapped_column(sa.Text, default="")

    focus_area: Mapped[FocusArea] = relationship(back_populates="measures")

    @property
    def label(self) -> str:
        return f"{self.kind.label} {self.number}"


class Recipient(db.Model):
    """An organisation invited to a round (remissinstans), with its own deadline when extended."""

    __tablename__ = "recipient"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "organisation_id"),
        sa.CheckConstraint(
            "(extended_deadline IS NULL) = (extension_reason IS NULL)", name="extension_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    extended_deadline: Mapped[date | None]
    extension_reason: Mapped[str | None] = mapped_column(sa.String(500))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="recipients")
    organisation = relationship("Organisation")
    answer = relationship("Answer", back_populates="recipient", uselist=False, cascade="all")

    @hybrid_property
    def deadline(self) -> date:
        """This recipient's deadline: its extension, or the round's."""
        return self.extended_deadline or self.round.deadline

    @deadline.inplace.expression
    @classmethod
    def _deadline_expression(cls):
        round_deadline = sa.select(Round.deadline).where(Round.id == cls.round_id).scalar_subquery()
        return sa.func.coalesce(cls.extended_deadline, round_deadline)

    @property
    def answer_status(self):
        from remiss.answers.models import AnswerStatus

        return self.answer.status if self.answer is not None else AnswerStatus.NOT_STARTED

    @property
    def latest_submitted(self):
        """The version that counts: the latest submitted one, or None."""
        return self.answer.latest_submitted if self.answer is not None else None

    @property
    def answer_is_locked(self) -> bool:
        """Submitted and not reopened for correction."""
        return self.answer is not None and self.answer.is_locked

    @property
    def can_register_answer(self) -> bool:
        """Whether the office can register an answer from this recipient received outside the
        tracker now."""
        return self.round.takes_registered_answers and not self.answer_is_locked

    def mark_answer_read(self, now: datetime | None = None) -> bool:
        """The office has read this recipient's latest submitted answer; False when it already had."""
        if self.latest_submitted is None:
            raise DomainError(f"{self.organisation.name} har inget inskickat svar att markera som läst.")
        if self.answer.read_at is not None:
            return False
        self.answer.read_at = now or utcnow()
        return True

    def days_left(self, today: date | None = None) -> int:
        """Days until this recipient's deadline (negative when past)."""
        return (self.deadline - (today or local_today())).days

    @property
    def status_text(self) -> str:
        """The status as the office reads it: ``Inskickat för sent, 3 dagar``,
        ``Utkast – anstånd till 2022-02-15`` …"""
        from remiss.answers.models import AnswerStatus

        status = self.answer_status
        latest = self.latest_submitted
        if status is AnswerStatus.SUBMITTED and latest.days_late:
            days = latest.days_late
            return f"Inskickat för sent, {days} {'dag' if days == 1 else 'dagar'}"
        text = status.label
        if self.extended_deadline is not None and status is not AnswerStatus.SUBMITTED:
            text += f" – anstånd till {self.extended_deadline.isoformat()}"
        return text

    def days_late(self, received_on: date) -> int:
        """Days after this recipient's deadline that ``received_on`` falls; 0 when on time."""
        return max(0, (received_on - self.deadline).days)

    def grant_extension(self, new_deadline: date, reason: str) -> None:
        if self.round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise DomainError("Anstånd kan bara ges medan remissen är öppen.")
        if new_deadline <= self.round.deadline:
            raise DomainError("Anståndet måste gå ut efter remissens sista svarsdag.")
        if not reason.strip():
            raise DomainError("Ange skälet till anståndet.")
        self.extended_deadline = new_deadline
        self.extension_reason = reason.strip()
