"""personal invitation links: a body without an account gets in through its round's invitation

Each invitation to a body's contact address carries a personal link; only the hash of its token
is stored. The link is bound to the round, the body and the address, not to the recipient row,
so that a link of a body removed from the round can say so.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 08:00:00

"""

import sqlalchemy as sa
from alembic import op

import remiss.core.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invitation_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", remiss.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["user_account.id"],
            name=op.f("fk_invitation_link_account_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_invitation_link_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_invitation_link_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_link_token_hash")),
    )
    with op.batch_alter_table("invitation_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_link_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invitation_link_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invitation_link_round_id"), ["round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitation_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_link_round_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_link_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_link_account_id"))
    op.drop_table("invitation_link")
