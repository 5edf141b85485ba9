from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.auth.models import UserToken
from remiss.core.errors import DomainError
from remiss.core.sql import days_between, trigram_index
from remiss.core.text import plural
from remiss.core.time import format_date, local_today, utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db

# A case number (diarienummer): number/two-digit year, e.g. 1668/20.
DNR_PATTERN = re.compile(r"^\d{1,5}/\d{2}$")


class RoundStatus(LabelledEnum):
    DRAFT = ("draft", "Utkast")
    OPEN = ("open", "Öppen")
    CLOSED = ("closed", "Stängd")
    ARCHIVED = ("archived", "Avslutad")


class AnswerStatus(LabelledEnum):
    """Where a recipient's answer stands."""

    NOT_STARTED = ("not_started", "Ej påbörjat")
    DRAFT = ("draft", "Utkast")
    SUBMITTED = ("submitted", "Inskickat")
    REOPENED = ("reopened", "Öppnat för rättelse")


class MeasureKind(LabelledEnum):
    """A row of a round's structure: a measure (insats, numbered ``1:2`` inside its focus area,
    may take Tillstyrker/Avstyrker) or a question (remissfråga, numbered ``3`` in the round,
    takes a free-text answer and no position)."""

    MEASURE = ("measure", "Insats")
    QUESTION = ("question", "Fråga")


class AreaKind(LabelledEnum):
    """A group of a round's structure: a focus area holding measures, a headed section holding
    questions, or the questions that stand under no heading of their own."""

    FOCUS_AREA = ("focus_area", "Fokusområde")
    SECTION = ("section", "Sektion")
    QUESTIONS = ("questions", "Frågor")


# The words of a round's structure, written once. Every page, e-mail and spreadsheet that names
# the structure asks the round, area or item for them.
STRUCTURE_HEADINGS = {
    (True, False): "Fokusområden och insatser",
    (False, True): "Frågor",
    (True, True): "Fokusområden, insatser och frågor",
    (False, False): "Fokusområden och insatser",
}


def register_lists_sent_rounds() -> bool:
    """The installation's setting: every sent round is listed in the public register unless the
    officer keeps it out (on, the default), or only those the officer lists (off)."""
    return bool(current_app.config.get("REGISTER_LISTS_SENT_ROUNDS", True))


class Round(db.Model):
    """One sending of one draft on remiss. The case number is not unique: a revised draft of
    the same case is sent as a new round."""

    __tablename__ = "round"
    __table_args__ = (
        sa.CheckConstraint("deadline > sent_on", name="deadline_after_sent"),
        # The orders the lists read rounds in (the register newest sent first, the rounds list
        # by deadline), so that a page reads an index from one end instead of sorting them all.
        sa.Index("ix_round_sent_on_id", "sent_on", "id"),
        sa.Index("ix_round_deadline_id", "deadline", "id"),
    )

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
    # The officer's choice about the public register: True listed, False kept out, None (no
    # choice made) follows the installation's REGISTER_LISTS_SENT_ROUNDS. Ask
    # ``is_listed_in_register``, never this column.
    register_choice: Mapped[bool | None] = mapped_column(default=None)
    # Set while a draft is scheduled to be sent on its sending date: who scheduled it.
    send_scheduled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    officer = relationship("User", foreign_keys=[officer_id])
    send_scheduled_by = relationship("User", foreign_keys=[send_scheduled_by_id])
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

    # States -----------------------------------------------------------------------------------
    # Each rule of a round's life is written once, here; views, templates, jobs and queries use
    # these names. The ``hybrid_property``s work in Python and in SQL (``Round.is_open``).
    @hybrid_property
    def is_draft(self) -> bool:
        return self.status == RoundStatus.DRAFT

    @hybrid_property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @hybrid_property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED

    @hybrid_property
    def is_archived(self) -> bool:
        return self.status == RoundStatus.ARCHIVED

    @hybrid_property
    def is_sent(self) -> bool:
        """Sent to its recipients: open, closed or archived (never a draft)."""
        return self.status != RoundStatus.DRAFT

    @hybrid_property
    def accepts_answers(self) -> bool:
        """Respondents may save drafts and submit only while the round is open."""
        return self.status == RoundStatus.OPEN

    @property
    def accounts_matter(self) -> bool:
        """Whether it matters who of the bodies can sign in: before sending (the invitation's
        personal link makes an account) and while answers are taken (the round page marks the
        bodies without one and offers their invitation again)."""
        return self.is_draft or self.accepts_answers

    @hybrid_property
    def takes_registered_answers(self) -> bool:
        """The office may register an answer received by e-mail or post while the round is
        open or closed (a late answer after closing too), never in a draft or an archived one."""
        return self.status in (RoundStatus.OPEN, RoundStatus.CLOSED)

    @takes_registered_answers.inplace.expression
    @classmethod
    def _takes_registered_answers_expression(cls):
        return cls.status.in_((RoundStatus.OPEN, RoundStatus.CLOSED))

    @property
    def is_read_only(self) -> bool:
        """Archived: nothing of the round or its answers changes any more."""
        return self.status is RoundStatus.ARCHIVED

    @property
    def facts_editable(self) -> bool:
        """Title, case number, decision and dates change only while the round is a draft; after
        sending, only the description and the responsible officer can be corrected."""
        return self.status is RoundStatus.DRAFT

    @property
    def structure_editable(self) -> bool:
        """Focus areas, measures and questions change only while the round is a draft."""
        return self.status is RoundStatus.DRAFT

    @property
    def recipients_changeable(self) -> bool:
        """Recipients can be added (and removed while they have not answered) while the round
        is a draft or open."""
        return self.status in (RoundStatus.DRAFT, RoundStatus.OPEN)

    @property
    def contacts_editable(self) -> bool:
        return self.status is not RoundStatus.ARCHIVED

    @property
    def extensions_allowed(self) -> bool:
        """An extension (anstånd) is granted to a recipient of an open round; in a draft the
        round's own deadline is changed instead."""
        return self.status is RoundStatus.OPEN

    @property
    def reminders_editable(self) -> bool:
        return self.status in (RoundStatus.DRAFT, RoundStatus.OPEN)

    @property
    def can_remind(self) -> bool:
        return self.status is RoundStatus.OPEN

    @property
    def documents_frozen(self) -> bool:
        """From the moment it is sent, a round's documents are public records: never deleted;
        a corrected document is added beside the one it replaces."""
        return self.status is not RoundStatus.DRAFT

    @property
    def documents_addable(self) -> bool:
        return self.status is not RoundStatus.ARCHIVED

    @property
    def assessment_editable(self) -> bool:
        """The office's assessment is written once the round is sent, and frozen when archived."""
        return self.status in (RoundStatus.OPEN, RoundStatus.CLOSED)

    @property
    def feedback_possible(self) -> bool:
        """The assessment can be made final (and fed back) once no more answers are expected."""
        return self.status in (RoundStatus.CLOSED, RoundStatus.ARCHIVED)

    @property
    def can_close(self) -> bool:
        return self.status is RoundStatus.OPEN

    @property
    def can_reopen(self) -> bool:
        return self.status is RoundStatus.CLOSED

    @property
    def can_archive(self) -> bool:
        return self.status is RoundStatus.CLOSED

    @property
    def is_scheduled(self) -> bool:
        """A draft the officer has scheduled to be sent on its sending date."""
        return self.status is RoundStatus.DRAFT and self.send_scheduled_by_id is not None

    def visible_to(self, user) -> bool:
        """Officers and managers see every round; a respondent sees a sent round its
        organisation is invited to; nobody else sees any."""
        if getattr(user, "is_staff", False):
            return True
        if getattr(user, "is_respondent", False):
            return self.is_sent and self.recipient_for(user.organisation_id) is not None
        return False

    def days_left(self, today: date | None = None) -> int:
        """Days until the round's deadline (negative when past)."""
        return (self.deadline - (today or local_today())).days

    @property
    def measures(self) -> list[Measure]:
        """Every row of the structure, measures and questions, in the round's order."""
        return [m for area in self.focus_areas for m in area.measures]

    @property
    def questions(self) -> list[Measure]:
        return [m for m in self.measures if m.is_question]

    # The structure's words ----------------------------------------------------------------------
    @property
    def asks_questions(self) -> bool:
        """The round asks questions (remissfrågor), alone or beside measures."""
        return any(area.holds_questions for area in self.focus_areas)

    @property
    def lists_measures(self) -> bool:
        """The round lists focus areas and measures (an action plan), alone or beside questions."""
        return any(area.is_focus_area for area in self.focus_areas)

    @property
    def is_mixed(self) -> bool:
        return self.asks_questions and self.lists_measures

    @property
    def structure_heading(self) -> str:
        """``Fokusområden och insatser``, ``Frågor`` or both, for page and sheet headings."""
        return STRUCTURE_HEADINGS[(self.lists_measures, self.asks_questions)]

    @property
    def structure_words(self) -> str:
        """The same in running text: ``fokusområden och insatser`` …"""
        return self.structure_heading.lower()

    @property
    def per_part(self) -> str:
        """``Per fokusområde och insats``, ``Per fråga`` or ``Per fokusområde, insats och fråga``."""
        if self.is_mixed:
            return "Per fokusområde, insats och fråga"
        return "Per fråga" if self.asks_questions else "Per fokusområde och insats"

    @property
    def part_by_part(self) -> str:
        """``insats för insats``, ``fråga för fråga`` or both, in running text."""
        if self.is_mixed:
            return "insats för insats och fråga för fråga"
        return "fråga för fråga" if self.asks_questions else "insats för insats"

    @property
    def item_words(self) -> str:
        """What one answers to, in running text: ``insatser``, ``frågor``, ``insatser och frågor``."""
        if self.is_mixed:
            return "insatser och frågor"
        return "frågor" if self.asks_questions else "insatser"

    @property
    def has_structure(self) -> bool:
        return bool(self.focus_areas)

    @property
    def current_documents(self) -> list:
        """The round's documents that no later document replaces."""
        return [d for d in self.documents if d.replaced_by is None]

    @property
    def has_draft_document(self) -> bool:
        """Whether the remissförslag itself is among the documents."""
        return any(d.kind.value == "draft" for d in self.current_documents)

    # Moves --------------------------------------------------------------------------------------
    def reasons_not_to_open(self, today: date | None = None) -> list[str]:
        today = today or local_today()
        reasons = []
        if self.status is not RoundStatus.DRAFT:
            reasons.append("Bara en remiss som är ett utkast kan skickas.")
        if not self.recipients:
            reasons.append("Remissen har inga remissinstanser.")
        if not self.has_structure:
            reasons.append("Remissen har inga fokusområden eller frågor.")
        if self.deadline <= today:
            reasons.append(
                f"Sista svarsdagen {format_date(self.deadline, 'long')} har redan passerats. Ändra sista "
                "svarsdag innan remissen skickas."
            )
        return reasons

    def open(self, now: datetime | None = None) -> None:
        """Send the round: it is open from ``now``, and its sending date is the day it really
        went out. (Sending without the remissförslag asks for a confirmation first: that is
        ``rounds.operations.open_round``.)"""
        now = now or utcnow()
        reasons = self.reasons_not_to_open(local_today(now))
        if reasons:
            raise DomainError(" ".join(reasons))
        self.status = RoundStatus.OPEN
        self.opened_at = now
        self.sent_on = local_today(now)
        self.send_scheduled_by_id = None
        for recipient in self.recipients:
            recipient.invited_at = recipient.invited_at or now

    def schedule(self, by, today: date | None = None) -> None:
        """Have the scheduler send the round on the morning of its sending date."""
        today = today or local_today()
        reasons = self.reasons_not_to_open(today)
        if reasons:
            raise DomainError(" ".join(reasons))
        if self.send_scheduled_by_id is not None:
            raise DomainError("Remissen är redan schemalagd att skickas.")
        if self.sent_on <= today:
            raise DomainError(
                f"Utskicksdagen {format_date(self.sent_on, 'long')} är i dag eller har passerat. Skicka "
                "remissen nu i stället, eller ändra utskicksdagen."
            )
        self.send_scheduled_by_id = by.id

    def unschedule(self) -> None:
        if not self.is_scheduled:
            raise DomainError("Remissen är inte schemalagd.")
        self.send_scheduled_by_id = None

    def close_warnings(self, today: date | None = None) -> list[str]:
        """Why closing now would cut someone short: the deadline not yet passed, and every
        recipient whose extension still runs. Empty when closing takes nothing from anyone."""
        today = today or local_today()
        warnings = []
        waiting = [r for r in self.recipients if not r.has_submitted]
        if self.deadline >= today and waiting:
            warnings.append(
                f"Sista svarsdagen {format_date(self.deadline, 'long')} har inte passerats; {len(waiting)} "
                f"av {plural(len(self.recipients), 'remissinstans', 'remissinstanser')} har inte svarat."
            )
        for recipient in sorted(waiting, key=lambda r: r.organisation.name):
            if recipient.extension_running(today):
                warnings.append(
                    f"{recipient.organisation.name} har anstånd till "
                    f"{format_date(recipient.extended_deadline, 'long')}."
                )
        return warnings

    def close(self, now: datetime | None = None) -> None:
        """No more answers from respondents. (Closing before the deadline or while an extension
        runs asks for a confirmation first, naming who: ``rounds.operations.close_round``.)"""
        if self.status is not RoundStatus.OPEN:
            raise DomainError("Bara en öppen remiss kan stängas.")
        now = now or utcnow()
        self.status = RoundStatus.CLOSED
        self.closed_at = now

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
        """The body's place in this round: from ``recipients`` when they are loaded, else one
        row (a respondent's page of a round of 300 bodies loads its own, not all 300)."""
        state = sa.inspect(self)
        if "recipients" not in state.unloaded or state.session is None or self.id is None:
            return next((r for r in self.recipients if r.organisation_id == organisation_id), None)
        return state.session.scalar(
            sa.select(Recipient).where(
                Recipient.round_id == self.id, Recipient.organisation_id == organisation_id
            )
        )

    # The public register ----------------------------------------------------------------------
    @hybrid_property
    def is_chosen_for_register(self) -> bool:
        """Whether the round is (or, while a draft, will be once sent) listed in the public
        register: the officer's choice, or where none was made the installation's setting
        ``REGISTER_LISTS_SENT_ROUNDS`` (on by default: every sent round is listed)."""
        if self.register_choice is not None:
            return self.register_choice
        return register_lists_sent_rounds()

    @is_chosen_for_register.inplace.expression
    @classmethod
    def _is_chosen_for_register_expression(cls):
        if register_lists_sent_rounds():
            return sa.or_(cls.register_choice.is_(None), cls.register_choice.is_(True))
        return cls.register_choice.is_(True)

    @hybrid_property
    def is_listed_in_register(self) -> bool:
        """Shown in the public register and its feed: sent (never a draft) and chosen for the
        register (``is_chosen_for_register``). Every public page, download and the feed ask
        this and nothing else, in Python and in SQL."""
        return self.is_sent and self.is_chosen_for_register

    @is_listed_in_register.inplace.expression
    @classmethod
    def _is_listed_in_register_expression(cls):
        return sa.and_(cls.is_sent, cls.is_chosen_for_register)


# The searches of the register and the rounds list find a word anywhere in these (core.sql).
trigram_index("ix_round_title_trigram", Round.__table__.c.title)
trigram_index("ix_round_dnr_trigram", Round.__table__.c.dnr)


class FocusArea(db.Model):
    """A group of the round's structure: a focus area (fokusområde) with its measures, a section
    (sektion) with its questions under a heading, or questions under no heading (``kind``).
    The groups of a round are numbered in one series; a section is shown by its title."""

    __tablename__ = "focus_area"
    __table_args__ = (sa.UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AreaKind] = mapped_column(
        str_enum(AreaKind, "area_kind"), default=AreaKind.FOCUS_AREA, server_default="focus_area"
    )
    number: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(500))
    position: Mapped[int] = mapped_column(default=0)
    assessment: Mapped[str] = mapped_column(sa.Text, default="")

    round: Mapped[Round] = relationship(back_populates="focus_areas")
    measures: Mapped[list[Measure]] = relationship(
        back_populates="focus_area", order_by="Measure.position", cascade="all, delete-orphan"
    )

    @property
    def is_focus_area(self) -> bool:
        return self.kind is AreaKind.FOCUS_AREA

    @property
    def is_section(self) -> bool:
        return self.kind is AreaKind.SECTION

    @property
    def holds_questions(self) -> bool:
        """A section or a headless group: its rows are questions."""
        return self.kind is not AreaKind.FOCUS_AREA

    @property
    def has_heading(self) -> bool:
        """Questions under no heading are shown without one."""
        return self.kind is not AreaKind.QUESTIONS

    @property
    def takes_answer(self) -> bool:
        """A focus area takes a position and comment of its own; a section's answers are its
        questions'."""
        return self.kind is AreaKind.FOCUS_AREA

    @property
    def item_kind(self) -> MeasureKind:
        """What its rows are."""
        return MeasureKind.QUESTION if self.holds_questions else MeasureKind.MEASURE

    @property
    def label(self) -> str:
        """``Fokusområde 2``, ``Sektion 1`` or ``Frågor``."""
        if self.kind is AreaKind.QUESTIONS:
            return self.kind.label
        return f"{self.kind.label} {self.number}"

    @property
    def heading(self) -> str:
        """The heading on every page: ``Fokusområde 2: Titel``; a section by its title."""
        if self.kind is AreaKind.FOCUS_AREA:
            return f"{self.label}: {self.title}"
        return self.title or self.label

    @property
    def items_words(self) -> str:
        return "frågor" if self.holds_questions else "insatser"


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
    def is_question(self) -> bool:
        return self.kind is MeasureKind.QUESTION

    @property
    def takes_position(self) -> bool:
        """A measure may take Tillstyrker/Avstyrker; a question takes a free-text answer only."""
        return self.kind is MeasureKind.MEASURE

    @property
    def label(self) -> str:
        """``Insats 1:2`` or ``Fråga 3``."""
        return f"{self.kind.label} {self.number}"

    @property
    def heading(self) -> str:
        return f"{self.label}: {self.title}"

    @property
    def answer_word(self) -> str:
        """What an organisation writes on it: ``Svar`` to a question, ``Synpunkter`` on a measure."""
        return "Svar" if self.is_question else "Synpunkter"


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

    # Deadlines and answering ----------------------------------------------------------------
    # The answer-facing rules of a recipient are read through its ``answer`` relationship, so
    # that this package never imports the answers package (which builds on this one).
    @hybrid_property
    def effective_deadline(self) -> date:
        """This recipient's deadline: its extension, or the round's."""
        return self.extended_deadline or self.round.deadline

    @effective_deadline.inplace.expression
    @classmethod
    def _effective_deadline_expression(cls):
        # Round stays in the subquery's own FROM, also in a query that joins Round itself.
        round_deadline = (
            sa.select(Round.deadline)
            .where(Round.id == cls.round_id)
            .correlate_except(Round)
            .scalar_subquery()
        )
        return sa.func.coalesce(cls.extended_deadline, round_deadline)

    @hybrid_property
    def has_submitted(self) -> bool:
        """Whether an answer from this recipient has been received (a reopened one too)."""
        return self.answer is not None and self.answer.latest_submitted is not None

    @has_submitted.inplace.expression
    @classmethod
    def _has_submitted_expression(cls):
        answer = cls.answer.property.mapper.class_
        version = answer.versions.property.mapper.class_
        return cls.answer.has(answer.versions.any(version.submitted_at.is_not(None)))

    @classmethod
    def with_answers(cls):
        """The loader option for pages that show each recipient's answer status: its answer and
        the answer's versions, in two queries however many recipients."""
        answer = cls.answer.property.mapper.class_
        return sa.orm.selectinload(cls.answer).selectinload(answer.versions)

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Invited, no answer received, and its deadline (extension included) has passed."""
        return self.invited_at is not None and not self.has_submitted and self.effective_deadline < today

    @is_overdue.expression
    @classmethod
    def _is_overdue_expression(cls, today: date):
        return sa.and_(
            cls.invited_at.is_not(None), sa.not_(cls.has_submitted), cls.effective_deadline < today
        )

    def days_overdue(self, today: date | None = None) -> int:
        """Days past the deadline without an answer; 0 when not overdue."""
        today = today or local_today()
        return (today - self.effective_deadline).days if self.is_overdue(today) else 0

    def days_left(self, today: date | None = None) -> int:
        """Days until this recipient's deadline (negative when past)."""
        return (self.effective_deadline - (today or local_today())).days

    def days_late(self, received_on: date) -> int:
        """Days after this recipient's deadline that ``received_on`` falls; 0 when on time."""
        return max(0, (received_on - self.effective_deadline).days)

    def extension_running(self, today: date | None = None) -> bool:
        """An extension that has not yet run out, for a recipient that has not answered."""
        today = today or local_today()
        return (
            self.extended_deadline is not None and self.extended_deadline >= today and not self.has_submitted
        )

    @property
    def draft(self):
        """The draft being worked on, or None."""
        return self.answer.draft if self.answer is not None else None

    @property
    def latest_submitted(self):
        """The version that counts: the latest submitted one, or None."""
        return self.answer.latest_submitted if self.answer is not None else None

    @property
    def status(self) -> AnswerStatus:
        return self.answer.status if self.answer is not None else AnswerStatus.NOT_STARTED

    @property
    def has_begun_answering(self) -> bool:
        """Whether the recipient has begun or sent an answer (any version, draft or submitted)."""
        return self.answer is not None and bool(self.answer.versions)

    @property
    def removable(self) -> bool:
        return self.round.recipients_changeable and not self.has_begun_answering

    @property
    def answer_is_locked(self) -> bool:
        """Submitted and not reopened for correction."""
        return self.answer is not None and self.answer.is_locked

    @property
    def can_work_on_answer(self) -> bool:
        """Whether the respondent may start, save and submit a draft now."""
        return self.round.accepts_answers and not self.answer_is_locked

    @property
    def can_register_answer(self) -> bool:
        """Whether the office can register an answer from this recipient received outside the
        tracker now."""
        return self.round.takes_registered_answers and not self.answer_is_locked

    @property
    def is_unread(self) -> bool:
        """A received answer the office has not marked as read."""
        return self.has_submitted and self.answer.read_at is None

    def mark_answer_read(self, now: datetime | None = None) -> bool:
        """The office has read this recipient's latest submitted answer; False when it already had."""
        if self.latest_submitted is None:
            raise DomainError(f"{self.organisation.name} har inget inskickat svar att markera som läst.")
        if self.answer.read_at is not None:
            return False
        self.answer.read_at = now or utcnow()
        return True

    @property
    def status_text(self) -> str:
        """The status as the office reads it: ``Inskickat för sent, 3 dagar``,
        ``Utkast – anstånd till 2022-02-15`` …"""
        status = self.status
        days = self.days_answered_late  # the one rule: the answer's first receipt
        if status is AnswerStatus.SUBMITTED and days:
            return f"Inskickat för sent, {plural(days, 'dag', 'dagar')}"
        text = status.label
        if self.extended_deadline is not None and not self.has_submitted:
            text += f" – anstånd till {self.extended_deadline.isoformat()}"
        return text

    def grant_extension(self, new_deadline: date, reason: str) -> None:
        if not self.round.extensions_allowed:
            raise DomainError("Anstånd kan bara ges medan remissen är öppen.")
        if new_deadline <= self.round.deadline:
            raise DomainError("Anståndet måste gå ut efter remissens sista svarsdag.")
        if not (reason or "").strip():
            raise DomainError("Ange skälet till anståndet.")
        self.extended_deadline = new_deadline
        self.extension_reason = reason.strip()

    # How a recipient answered, for the manager's overview (issue 16 §4) ------------------------
    # An answer is on time or late by the day it first reached the office: a correction the
    # office asked for later (a new version) does not make an answer that came in time late.
    @hybrid_property
    def is_invited(self) -> bool:
        """The round has been sent to this recipient (its invitation is recorded)."""
        return self.invited_at is not None

    @is_invited.inplace.expression
    @classmethod
    def _is_invited_expression(cls):
        return cls.invited_at.is_not(None)

    @hybrid_property
    def first_received_on(self) -> date | None:
        """The day this recipient's answer reached the office: the receipt date of its first
        submitted version (later corrections do not move it); None while nothing is received."""
        answer = self.answer
        received = [v.received_on for v in answer.submitted_versions] if answer is not None else []
        return min(received) if received else None

    @first_received_on.inplace.expression
    @classmethod
    def _first_received_on_expression(cls):
        answer = cls.answer.property.mapper.class_
        version = answer.versions.property.mapper.class_
        return (
            sa.select(sa.func.min(version.received_on))
            .join(answer, answer.id == version.answer_id)
            .where(answer.recipient_id == cls.id, version.submitted_at.is_not(None))
            .correlate_except(answer, version)
            .scalar_subquery()
        )

    @hybrid_property
    def answered_on_time(self) -> bool:
        """An answer was received, on or before this recipient's deadline (extension included)."""
        received = self.first_received_on
        return received is not None and self.days_late(received) == 0

    @answered_on_time.inplace.expression
    @classmethod
    def _answered_on_time_expression(cls):
        received = cls.first_received_on
        return sa.and_(received.is_not(None), received <= cls.effective_deadline)

    @hybrid_property
    def answered_late(self) -> bool:
        """An answer was received, after this recipient's deadline (extension included)."""
        received = self.first_received_on
        return received is not None and self.days_late(received) > 0

    @answered_late.inplace.expression
    @classmethod
    def _answered_late_expression(cls):
        received = cls.first_received_on
        return sa.and_(received.is_not(None), received > cls.effective_deadline)

    @hybrid_property
    def days_answered_late(self) -> int | None:
        """Days after its deadline (extension included) that the answer reached the office:
        ``days_late(first_received_on)``, 0 when on time, None while nothing is received."""
        received = self.first_received_on
        return self.days_late(received) if received is not None else None

    @days_answered_late.inplace.expression
    @classmethod
    def _days_answered_late_expression(cls):
        received, deadline = cls.first_received_on, cls.effective_deadline
        return sa.case(
            (received.is_(None), sa.null()),
            (received > deadline, days_between(received, deadline)),
            else_=0,
        )

    @hybrid_method
    def is_due_within(self, today: date, days: int) -> bool:
        """Invited, no answer received, and its deadline (extension included) falls from
        ``today`` to ``days`` days ahead, both days included: due soon and not yet overdue."""
        return (
            self.invited_at is not None
            and not self.has_submitted
            and today <= self.effective_deadline <= today + timedelta(days=days)
        )

    @is_due_within.expression
    @classmethod
    def _is_due_within_expression(cls, today: date, days: int):
        return sa.and_(
            cls.invited_at.is_not(None),
            sa.not_(cls.has_submitted),
            cls.effective_deadline.between(today, today + timedelta(days=days)),
        )

    @property
    def why_not_removable(self) -> str | None:
        """Why the officer cannot remove this recipient now (``removable`` is False), in Swedish
        for the page that lists it; None when it can be removed."""
        if self.removable:
            return None
        if not self.round.recipients_changeable:
            return "Remissinstanser kan bara tas bort medan remissen är ett utkast eller öppen."
        if self.has_submitted:
            return "Har svarat och kan inte tas bort."
        return "Har börjat svara och kan inte tas bort."

    @property
    def invitation_resendable(self) -> bool:
        """Whether the officer can send the invitation again, with a fresh personal link: while
        the round takes answers and the body has a contact address."""
        return self.round.accepts_answers and bool(self.contact_email)


class InvitationLink(db.Model):
    """The personal link in a round's invitation to a body's contact address. Whoever follows
    it signs in with the address's account, or creates an account bound to the body, and lands
    on the round's answer page. Only the token's hash is stored (``UserToken.hash``). The link
    may be followed again and again while it is usable (``refusal`` is None): the round takes
    answers, the body is still a recipient, and the address is still the body's contact. It is
    not tied to a recipient row, so removing the body from the round makes it say so."""

    __tablename__ = "invitation_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The account made through this link, and when, if one was.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    round = relationship("Round")
    organisation = relationship("Organisation")
    account = relationship("User")

    # A token is ``secrets.token_urlsafe(32)``: 43 characters. Anything much longer is not one.
    TOKEN_MAX_LENGTH = 100

    def __repr__(self) -> str:
        return f"<InvitationLink {self.id} round {self.round_id} organisation {self.organisation_id}>"

    @classmethod
    def issue(cls, recipient: Recipient, now: datetime | None = None) -> tuple[InvitationLink, str]:
        """A new link for ``recipient``'s contact address; returns it and the token's clear text
        (put in the e-mail once, never stored)."""
        token = secrets.token_urlsafe(32)
        link = cls(
            round=recipient.round,
            organisation=recipient.organisation,
            email=recipient.contact_email,
            token_hash=UserToken.hash(token),
            created_at=now or utcnow(),
        )
        db.session.add(link)
        return link, token

    @classmethod
    def find(cls, token: str) -> InvitationLink | None:
        """The link whose token this is, usable or not; None for a wrong or garbled token."""
        if not token or len(token) > cls.TOKEN_MAX_LENGTH:
            return None
        return db.session.scalar(sa.select(cls).where(cls.token_hash == UserToken.hash(token)))

    @property
    def recipient(self) -> Recipient | None:
        """The body's place in the round, or None when it has been removed from it."""
        return self.round.recipient_for(self.organisation_id)

    @property
    def refusal(self) -> str | None:
        """Why the link does not work now, in Swedish; None while it does."""
        round_ = self.round
        if not round_.accepts_answers:
            return (
                f"Remissen ”{round_.title}” är {round_.status.label.lower()} och tar inte emot svar, "
                "så länken gäller inte längre. Länken gällde tills remissen stängdes."
            )
        recipient = self.recipient
        if recipient is None:
            return (
                f"{self.organisation.name} är inte längre remissinstans för remissen ”{round_.title}”, "
                "så länken gäller inte."
            )
        if recipient.contact_email != self.email:
            return (
                f"Kontaktadressen för {self.organisation.name} har ändrats sedan länken skickades, så "
                "länken gäller inte längre. Be handläggaren skicka inbjudan igen."
            )
        return None

    @property
    def is_usable(self) -> bool:
        return self.refusal is None
