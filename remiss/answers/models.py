from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.errors import DomainError
from remiss.core.time import local_today, utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db
from remiss.rounds.models import AnswerStatus

__all__ = [
    "AnswerStatus",
    "Answer",
    "AnswerVersion",
    "MeasureComment",
    "Position",
    "MeasurePosition",
    "Channel",
]


class Position(LabelledEnum):
    """An answer's position (ställningstagande) on the whole draft."""

    ASSENT = ("tillstyrker", "Tillstyrker")
    PARTIAL_ASSENT = ("tillstyrker_delvis", "Tillstyrker delvis")
    REJECT = ("avstyrker", "Avstyrker")
    NO_POSITION = ("tar_inte_stallning", "Avstår – tar inte ställning")


class MeasurePosition(LabelledEnum):
    """A position on a single measure; a comment may also take none."""

    ASSENT = ("tillstyrker", "Tillstyrker")
    REJECT = ("avstyrker", "Avstyrker")


class Channel(LabelledEnum):
    """How an answer reached the office."""

    TRACKER = ("tracker", "Via remisstjänsten")
    EMAIL = ("email", "E-post")
    POST = ("post", "Post")
    IMPORT = ("import", "Importerat")


def new_receipt_number(now: datetime) -> str:
    """A receipt number such as ``R-20220127-7F3A9C21``: the date and a random part."""
    return f"R-{local_today(now):%Y%m%d}-{secrets.token_hex(4).upper()}"


class Answer(db.Model):
    """A recipient's answer: its versions, of which at most one is a draft being worked on."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("recipient.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reopen_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # The officer's "read" mark on the latest submitted version, for "answers not yet read".
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient = relationship("Recipient", back_populates="answer")
    versions: Mapped[list[AnswerVersion]] = relationship(
        back_populates="answer", order_by="AnswerVersion.number", cascade="all, delete-orphan"
    )

    @property
    def draft(self) -> AnswerVersion | None:
        return next((v for v in self.versions if v.submitted_at is None), None)

    @property
    def submitted_versions(self) -> list[AnswerVersion]:
        return [v for v in self.versions if v.submitted_at is not None]

    @property
    def latest_submitted(self) -> AnswerVersion | None:
        submitted = self.submitted_versions
        return submitted[-1] if submitted else None

    @property
    def is_locked(self) -> bool:
        """Submitted, and not reopened for correction: no new draft may be started."""
        return self.draft is None and self.latest_submitted is not None and self.reopened_at is None

    @property
    def is_reopened(self) -> bool:
        """Opened for correction by the office: a new version may be submitted."""
        return self.latest_submitted is not None and (self.reopened_at is not None or self.draft is not None)

    @property
    def status(self) -> AnswerStatus:
        if self.is_reopened:
            return AnswerStatus.REOPENED
        if self.draft is not None:
            return AnswerStatus.DRAFT
        if self.submitted_versions:
            return AnswerStatus.SUBMITTED
        return AnswerStatus.NOT_STARTED

    @property
    def can_reopen(self) -> bool:
        """The office may open a submitted answer for correction, unless the round is archived."""
        return self.status is AnswerStatus.SUBMITTED and not self.recipient.round.is_read_only

    def start_draft(self, by=None) -> AnswerVersion:
        """The draft to work on: the open one, or a new one (a copy of the latest submitted
        version when the answer was reopened for correction)."""
        if self.draft is not None:
            return self.draft
        if self.is_locked:
            raise DomainError("Svaret är redan inskickat och kan inte ändras.")
        latest = self.latest_submitted
        draft = AnswerVersion(number=len(self.versions) + 1, created_by=by, updated_by=by)
        if latest is not None:
            draft.copy_content_from(latest)
        self.versions.append(draft)
        return draft

    def submit(
        self,
        *,
        by,
        channel: Channel = Channel.TRACKER,
        received_on: date | None = None,
        now: datetime | None = None,
    ) -> AnswerVersion:
        """Turn the draft into a submitted, immutable version and return it.

        Respondents submit through the tracker only while the round is open; an officer may
        register an answer received by e-mail or post also after the round has closed. An answer
        received after the recipient's deadline is accepted and marked late."""
        draft = self.draft
        if draft is None:
            raise DomainError("Det finns inget utkast att skicka in.")
        round_ = self.recipient.round
        if channel is Channel.TRACKER and not round_.accepts_answers:
            raise DomainError(
                "Remissen är stängd och tar inte emot fler svar. Ert utkast är sparat; "
                "kontakta handläggaren om ni behöver lämna svar."
            )
        if not round_.takes_registered_answers:
            raise DomainError("Remissen tar inte emot svar.")
        if draft.position is None:
            raise DomainError("Ange ert ställningstagande till förslaget som helhet.")
        now = now or utcnow()
        received_on = received_on or local_today(now)
        # What the office withheld in the version this one corrects stays withheld here, until an
        # officer decides again; the parts whose content changed are named for her.
        previous = self.latest_submitted
        draft.changed_markings = draft.carry_markings_from(previous) if previous is not None else []
        draft.submitted_at = now
        draft.submitted_by_id = by.id if by is not None else None
        draft.received_on = received_on
        draft.channel = channel
        draft.receipt_number = new_receipt_number(now)
        draft.days_late = self.recipient.days_late(received_on)
        self.reopened_at = None
        # An answer the office registered itself has been read by the office.
        self.read_at = None if channel is Channel.TRACKER else now
        return draft

    def reopen(self, by, reason: str, now: datetime | None = None) -> None:
        """Let the respondent correct a submitted answer; the next submission is a new version."""
        if self.recipient.round.is_read_only:
            raise DomainError("Remissen är avslutad; svaren kan inte längre rättas.")
        if self.status is not AnswerStatus.SUBMITTED:
            raise DomainError("Bara ett inskickat svar kan öppnas för rättelse.")
        if not (reason or "").strip():
            raise DomainError("Ange varför svaret öppnas för rättelse.")
        self.reopened_at = now or utcnow()
        self.reopened_by_id = by.id if by is not None else None
        self.reopen_reason = reason


class AnswerVersion(db.Model):
    """One version of an answer. While ``submitted_at`` is empty it is the shared draft; once
    submitted it never changes (enforced by the ``before_flush`` guard at the end of this module)."""

    __tablename__ = "answer_version"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "number"),
        # At most one draft per answer.
        sa.Index(
            "uq_answer_version_one_draft",
            "answer_id",
            unique=True,
            sqlite_where=sa.text("submitted_at IS NULL"),
            postgresql_where=sa.text("submitted_at IS NULL"),
        ),
        sa.CheckConstraint(
            "(submitted_at IS NULL) = (received_on IS NULL)", name="submitted_has_received_on"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(sa.ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    # Optimistic locking: every UPDATE checks and bumps it, so two saves of the same draft, or
    # two submissions at once, cannot both win.
    revision: Mapped[int] = mapped_column(default=1)

    position: Mapped[Position | None] = mapped_column(str_enum(Position, "position"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    other_comments: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by: Mapped[str] = mapped_column(sa.String(300), default="")
    decision_date: Mapped[date | None]
    decision_paragraph: Mapped[str] = mapped_column(sa.String(50), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    received_on: Mapped[date | None]
    channel: Mapped[Channel | None] = mapped_column(str_enum(Channel, "channel"))
    receipt_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    # Days after the recipient's deadline at the moment of receipt (0 = on time).
    days_late: Mapped[int | None]
    # Set by an officer when the whole answer is withheld from the public register: the legal
    # ground, e.g. "OSL 18 kap. 1 §". The answer itself stays as received.
    secrecy_ground: Mapped[str | None] = mapped_column(sa.String(300))

    answer: Mapped[Answer] = relationship(back_populates="versions")
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    comments: Mapped[list[MeasureComment]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    documents = relationship("Document", back_populates="version", order_by="Document.uploaded_at")

    __mapper_args__ = {"version_id_col": revision}

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_registered(self) -> bool:
        """Received by e-mail, post or import and registered by the office (not sent through the
        tracker by the body itself)."""
        return self.channel is not None and self.channel is not Channel.TRACKER

    @property
    def is_late(self) -> bool:
        return bool(self.days_late)

    @property
    def decision_text(self) -> str:
        """The body's decision as one line: ``Socialnämnden Centrum 2022-01-25 § 14``."""
        parts = [self.decided_by, self.decision_date.isoformat() if self.decision_date else ""]
        paragraph = self.decision_paragraph
        if paragraph:
            parts.append(paragraph if paragraph.startswith("§") else f"§ {paragraph}")
        return " ".join(p for p in parts if p)

    def comment_on(self, measure_id: int | None = None, focus_area_id: int | None = None):
        """The comment on one measure or focus area, or None. The comments are indexed by what
        they are on once (and again after a comment is added or removed, or the list reloaded),
        so a page or an e-mail that asks for each of 5,000 measures stays linear."""
        comments = self.comments
        cached = self.__dict__.get("_comment_index")
        if cached is None or cached[0] is not comments:
            cached = (comments, {(c.focus_area_id, c.measure_id): c for c in comments})
            self.__dict__["_comment_index"] = cached
        return cached[1].get((focus_area_id, measure_id))

    def carry_markings_from(self, previous: AnswerVersion) -> list[str]:
        """Carry every confidentiality marking of ``previous`` (the version this draft corrects)
        into this one – the whole answer, each comment by what it comments on, each file (a new
        decision file takes the marking of the one it follows) – and return the marked parts
        whose content changed, so the office can review them. Nothing marked is ever let out
        by a correction."""
        changed: list[str] = []
        if previous.secrecy_ground and not self.secrecy_ground:
            self.secrecy_ground = previous.secrecy_ground
        if previous.secrecy_ground and (previous.comment, previous.other_comments) != (
            self.comment,
            self.other_comments,
        ):
            changed.append("svaret som helhet")
        ours = {(c.measure_id, c.focus_area_id): c for c in self.comments}
        for old in previous.comments:
            if not old.secrecy_ground:
                continue
            target = (old.measure_id, old.focus_area_id)
            new = ours.get(target)
            if new is None:
                # The marked comment was removed; nothing left to withhold.
                continue
            if not new.secrecy_ground:
                new.secrecy_ground = old.secrecy_ground
            if (new.text, new.position) != (old.text, old.position):
                changed.append(f"synpunkten på {(old.measure or old.focus_area).label.lower()}")
        marked = [d for d in previous.documents if d.secrecy_ground]
        if marked:
            by_hash = {d.sha256: d.secrecy_ground for d in marked}
            for document in self.documents:
                if document.secrecy_ground:
                    continue
                ground = by_hash.get(document.sha256)
                if ground is None:
                    ground = marked[0].secrecy_ground
                    changed.append(f"filen {document.original_name}")
                document.secrecy_ground = ground
        return changed

    def copy_content_from(self, other: AnswerVersion) -> None:
        for field in (
            "position",
            "comment",
            "other_comments",
            "decided_by",
            "decision_date",
            "decision_paragraph",
            "secrecy_ground",
        ):
            setattr(self, field, getattr(other, field))
        self.comments = [
            MeasureComment(
                measure_id=c.measure_id,
                focus_area_id=c.focus_area_id,
                position=c.position,
                text=c.text,
                secrecy_ground=c.secrecy_ground,
            )
            for c in other.comments
        ]


class MeasureComment(db.Model):
    """An answer's position and comment on one measure (or question), or on a focus area."""

    __tablename__ = "measure_comment"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "measure_id"),
        sa.UniqueConstraint("version_id", "focus_area_id"),
        sa.CheckConstraint("(measure_id IS NULL) != (focus_area_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer_version.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    focus_area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("focus_area.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[MeasurePosition | None] = mapped_column(str_enum(MeasurePosition, "measure_position"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # The legal ground on which this comment is withheld from the public register, or None.
    secrecy_ground: Mapped[str | None] = mapped_column(sa.String(300))

    version: Mapped[AnswerVersion] = relationship(back_populates="comments")
    measure = relationship("Measure")
    focus_area = relationship("FocusArea")

    @property
    def is_empty(self) -> bool:
        return self.position is None and not self.text.strip()


def _forget_comment_index(version: AnswerVersion, *args) -> None:
    version.__dict__.pop("_comment_index", None)


for _event in ("append", "remove", "bulk_replace"):
    sa.event.listen(AnswerVersion.comments, _event, _forget_comment_index)


def _was_submitted(version: AnswerVersion) -> bool:
    """Whether ``version`` was already submitted before the pending flush."""
    history = sa.inspect(version).attrs.submitted_at.history
    if history.deleted:
        return history.deleted[0] is not None
    return version.submitted_at is not None and not history.added


# What the office may mark on a received record without changing it: whether, and on which
# legal ground, a part is withheld from the public register.
MARKINGS = frozenset({"secrecy_ground"})


def _only_markings_changed(obj) -> bool:
    changed = {attr.key for attr in sa.inspect(obj).attrs if attr.history.has_changes()}
    return bool(changed) and changed <= MARKINGS


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _refuse_changes_to_submitted_versions(session, flush_context, instances) -> None:
    """A submitted version is a received public record: never updated, never deleted. Only its
    markings (``MARKINGS``) may change."""
    # ``session.new`` builds a new set on every access: read it once, or a flush of n new objects
    # costs n² (an import of 18,000 comments took minutes).
    new = session.new
    changed = [o for o in session.dirty if session.is_modified(o) and not _only_markings_changed(o)]
    for obj in [*changed, *session.deleted, *new]:
        version = obj if isinstance(obj, AnswerVersion) else getattr(obj, "version", None)
        if not isinstance(version, AnswerVersion) or version in new:
            continue
        if _was_submitted(version):
            raise DomainError("Ett inskickat svar kan inte ändras.")
