from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.time import utcnow
from remiss.core.types import UTCDateTime
from remiss.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    # The round an event belongs to, so a round's trail is one indexed query.
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(sa.String(1000), default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User")


def record(
    action: str,
    obj=None,
    *,
    actor=None,
    round_id: int | None = None,
    summary: str = "",
    **details,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits). ``obj`` is any model; the round
    is taken from it when it has one."""
    object_type = type(obj).__name__ if obj is not None else ""
    object_id = getattr(obj, "id", None)
    if round_id is None and obj is not None:
        round_id = getattr(obj, "round_id", None) or (obj.id if object_type == "Round" else None)
    event = AuditEvent(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        round_id=round_id,
        summary=summary,
        details=details,
    )
    db.session.add(event)
    return event
