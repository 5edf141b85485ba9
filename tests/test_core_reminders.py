"""The officer's "send a reminder now" (``rounds.operations.remind_now``) sends at most one
reminder per body and day, whatever happens to its deadline in between; never to a body that has
answered or that has not been invited."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.time import LOCAL_TZ, local_today
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind
from remiss.organisations.models import Organisation
from remiss.rounds import operations as ops
from remiss.rounds.models import Recipient
from tests.factories import answer_in_state, make_organisation, make_user, round_in_state

WAITING = "Socialnämnden Centrum"
ANSWERED = "Kulturnämnden"
DRAFTING = "Byggnadsnämnden"
NOT_INVITED = "Idrotts- och föreningsnämnden"


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LOCAL_TZ)


@pytest.fixture
def scene(factories):
    """An open round: one body waiting, one that has answered, one with a draft only, and one
    added without an invitation."""
    officer = make_user(Role.OFFICER)
    morning = at(local_today() + timedelta(days=1), 9)
    round_ = round_in_state("open", officer, organisations=(WAITING, ANSWERED, DRAFTING), now=morning)
    by_name = {r.organisation.name: r for r in round_.recipients}
    answer_in_state(by_name[ANSWERED], "submitted", respondent=officer, officer=officer, now=morning)
    answer_in_state(by_name[DRAFTING], "draft", respondent=officer, officer=officer, now=morning)
    never = Recipient(organisation=make_organisation(NOT_INVITED), contact_email="idrott@example.se")
    round_.recipients.append(never)
    db.session.commit()
    by_name[NOT_INVITED] = never
    return round_, officer, by_name, morning


def reminders() -> Counter:
    """Queued reminders per organisation name."""
    names = db.session.scalars(
        sa.select(Organisation.name)
        .join(Recipient, Recipient.organisation_id == Organisation.id)
        .join(Message, Message.recipient_id == Recipient.id)
        .where(Message.kind == MessageKind.REMINDER)
    ).all()
    return Counter(names)


def test_remind_now_twice_the_same_day_sends_once(scene):
    round_, officer, by_name, morning = scene
    assert ops.remind_now(round_, by=officer, now=morning) == (2, 0)
    db.session.commit()
    assert reminders() == Counter({WAITING: 1, DRAFTING: 1})
    # A double click, or a colleague in the afternoon: nothing more.
    assert ops.remind_now(round_, by=officer, now=morning + timedelta(minutes=1)) == (0, 2)
    assert ops.remind_now(round_, by=officer, now=morning + timedelta(hours=8)) == (0, 2)
    db.session.commit()
    assert reminders() == Counter({WAITING: 1, DRAFTING: 1})
    # Only the call that sent something is in the history.
    reminded = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "round.reminded")).all()
    assert [e.details["count"] for e in reminded] == [2]


def test_an_extension_in_between_does_not_open_a_second_reminder_that_day(scene):
    round_, officer, by_name, morning = scene
    ops.remind_now(round_, by=officer, now=morning)
    db.session.commit()
    waiting = by_name[WAITING]
    ops.grant_extension(
        waiting, round_.deadline + timedelta(days=14), "Nämnden sammanträder senare", by=officer, now=morning
    )
    db.session.commit()
    assert waiting.effective_deadline != round_.deadline
    assert ops.remind_now(round_, by=officer, now=morning + timedelta(hours=2)) == (0, 2)
    db.session.commit()
    assert reminders() == Counter({WAITING: 1, DRAFTING: 1})


def test_the_next_day_one_more(scene):
    round_, officer, by_name, morning = scene
    ops.remind_now(round_, by=officer, now=morning)
    ops.remind_now(round_, by=officer, now=morning + timedelta(hours=3))
    db.session.commit()
    next_morning = morning + timedelta(days=1)
    assert ops.remind_now(round_, by=officer, now=next_morning) == (2, 0)
    assert ops.remind_now(round_, by=officer, now=next_morning + timedelta(hours=1)) == (0, 2)
    db.session.commit()
    assert reminders() == Counter({WAITING: 2, DRAFTING: 2})


def test_the_day_is_goteborgs_day(scene):
    """23:30 and 00:30 local time are two days, though both fall on one UTC date."""
    round_, officer, by_name, morning = scene
    late = at(local_today(morning), 23).replace(minute=30)
    ops.remind_now(round_, by=officer, now=late)
    ops.remind_now(round_, by=officer, now=late + timedelta(hours=1))
    db.session.commit()
    assert reminders() == Counter({WAITING: 2, DRAFTING: 2})


def test_not_to_bodies_that_answered_or_were_not_invited(scene):
    round_, officer, by_name, morning = scene
    for day in range(3):
        ops.remind_now(round_, by=officer, now=morning + timedelta(days=day))
    db.session.commit()
    counted = reminders()
    assert counted[ANSWERED] == 0
    assert counted[NOT_INVITED] == 0
    assert counted[WAITING] == 3
    # Once invited (added to the open round through the operation), it is reminded too.
    newcomer = ops.add_recipients(
        round_, [make_organisation("Miljö- och klimatnämnden")], by=officer, now=morning
    )
    assert newcomer[0].invited_at is not None
    ops.remind_now(round_, by=officer, now=morning + timedelta(days=3))
    db.session.commit()
    assert reminders()["Miljö- och klimatnämnden"] == 1
