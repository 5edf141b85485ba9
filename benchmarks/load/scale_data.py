"""The database of the scale scenario (issue 18), inserted in bulk: the demo data, 10,000 public
rounds spread over ten years and the load officers (each with 5 bodies, most without an answer),
and one open round of 300 bodies × 60 measures in which 200 bodies have answered on every
measure (12,000 comments of 400 characters; the other 100 are the respondents' to work on).

Used by ``benchmarks/load/scale.py``; ``build(url, users, password_hash)`` returns the ids the
simulated people need."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

ROUNDS = 10_000
BODIES_PER_ROUND = 5
BIG_BODIES = 300
BIG_ANSWERED = 200
BIG_AREAS, BIG_MEASURES_PER_AREA = 6, 10
COMMENT_LENGTH = 400
WORDS = (
    "plan program riktlinje strategi policy handlingsplan äldreomsorg förskola skola trafik cykel "
    "klimat miljö bostäder kultur idrott integration trygghet näringsliv digitalisering avfall "
    "vatten grönområden mobilitet folkhälsa barn unga jämlikhet arbetsmarknad upphandling"
).split()
ROLES = ("officer", "manager", "respondent", "admin")


def _text(seed: int, length: int = COMMENT_LENGTH) -> str:
    words = (
        "Nämnden ser positivt på insatsen men vill att ansvaret mellan förvaltningarna förtydligas "
        "och att samverkan med polisen och skolan beskrivs närmare i handlingsplanen "
    ).split()
    out, i = [], seed
    while sum(len(w) + 1 for w in out) < length:
        out.append(words[i % len(words)])
        i += 7
    return " ".join(out)[:length]


def build(app, users: int, password_hash: str) -> dict:
    import sqlalchemy as sa

    from remiss.answers.models import Answer, AnswerVersion, MeasureComment
    from remiss.auth.models import Role, User
    from remiss.demo import load_demo
    from remiss.extensions import db
    from remiss.organisations.models import Organisation, OrganisationKind
    from remiss.rounds.models import FocusArea, Measure, Recipient, Round, RoundStatus

    started = time.monotonic()
    chance = random.Random(18)  # noqa: S311 - test data
    now = datetime.now(UTC)
    today = now.date()
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        demo_closed = db.session.scalar(sa.select(Round.id).where(Round.is_closed))
        demo_open = db.session.scalar(sa.select(Round.id).where(Round.is_open))

        # 300 bodies of their own for the big round.
        kinds = list(OrganisationKind)
        db.session.execute(
            sa.insert(Organisation),
            [
                {
                    "name": f"Skalnämnd {i:03d}",
                    "short_name": f"SN {i:03d}",
                    "kind": kinds[i % 3],
                    "email": f"sn{i}@example.se",
                }
                for i in range(BIG_BODIES)
            ],
        )
        big_bodies = db.session.scalars(
            sa.select(Organisation.id).where(Organisation.name.like("Skalnämnd %")).order_by(Organisation.id)
        ).all()
        all_bodies = db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)).all()

        # Accounts: the respondents belong to the big round's bodies that have not answered.
        for role in ROLES:
            db.session.execute(
                sa.insert(User),
                [
                    {
                        "email": f"load-{role}-{n}@example.se",
                        "name": f"Last {role} {n}",
                        "role": Role(role),
                        "organisation_id": big_bodies[BIG_ANSWERED + n % (BIG_BODIES - BIG_ANSWERED)]
                        if role == "respondent"
                        else None,
                        "password_hash": password_hash,
                        "active": True,
                    }
                    for n in range(1, users + 1)
                ],
            )
        officers = db.session.scalars(
            sa.select(User.id).where(User.email.like("load-officer-%")).order_by(User.id)
        ).all()

        # 10,000 public rounds over ten years.
        statuses = [RoundStatus.ARCHIVED] * 6 + [RoundStatus.CLOSED] * 3 + [RoundStatus.OPEN]
        rows = []
        for i in range(ROUNDS):
            sent = today - timedelta(days=chance.randrange(0, 3650))
            status = chance.choice(statuses)
            deadline = sent + timedelta(days=chance.randrange(30, 90))
            if status is RoundStatus.OPEN:
                deadline = today + timedelta(days=chance.randrange(-10, 60))
                sent = min(sent, deadline - timedelta(days=30))
            title = " ".join(chance.sample(WORDS, 4)).capitalize()
            opened = datetime(sent.year, sent.month, sent.day, 8, tzinfo=UTC)
            rows.append(
                {
                    "title": f"Förslag till {title} {i}",
                    "dnr": f"{i % 9000 + 100}/{sent.year % 100:02d}",
                    "description": "Synpunkter önskas.",
                    "decision": "",
                    "officer_id": officers[i % len(officers)],
                    "sent_on": sent,
                    "deadline": deadline,
                    "status": status,
                    "reminder_days": "14,3",
                    "register_choice": True,
                    "opened_at": opened,
                    "closed_at": None if status is RoundStatus.OPEN else opened + timedelta(days=60),
                    "assessment_final_at": opened + timedelta(days=90)
                    if i % 4 == 0 and status is not RoundStatus.OPEN
                    else None,
                    "created_at": opened,
                    "updated_at": opened,
                }
            )
        db.session.execute(sa.insert(Round), rows)
        round_ids = db.session.scalars(
            sa.select(Round.id)
            .where(Round.description == "Synpunkter önskas.", Round.id.not_in([demo_open, demo_closed]))
            .order_by(Round.id)
        ).all()
        recipients = []
        for n, round_id in enumerate(round_ids):
            for body in chance.sample(all_bodies, BODIES_PER_ROUND):
                recipients.append(
                    {
                        "round_id": round_id,
                        "organisation_id": body,
                        "contact_email": "x@example.se",
                        "invited_at": now - timedelta(days=n % 3650),
                        "created_at": now,
                    }
                )
        for start in range(0, len(recipients), 10_000):
            db.session.execute(sa.insert(Recipient), recipients[start : start + 10_000])

        # The big round: open, public, 300 bodies × 60 measures, 200 answered.
        officer = db.session.get(User, officers[0])
        big = Round(
            title="Stor remiss om stadens gemensamma handlingsplan",
            dnr="1818/26",
            description="Den stora remissen.",
            decision="Kommunstyrelsen 2026-10-01 § 18",
            sent_on=today - timedelta(days=20),
            deadline=today + timedelta(days=40),
            status=RoundStatus.OPEN,
            officer=officer,
            register_choice=True,
            opened_at=now - timedelta(days=20),
        )
        db.session.add(big)
        for a in range(1, BIG_AREAS + 1):
            area = FocusArea(number=str(a), title=f"Fokusområde {a}: {_text(a, 60)}", position=a)
            for m in range(1, BIG_MEASURES_PER_AREA + 1):
                area.measures.append(Measure(number=f"{a}:{m}", title=_text(a * 100 + m, 120), position=m))
            big.focus_areas.append(area)
        db.session.flush()
        db.session.execute(
            sa.insert(Recipient),
            [
                {
                    "round_id": big.id,
                    "organisation_id": o,
                    "contact_email": f"sn{i}@example.se",
                    "invited_at": now - timedelta(days=20),
                    "created_at": now,
                }
                for i, o in enumerate(big_bodies)
            ],
        )
        answered = db.session.scalars(
            sa.select(Recipient.id)
            .where(Recipient.round_id == big.id)
            .order_by(Recipient.id)
            .limit(BIG_ANSWERED)
        ).all()
        db.session.execute(sa.insert(Answer), [{"recipient_id": r, "created_at": now} for r in answered])
        answer_ids = db.session.scalars(
            sa.select(Answer.id).where(Answer.recipient_id.in_(answered)).order_by(Answer.id)
        ).all()
        db.session.execute(
            sa.insert(AnswerVersion),
            [
                {
                    "answer_id": answer_id,
                    "number": 1,
                    "revision": 1,
                    "position": "tillstyrker" if i % 5 else "avstyrker",
                    "comment": _text(i),
                    "other_comments": _text(i + 3),
                    "decided_by": f"Skalnämnd {i:03d}",
                    "decision_date": today - timedelta(days=3),
                    "decision_paragraph": str(i),
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    "received_on": today - timedelta(days=2),
                    "channel": "import",
                    "receipt_number": f"R-SCALE-{i:05d}",
                    "days_late": 0,
                }
                for i, answer_id in enumerate(answer_ids)
            ],
        )
        version_ids = db.session.scalars(
            sa.select(AnswerVersion.id)
            .where(AnswerVersion.answer_id.in_(answer_ids))
            .order_by(AnswerVersion.id)
        ).all()
        measure_ids = [m.id for m in big.measures]
        texts = [_text(k) for k in range(997)]
        for start in range(0, len(version_ids), 100):
            db.session.execute(
                sa.insert(MeasureComment),
                [
                    {
                        "version_id": v,
                        "measure_id": m,
                        "position": "avstyrker" if (i + j) % 9 == 0 else None,
                        "text": texts[(i * 61 + j) % len(texts)],
                    }
                    for i, v in enumerate(version_ids[start : start + 100], start=start)
                    for j, m in enumerate(measure_ids)
                ],
            )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Statistics as autovacuum keeps them on a database in use (it would analyse these
            # tables within a minute or so of the bulk insert, in the middle of the run).
            with db.engine.begin() as connection:
                connection.execute(sa.text(f"ANALYZE {', '.join(db.metadata.tables)}"))
        counts = {
            "rounds": db.session.scalar(sa.select(sa.func.count(Round.id))),
            "recipients": db.session.scalar(sa.select(sa.func.count(Recipient.id))),
            "comments": db.session.scalar(sa.select(sa.func.count(MeasureComment.id))),
        }
        big_id = big.id
        db.engine.dispose()
    return {
        "big": big_id,
        "demo_open": demo_open,
        "demo_closed": demo_closed,
        "counts": counts,
        "seconds": time.monotonic() - started,
    }
