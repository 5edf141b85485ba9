"""limits on signing in and on password e-mails: failures of addresses without an account,
counters per client address and per e-mail address

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 08:00:00

"""

import sqlalchemy as sa
from alembic import op

import remiss.core.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", remiss.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "rate_counter",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("window_start", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start", name=op.f("pk_rate_counter")),
    )
    with op.batch_alter_table("rate_counter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counter_window_start"), ["window_start"], unique=False)


def downgrade():
    with op.batch_alter_table("rate_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counter_window_start"))
    op.drop_table("rate_counter")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_updated_at"))
    op.drop_table("login_failure")
