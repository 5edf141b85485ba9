"""a question is a question: focus areas, sections and headless groups of questions

A round's structure is measures under focus areas, questions (numbered 1, 2, 3 … in the round)
optionally under headed sections, or both. ``focus_area.kind`` says which a group is; the groups
of a round keep one series of numbers.

The data: a focus area whose rows are all questions becomes a section with the same number and
title; a focus area with both keeps its measures, and its questions move to a new section right
after it with the area's title (numbered after the round's last group). Then the round's
questions are numbered 1, 2, 3 … in the order shown (``1:1`` → ``1``). Answers stay attached to
the same rows. Downgrading turns sections back into focus areas, their questions ``N:1``, ``N:2`` …

Only a column is added (no table is rebuilt): on SQLite, rebuilding ``focus_area`` with foreign
keys on would cascade-delete every measure and answer comment.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 07:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

focus_area = sa.table(
    "focus_area",
    sa.column("id", sa.Integer),
    sa.column("round_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("number", sa.String),
    sa.column("title", sa.String),
    sa.column("position", sa.Integer),
    sa.column("assessment", sa.Text),
)
measure = sa.table(
    "measure",
    sa.column("id", sa.Integer),
    sa.column("focus_area_id", sa.Integer),
    sa.column("number", sa.String),
    sa.column("kind", sa.String),
    sa.column("position", sa.Integer),
)


def _areas_by_round(bind):
    rounds: dict[int, list] = {}
    for row in bind.execute(
        sa.select(
            focus_area.c.id, focus_area.c.round_id, focus_area.c.kind, focus_area.c.number, focus_area.c.title
        ).order_by(focus_area.c.round_id, focus_area.c.position, focus_area.c.id)
    ):
        rounds.setdefault(row.round_id, []).append(row)
    return rounds


def _rows_of(bind, area_id: int):
    return list(
        bind.execute(
            sa.select(measure.c.id, measure.c.kind, measure.c.number)
            .where(measure.c.focus_area_id == area_id)
            .order_by(measure.c.position, measure.c.id)
        )
    )


def upgrade():
    # A plain ADD COLUMN on both databases; the CHECK of the enum where ALTER can add one.
    op.add_column(
        "focus_area",
        sa.Column("kind", sa.String(length=32), server_default="focus_area", nullable=False),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint(
            op.f("ck_focus_area_area_kind"), "focus_area", "kind IN ('focus_area', 'section', 'questions')"
        )

    bind = op.get_bind()
    for round_id, areas in _areas_by_round(bind).items():
        order = []  # area ids in the order shown
        last = max((int(a.number) for a in areas if a.number.isdigit()), default=0)
        for area in areas:
            rows = _rows_of(bind, area.id)
            questions = [r for r in rows if r.kind == "question"]
            if not questions:
                order.append(area.id)
                continue
            if len(questions) == len(rows):
                bind.execute(focus_area.update().where(focus_area.c.id == area.id).values(kind="section"))
                order.append(area.id)
                continue
            original = bind.execute(
                sa.select(focus_area.c.title).where(focus_area.c.id == area.id)
            ).scalar_one()
            new_id = bind.execute(
                focus_area.insert()
                .values(
                    round_id=round_id,
                    kind="section",
                    number=str(last + 1),
                    title=original,
                    position=0,
                    assessment="",
                )
                .returning(focus_area.c.id)
            ).scalar_one()
            for index, question in enumerate(questions, start=1):
                bind.execute(
                    measure.update()
                    .where(measure.c.id == question.id)
                    .values(focus_area_id=new_id, position=index)
                )
            last += 1
            order += [area.id, new_id]
        for position, area_id in enumerate(order, start=1):
            bind.execute(focus_area.update().where(focus_area.c.id == area_id).values(position=position))
        number = 0
        for area_id in order:
            for row in _rows_of(bind, area_id):
                if row.kind == "question":
                    number += 1
                    bind.execute(measure.update().where(measure.c.id == row.id).values(number=str(number)))


def downgrade():
    bind = op.get_bind()
    for _round_id, areas in _areas_by_round(bind).items():
        for area in areas:
            if area.kind == "focus_area":
                continue
            bind.execute(
                focus_area.update()
                .where(focus_area.c.id == area.id)
                .values(kind="focus_area", title=area.title or "Frågor")
            )
            for index, row in enumerate(_rows_of(bind, area.id), start=1):
                bind.execute(
                    measure.update().where(measure.c.id == row.id).values(number=f"{area.number}:{index}")
                )
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_focus_area_area_kind"), "focus_area", type_="check")
    op.drop_column("focus_area", "kind")
