"""scheduled sending of a round; a corrected round document names the one it replaces

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 07:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_scheduled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_round_send_scheduled_by_id_user_account"),
            "user_account",
            ["send_scheduled_by_id"],
            ["id"],
        )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_document_replaces_id"), ["replaces_id"], unique=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_document_replaces_id_document"),
            "document",
            ["replaces_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_document_replaces_id_document"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_document_replaces_id"))
        batch_op.drop_column("replaces_id")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_round_send_scheduled_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("send_scheduled_by_id")
