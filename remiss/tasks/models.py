"""A background job: what to do (``kind`` and ``params``), how far it has come, and what it
made (a file to download, or the page of what it created)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.time import utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db


class JobStatus(LabelledEnum):
    PENDING = ("pending", "Väntar på att starta")
    RUNNING = ("running", "Pågår")
    DONE = ("done", "Klart")
    FAILED = ("failed", "Misslyckades")


class BackgroundJob(db.Model):
    __tablename__ = "background_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # What the job is about, in words ("Export av sammanställningen för 1668/20").
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.PENDING, index=True
    )
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # What is happening now, or, when it failed, why (in Swedish).
    message: Mapped[str] = mapped_column(sa.String(2000), default="")
    # The finished file, in the jobs folder, and the name it is downloaded as.
    result_path: Mapped[str | None] = mapped_column(sa.String(500))
    result_name: Mapped[str | None] = mapped_column(sa.String(300))
    # What the job made, when that is a page: an imported round.
    result_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The worker that claimed it ("host:pid"), and until when its claim holds.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")

    @hybrid_property
    def is_finished(self) -> bool:
        """Done or failed: nothing more will happen to it (also in SQL: ``~is_finished`` is a
        job still waiting or running)."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @is_finished.inplace.expression
    @classmethod
    def _is_finished_expression(cls):
        return cls.status.in_((JobStatus.DONE, JobStatus.FAILED))

    @property
    def is_done(self) -> bool:
        return self.status is JobStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status is JobStatus.FAILED

    @property
    def percent(self) -> int:
        if self.is_done:
            return 100
        if not self.total:
            return 0
        return max(0, min(100, round(100 * self.progress / self.total)))
