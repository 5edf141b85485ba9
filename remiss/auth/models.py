from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import argon2.profiles
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remiss.core.time import utcnow
from remiss.core.types import LabelledEnum, UTCDateTime, str_enum
from remiss.extensions import db


@functools.cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(argon2.profiles, profile))


def password_hasher() -> PasswordHasher:
    """Argon2id with the parameters named by ``PASSWORD_HASH_PROFILE`` (one of
    ``argon2.profiles``: RFC 9106's low-memory profile by default; tests use the cheapest)."""
    return _hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


class Role(LabelledEnum):
    ADMIN = ("admin", "Systemförvaltare")
    OFFICER = ("officer", "Handläggare")
    MANAGER = ("manager", "Chef")
    RESPONDENT = ("respondent", "Remissinstans")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        # A respondent belongs to exactly one organisation; the office's staff to none.
        sa.CheckConstraint(
            "(role = 'respondent') = (organisation_id IS NOT NULL)",
            name="respondent_has_organisation",
        ),
        # One account per person at the city's identity provider (issuer + subject).
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changes whenever the password changes, so old sessions and remember-me cookies die with it.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16))
    # Set when the account signs in through the city's identity provider (OpenID Connect): the
    # provider's issuer and the person's ``sub`` there. Such an account has no password.
    oidc_issuer: Mapped[str | None] = mapped_column(sa.String(500))
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255))
    # Deactivated at a sign-in because none of the person's groups gave access any more; a
    # later sign-in with a mapped group reactivates it (an admin's deactivation is not undone).
    deactivated_by_provider: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    organisation = relationship("Organisation", back_populates="members")

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role.value}>"

    # Flask-Login ------------------------------------------------------------------------------
    def get_id(self) -> str:
        """What the session and the remember-me cookie carry (both signed with the secret key):
        the id, the session token (rotated at sign-out and password change) and when this
        sign-in was issued, which ``auth.load_user`` checks against ``REMEMBER_COOKIE_DURATION``
        – so an old cookie is refused by the server whatever the browser keeps."""
        return f"{self.id}:{self.session_token}:{int(utcnow().timestamp())}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # Roles ------------------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_officer(self) -> bool:
        return self.role is Role.OFFICER

    @property
    def is_manager(self) -> bool:
        return self.role is Role.MANAGER

    @property
    def is_respondent(self) -> bool:
        return self.role is Role.RESPONDENT

    @property
    def is_staff(self) -> bool:
        """The office's people who follow rounds: officers and managers."""
        return self.role in (Role.OFFICER, Role.MANAGER)

    # How the account signs in -----------------------------------------------------------------
    @property
    def signs_in_with_provider(self) -> bool:
        return self.oidc_subject is not None

    @property
    def sign_in_method(self) -> str:
        """What the admin's list of accounts shows."""
        if not self.signs_in_with_provider:
            return "Lösenord"
        return "Göteborgs Stads konto och lösenord" if self.password_hash else "Göteborgs Stads konto"

    # Passwords --------------------------------------------------------------------------------
    def rotate_session_token(self) -> None:
        """End every session and remember-me cookie of this user."""
        self.session_token = secrets.token_hex(16)

    def set_password(self, password: str) -> None:
        self.password_hash = password_hasher().hash(password)
        self.rotate_session_token()
        self.failed_logins = 0
        self.locked_until = None

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            password_hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if password_hasher().check_needs_rehash(self.password_hash):
            self.password_hash = password_hasher().hash(password)
        return True

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(sa.select(cls).where(cls.email == normalise_email(email)))


def normalise_email(email: str) -> str:
    return email.strip().lower()


class TokenPurpose(LabelledEnum):
    INVITATION = ("invitation", "Inbjudan")
    RESET = ("reset", "Nytt lösenord")


class UserToken(db.Model):
    """A one-time link to set a password. Only the token's hash is stored."""

    __tablename__ = "user_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, purpose: TokenPurpose, valid_for: timedelta) -> str:
        """Create a token for ``user`` and return its clear text (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        db.session.add(
            cls(
                user=user,
                purpose=purpose,
                token_hash=cls.hash(token),
                expires_at=utcnow() + valid_for,
            )
        )
        return token

    @classmethod
    def find_valid(cls, token: str, now: datetime | None = None) -> UserToken | None:
        now = now or utcnow()
        found = db.session.scalar(sa.select(cls).where(cls.token_hash == cls.hash(token)))
        if found is None or found.used_at is not None or found.expires_at <= now:
            return None
        return found

    def user_tokens_open(self) -> list[UserToken]:
        """This token and every other unspent token of the same user."""
        return list(
            db.session.scalars(
                sa.select(UserToken).where(UserToken.user_id == self.user_id, UserToken.used_at.is_(None))
            )
        )


class GroupMapping(db.Model):
    """A group at the city's identity provider and what it gives in the tracker: a role and, for
    the committee staff who answer for a body (role respondent), that body. The admin edits
    these; every sign-in through the provider reads them afresh."""

    __tablename__ = "group_mapping"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'respondent') = (organisation_id IS NOT NULL)",
            name="respondent_has_organisation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(sa.String(255), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")

    def __repr__(self) -> str:
        return f"<GroupMapping {self.group!r} {self.role.value}>"

    @classmethod
    def for_groups(cls, groups: list[str]) -> list[GroupMapping]:
        if not groups:
            return []
        return list(db.session.scalars(sa.select(cls).where(cls.group.in_(groups)).order_by(cls.id)))


class SignInSettings(db.Model):
    """How people may sign in; one row (``SignInSettings.current()``), changed by the admin."""

    __tablename__ = "sign_in_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every city account must sign in through the identity provider: password sign-in is refused
    # for accounts linked to the provider and for addresses in the city's e-mail domains, except
    # the break-glass administrator accounts (admins not linked to the provider).
    require_provider_for_city: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def current(cls) -> SignInSettings:
        """The settings row, added to the session the first time (the caller commits)."""
        found = db.session.scalar(sa.select(cls).order_by(cls.id).limit(1))
        if found is None:
            found = cls(require_provider_for_city=False)
            db.session.add(found)
        return found

    @classmethod
    def provider_required(cls) -> bool:
        return bool(db.session.scalar(sa.select(cls.require_provider_for_city).order_by(cls.id).limit(1)))


class LoginFailure(db.Model):
    """The failed sign-ins of an address that has no account, counted exactly as an account's
    (``User.failed_logins``, ``User.locked_until``): an unknown address slows down and "locks" the
    same way, so the answers cannot tell which addresses have accounts. Rows untouched for a day
    are removed."""

    __tablename__ = "login_failure"

    email: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    KEPT_FOR = timedelta(days=1)

    @staticmethod
    def key(email: str) -> str:
        return normalise_email(email)[:254]

    @classmethod
    def find(cls, email: str) -> LoginFailure | None:
        return db.session.get(cls, cls.key(email))

    @classmethod
    def for_email(cls, email: str, now: datetime) -> LoginFailure:
        """The row of ``email``, made if there is none (safe when two requests make it at once);
        rows untouched for ``KEPT_FOR`` are removed on the way."""
        table = cls.__table__
        db.session.execute(sa.delete(table).where(table.c.updated_at < now - cls.KEPT_FOR))
        db.session.execute(
            _insert(table)
            .values(email=cls.key(email), failed_logins=0, updated_at=now)
            .on_conflict_do_nothing(index_elements=[table.c.email])
        )
        return db.session.get(cls, cls.key(email), populate_existing=True)


class RateCounter(db.Model):
    """How often something happened for a key in a fixed window of time: failed sign-ins per
    client address, password e-mails per address. Counted in the database with one atomic
    upsert, so the limit holds across every gunicorn worker (and on SQLite and PostgreSQL)."""

    __tablename__ = "rate_counter"

    scope: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(default=0, server_default="0")

    KEPT_FOR = timedelta(days=1)  # longer than any window

    @staticmethod
    def window_of(now: datetime, window: timedelta) -> datetime:
        seconds = int(window.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(start, UTC)

    @classmethod
    def current(cls, scope: str, key: str, window: timedelta, now: datetime) -> int:
        """The count of ``key`` in the window that ``now`` falls in."""
        return (
            db.session.scalar(
                sa.select(cls.count).where(
                    cls.scope == scope, cls.key == key[:254], cls.window_start == cls.window_of(now, window)
                )
            )
            or 0
        )

    @classmethod
    def hit(cls, scope: str, key: str, window: timedelta, now: datetime) -> int:
        """Add one to ``key``'s count in the current window and return the new count: one
        ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, atomic however many workers count at
        once. Windows older than ``KEPT_FOR`` are removed on the way."""
        table = cls.__table__
        db.session.execute(sa.delete(table).where(table.c.window_start < now - cls.KEPT_FOR))
        statement = _insert(table).values(
            scope=scope, key=key[:254], window_start=cls.window_of(now, window), count=1
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key, table.c.window_start],
            set_={"count": table.c.count + 1},
        ).returning(table.c.count)
        return db.session.execute(statement).scalar_one()


def _insert(table):
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
