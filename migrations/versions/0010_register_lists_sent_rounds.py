"""the public register by default: the officer's choice is kept, no choice follows the setting

``round.is_public`` (NOT NULL, default false: a round was listed only when an officer ticked it)
becomes ``round.register_choice`` (nullable): true listed, false kept out, NULL no choice made,
which follows the installation's ``REGISTER_LISTS_SENT_ROUNDS`` (on by default: every sent
round is listed). ``Round.is_listed_in_register`` reads it.

The data: every existing round keeps what the register shows of it. Its ``is_public`` is copied
as an explicit choice, so a round that was public stays listed and one that was not stays out –
turning the setting on publishes nothing that was not published before. Rounds created from now
on start with no choice (NULL) and follow the setting. Downgrading writes each round's effective
listing back into ``is_public`` (a round with no choice gets the installation's setting, or false
outside an app), so the register shows the same rounds before and after.

Only a column is added and one dropped (no table is rebuilt): on SQLite, rebuilding ``round``
with foreign keys on would cascade-delete its structure, recipients and answers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

round_ = sa.table(
    "round",
    sa.column("is_public", sa.Boolean),
    sa.column("register_choice", sa.Boolean),
)


def _setting() -> bool:
    """The installation's REGISTER_LISTS_SENT_ROUNDS, when the migration runs inside the app."""
    try:
        from flask import current_app

        return bool(current_app.config.get("REGISTER_LISTS_SENT_ROUNDS", True))
    except RuntimeError:  # no application context: publish nothing by guessing
        return False


def upgrade():
    op.add_column("round", sa.Column("register_choice", sa.Boolean(), nullable=True))
    op.execute(round_.update().values(register_choice=round_.c.is_public))
    op.drop_column("round", "is_public")


def downgrade():
    op.add_column("round", sa.Column("is_public", sa.Boolean(), server_default=sa.false(), nullable=False))
    default = sa.true() if _setting() else sa.false()
    op.execute(round_.update().values(is_public=sa.func.coalesce(round_.c.register_choice, default)))
    op.drop_column("round", "register_choice")
