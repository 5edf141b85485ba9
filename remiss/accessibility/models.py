"""A report of an accessibility problem (rapporterad tillgänglighetsbrist), sent from the form on
the accessibility statement by anyone, signed in or not. The admin reads the reports and marks
each handled once it has been answered or passed on."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.errors import DomainError
from remiss.core.time import utcnow
from remiss.core.types import UTCDateTime
from remiss.extensions import db

PAGE_MAX = 500
PROBLEM_MAX = 5000
NAME_MAX = 200
EMAIL_MAX = 254


class AccessibilityReport(db.Model):
    __tablename__ = "accessibility_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # What the visitor wrote: the page or content it concerns (optional) and the problem.
    page: Mapped[str] = mapped_column(sa.String(PAGE_MAX), default="")
    problem: Mapped[str] = mapped_column(sa.Text)
    # Whom to answer, if they want an answer (both optional).
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX), default="")
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), default="")
    # The account that sent it, when signed in.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    handled_by = relationship("User", foreign_keys=[handled_by_id])

    @property
    def number(self) -> int:
        """The report's number as the admin and the e-mail name it ("rapport 12")."""
        return self.id

    @property
    def wants_reply(self) -> bool:
        """The visitor left an e-mail address to be answered at."""
        return bool(self.email)

    @hybrid_property
    def is_handled(self) -> bool:
        """The admin has marked the report handled (answered or passed on)."""
        return self.handled_at is not None

    @is_handled.inplace.expression
    @classmethod
    def _is_handled_expression(cls):
        return cls.handled_at.is_not(None)

    def mark_handled(self, by, now: datetime) -> None:
        """Mark the report handled by ``by``; a report already handled stays as it was."""
        if self.is_handled:
            raise DomainError(f"Rapport {self.number} är redan markerad som hanterad.")
        self.handled_at = now
        self.handled_by = by
