from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.sql import trigram_index
from remiss.core.time import utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db


class OrganisationKind(LabelledEnum):
    COMMITTEE = ("namnd", "Nämnd")
    COMPANY = ("bolag", "Bolag")
    AUTHORITY = ("myndighet", "Myndighet")

    @property
    def group_label(self) -> str:
        """The kind as a heading over several bodies: ``Nämnder``, ``Bolag``, ``Myndigheter``."""
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    OrganisationKind.COMMITTEE: "Nämnder",
    OrganisationKind.COMPANY: "Bolag",
    OrganisationKind.AUTHORITY: "Myndigheter",
}


class Organisation(db.Model):
    """A body that can be invited to answer: a committee, a city company or an authority."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    group: Mapped[str | None] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members = relationship("User", back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"

    @classmethod
    def by_name(cls, name: str) -> Organisation | None:
        return db.session.scalar(sa.select(cls).where(cls.name == name))

    @hybrid_property
    def has_active_account(self) -> bool:
        """Someone of the body can sign in: it has at least one active account. A body without
        one is reached through the personal link of a round's invitation; the round page says
        which bodies have none (”Inget konto än”). Usable in SQL:
        ``select(Organisation).where(~Organisation.has_active_account)``."""
        return any(member.active for member in self.members)

    @has_active_account.inplace.expression
    @classmethod
    def _has_active_account_expression(cls):
        user = cls.members.property.mapper.class_
        return cls.members.any(user.active.is_(True))

    @property
    def decision_label(self) -> str:
        """What the body's decision on its answer is called: a committee (nämnd) answers with
        ``Nämndens beslut``; a company's board, the police or the prison service with a
        ``Beslut eller yttrande``. Every page, e-mail and export that names the decision asks
        here."""
        if self.kind is OrganisationKind.COMMITTEE:
            return "Nämndens beslut"
        return "Beslut eller yttrande"

    @property
    def register_group(self) -> str:
        """The register's group the body is listed under when recipients are chosen: its own
        ``group`` (``Socialnämnderna``, ``Statliga myndigheter`` …), or where it has none its
        kind's (``Nämnder``, ``Bolag``, ``Myndigheter``)."""
        return (self.group or "").strip() or self.kind.group_label


# The register's search finds a word anywhere in a body's name (core.sql); the index also gives
# PostgreSQL statistics on the lowered names, so that it knows how many bodies a word matches.
trigram_index("ix_organisation_name_trigram", Organisation.__table__.c.name)
trigram_index("ix_organisation_short_name_trigram", Organisation.__table__.c.short_name)
