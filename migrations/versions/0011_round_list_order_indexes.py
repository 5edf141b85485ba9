"""indexes in the order the lists of rounds are read: the register by date sent, the rounds list by deadline

The public register (and its search) pages rounds newest sent first (``sent_on DESC, id DESC``)
and the officers' rounds list by deadline (``deadline, id``). Without an index in that order the
database reads and sorts every round for each page: 2–13 ms a page on PostgreSQL at 10,000
rounds, and growing with the register. With one, a page reads the index from one end and stops
after the page.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:40:00

"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_round_sent_on_id", "round", ["sent_on", "id"])
    op.create_index("ix_round_deadline_id", "round", ["deadline", "id"])


def downgrade():
    op.drop_index("ix_round_deadline_id", table_name="round")
    op.drop_index("ix_round_sent_on_id", table_name="round")
