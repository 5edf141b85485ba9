"""Rounds with answers for the summary tests: the demo round, corrections through a new version,
and rounds of any size built with the models' own methods."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from remiss.answers.models import Answer, Channel, MeasureComment, MeasurePosition, Position
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Measure, Recipient, Round
from tests.factories import make_organisation, make_round, make_user, send

DEMO_DNR = "1668/20"


def load_demo_round(runner) -> int:
    """Load the demo data through the command and return the id of handlingsplan-nyrekrytering."""
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Round.id).where(Round.dnr == DEMO_DNR))


def recipient_of(round_id: int, organisation: str) -> Recipient:
    return db.session.scalar(
        sa.select(Recipient)
        .join(Organisation)
        .where(Recipient.round_id == round_id, Organisation.name == organisation)
    )


def measure_of(round_id: int, number: str) -> Measure:
    round_ = db.session.get(Round, round_id)
    return next(m for m in round_.measures if m.number == number)


def correct_answer(round_id: int, organisation: str, measure_number: str, text: str, **changes):
    """Register a corrected answer received by e-mail: a new submitted version in which the
    comment on ``measure_number`` reads ``text``. The earlier version stays as it was."""
    officer = make_user(Role.OFFICER)
    recipient = recipient_of(round_id, organisation)
    answer = recipient.answer
    received_on = answer.latest_submitted.received_on
    answer.reopen(officer, "Rättelse")
    draft = answer.start_draft(by=officer)
    measure = measure_of(round_id, measure_number)
    comment = draft.comment_on(measure_id=measure.id)
    if comment is None:
        comment = MeasureComment(measure_id=measure.id)
        draft.comments.append(comment)
    comment.text = text
    for name, value in changes.items():
        setattr(draft, name, value)
    answer.submit(by=officer, channel=Channel.EMAIL, received_on=received_on)
    db.session.commit()
    return answer


def start_unsubmitted_draft(round_id: int, organisation: str, measure_number: str, text: str) -> None:
    """A respondent's draft that has not been submitted: it must never count."""
    recipient = recipient_of(round_id, organisation)
    if recipient.answer is None:
        recipient.answer = Answer()
    elif recipient.answer.latest_submitted is not None:
        recipient.answer.reopen(None, "Rättelse")
    draft = recipient.answer.start_draft()
    draft.position = Position.REJECT
    draft.other_comments = "Utkast som inte är inskickat"
    measure_id = measure_of(round_id, measure_number).id
    comment = draft.comment_on(measure_id=measure_id)
    if comment is None:
        comment = MeasureComment(measure_id=measure_id)
        draft.comments.append(comment)
    comment.text = text
    db.session.commit()


def build_round(recipients: int, areas: int, measures_per_area: int, *, drafts: bool = True) -> int:
    """A round in which every recipient answers and comments on every measure; with ``drafts``
    every second recipient also has a newer unsubmitted draft. Returns the round's id."""
    officer = make_user(Role.OFFICER, name="Hanna Handläggare")
    organisations = [make_organisation(f"Nämnd {i:03d}") for i in range(recipients)]
    structure = {
        f"Fokusområde {a}": [f"Insats {a}:{m}" for m in range(1, measures_per_area + 1)]
        for a in range(1, areas + 1)
    }
    today = date.today()
    round_ = make_round(
        officer=officer,
        recipients=organisations,
        structure=structure,
        sent_on=today - timedelta(days=30),
        deadline=today + timedelta(days=10),
    )
    send(round_)
    for i, recipient in enumerate(round_.recipients):
        recipient.answer = answer = Answer()
        draft = answer.start_draft()
        draft.position = Position.ASSENT
        draft.comment = f"Övergripande synpunkt {i}"
        draft.other_comments = f"Övrigt {i}"
        for area in round_.focus_areas:
            draft.comments.append(MeasureComment(focus_area_id=area.id, text=f"Om området {i}"))
            for measure in area.measures:
                draft.comments.append(
                    MeasureComment(
                        measure_id=measure.id,
                        position=MeasurePosition.REJECT if i % 3 == 0 else None,
                        text=f"Synpunkt från {i} på {measure.number}",
                    )
                )
        answer.submit(by=None, channel=Channel.IMPORT)
        db.session.flush()
        if drafts and i % 2:
            answer.reopen(None, "Rättelse")
            answer.start_draft().comment = "Ett utkast"
    db.session.commit()
    return round_.id
