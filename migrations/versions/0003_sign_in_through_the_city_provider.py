"""sign-in through the city's identity provider: provider identity, group mappings, settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 07:00:00

"""
import sqlalchemy as sa
from alembic import op

import remiss.core.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("deactivated_by_provider", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_user_account_oidc_issuer_oidc_subject"), ["oidc_issuer", "oidc_subject"]
        )

    op.create_table(
        "group_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "officer", "manager", "respondent",
                name="role", native_enum=False, create_constraint=True, length=32,
            ),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", remiss.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'respondent') = (organisation_id IS NOT NULL)",
            name=op.f("ck_group_mapping_respondent_has_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_group_mapping_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_mapping")),
        sa.UniqueConstraint("group", name=op.f("uq_group_mapping_group")),
    )
    with op.batch_alter_table("group_mapping", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_mapping_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "sign_in_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("require_provider_for_city", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", remiss.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_settings")),
    )


def downgrade():
    op.drop_table("sign_in_settings")
    with op.batch_alter_table("group_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_mapping_organisation_id"))
    op.drop_table("group_mapping")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_oidc_issuer_oidc_subject"), type_="unique")
        batch_op.drop_column("deactivated_by_provider")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
