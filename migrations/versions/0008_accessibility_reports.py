"""accessibility reports: what visitors report from the accessibility statement's form, and the
e-mail kind that tells the contact address about each

The message kind is a VARCHAR with a CHECK of the known kinds: the CHECK is replaced with one
that knows ``accessibility_report``. On SQLite that rebuilds ``message`` (batch mode); no table
refers to it, so nothing cascades.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import remiss.core.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KINDS = ("invitation", "reminder", "overdue", "extension", "receipt", "digest", "account", "feedback")
NEW_KIND = "accessibility_report"


def _kind(values):
    return sa.Enum(*values, name="message_kind", native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table(
        "accessibility_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("page", sa.String(length=500), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", remiss.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["user_account.id"],
            name=op.f("fk_accessibility_report_handled_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_accessibility_report_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accessibility_report")),
    )
    with op.batch_alter_table("accessibility_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accessibility_report_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind(KINDS), type_=_kind((*KINDS, NEW_KIND)), existing_nullable=False
        )


def downgrade():
    op.execute(sa.text("DELETE FROM message WHERE kind = :kind").bindparams(kind=NEW_KIND))
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind((*KINDS, NEW_KIND)), type_=_kind(KINDS), existing_nullable=False
        )
    with op.batch_alter_table("accessibility_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accessibility_report_created_at"))
    op.drop_table("accessibility_report")
