"""themes (kodning) and tagged comments, the report's edited opening, similar-answer groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 07:30:00

"""
import sqlalchemy as sa
from alembic import op

import remiss.core.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_theme_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("round_id", "name", name=op.f("uq_theme_round_id_name")),
    )
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_round_id"), ["round_id"], unique=False)

    op.create_table(
        "comment_theme",
        sa.Column("measure_comment_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("tagged_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_comment_id"],
            ["measure_comment.id"],
            name=op.f("fk_comment_theme_measure_comment_id_measure_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_comment_theme_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("measure_comment_id", "theme_id", name=op.f("pk_comment_theme")),
    )
    with op.batch_alter_table("comment_theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_theme_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "report_text",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("updated_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_report_text_round_id_round"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_report_text_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_report_text")),
    )

    op.create_table(
        "similarity_cache",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("computed_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_similarity_cache_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_similarity_cache")),
    )

    op.create_table(
        "similarity_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("similarity", sa.Integer(), nullable=False),
        sa.Column("comment_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_similarity_group_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_similarity_group")),
    )
    with op.batch_alter_table("similarity_group", schema=None) as batch_op:
        batch_op.create_index("ix_similarity_group_round_id_target", ["round_id", "target"], unique=False)


def downgrade():
    with op.batch_alter_table("similarity_group", schema=None) as batch_op:
        batch_op.drop_index("ix_similarity_group_round_id_target")
    op.drop_table("similarity_group")
    op.drop_table("similarity_cache")
    op.drop_table("report_text")
    with op.batch_alter_table("comment_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_theme_theme_id"))
    op.drop_table("comment_theme")
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_round_id"))
    op.drop_table("theme")
