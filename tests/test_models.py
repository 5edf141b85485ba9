"""Rules that live on the models and in the database."""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerStatus, Channel, Position
from remiss.auth.models import Role, User
from remiss.core.errors import DomainError
from remiss.core.time import LOCAL_TZ
from remiss.extensions import db
from remiss.rounds.models import Recipient, Round, RoundStatus
from tests.factories import make_round, make_user, send


@pytest.fixture
def open_round(factories):
    officer = make_user(Role.OFFICER)
    round_ = make_round(officer=officer, recipients=["Socialnämnden Centrum", "Kriminalvården"])
    send(round_)
    db.session.commit()
    return round_


def test_a_submitted_version_is_never_changed(open_round):
    recipient = open_round.recipients[0]
    recipient.answer = Answer()
    draft = recipient.answer.start_draft()
    draft.position = Position.ASSENT
    draft.comment = "Bra förslag."
    version = recipient.answer.submit(by=None)
    db.session.commit()
    assert recipient.answer.status is AnswerStatus.SUBMITTED
    version.comment = "Ändrat i efterhand"
    with pytest.raises(DomainError, match="inskickat svar kan inte ändras"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(version)
    with pytest.raises(DomainError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DomainError, match="redan inskickat"):
        recipient.answer.start_draft()


def test_a_correction_becomes_version_2_and_version_1_stays(open_round):
    officer = db.session.scalar(sa.select(User).where(User.role == Role.OFFICER))
    answer = Answer()
    open_round.recipients[0].answer = answer
    answer.start_draft().position = Position.REJECT
    answer.submit(by=None)
    answer.reopen(by=officer, reason="Fel i yttrandet")
    draft = answer.start_draft()
    assert draft.number == 2 and draft.position is Position.REJECT
    draft.position = Position.ASSENT
    answer.submit(by=None)
    db.session.commit()
    assert [v.position for v in answer.versions] == [Position.REJECT, Position.ASSENT]
    assert answer.latest_submitted.number == 2


def test_late_answer_is_marked_with_days(open_round):
    recipient = open_round.recipients[1]
    recipient.answer = Answer()
    recipient.answer.start_draft().position = Position.ASSENT
    version = recipient.answer.submit(
        by=None, channel=Channel.POST, received_on=open_round.deadline + timedelta(days=3)
    )
    assert version.days_late == 3 and version.is_late


def test_extension_moves_the_recipients_deadline(open_round):
    recipient = open_round.recipients[0]
    with pytest.raises(DomainError, match="efter remissens sista svarsdag"):
        recipient.grant_extension(open_round.deadline, "Nämnden sammanträder sent")
    recipient.grant_extension(open_round.deadline + timedelta(days=10), "Sammanträde")
    db.session.commit()
    assert recipient.effective_deadline == open_round.deadline + timedelta(days=10)
    late = db.session.scalars(
        sa.select(Recipient).where(Recipient.effective_deadline > open_round.deadline)
    ).all()
    assert late == [recipient]


def test_round_refuses_illegal_moves(factories):
    round_ = make_round(structure={})
    with pytest.raises(DomainError) as refused:
        send(round_)
    assert "inga remissinstanser" in refused.value.message
    assert "inga fokusområden" in refused.value.message
    with pytest.raises(DomainError, match="Bara en öppen remiss kan stängas"):
        round_.close()
    with pytest.raises(DomainError, match="Bara en stängd remiss kan avslutas"):
        round_.archive()
    assert round_.status is RoundStatus.DRAFT


def test_submitting_to_a_closed_round_is_refused_and_draft_kept(open_round):
    recipient = open_round.recipients[0]
    recipient.answer = Answer()
    recipient.answer.start_draft().position = Position.ASSENT
    open_round.close()
    with pytest.raises(DomainError, match="Remissen är stängd"):
        recipient.answer.submit(by=None)
    assert recipient.answer.status is AnswerStatus.DRAFT
    # An officer may still register an answer that came by post.
    recipient.answer.submit(by=None, channel=Channel.POST)
    assert recipient.answer.status is AnswerStatus.SUBMITTED


def test_database_refuses_respondent_without_organisation(factories):
    db.session.add(User(name="X", email="x@example.se", role=Role.RESPONDENT))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_deadline_before_sending(factories):
    db.session.add(Round(title="T", dnr="1/22", sent_on=date(2022, 2, 1), deadline=date(2022, 1, 1)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_timestamps_are_utc_aware(open_round):
    db.session.expire_all()
    loaded = db.session.get(Round, open_round.id)
    assert loaded.opened_at.tzinfo is not None
    assert loaded.opened_at.utcoffset() == timedelta(0)
    assert loaded.opened_at == datetime.combine(loaded.sent_on, time(9), LOCAL_TZ)


def test_recipient_status_text(open_round):
    centrum, kriminalvarden = open_round.recipients
    assert centrum.status_text == "Ej påbörjat"
    kriminalvarden.grant_extension(open_round.deadline + timedelta(days=14), "Sammanträde")
    assert kriminalvarden.status_text == "Ej påbörjat – anstånd till " + (
        (open_round.deadline + timedelta(days=14)).isoformat()
    )
    centrum.answer = Answer()
    centrum.answer.start_draft().position = Position.ASSENT
    assert centrum.status_text == "Utkast"
    centrum.answer.submit(by=None, channel=Channel.EMAIL, received_on=open_round.deadline + timedelta(days=1))
    assert centrum.status_text == "Inskickat för sent, 1 dag"
    kriminalvarden.answer = Answer()
    kriminalvarden.answer.start_draft().position = Position.ASSENT
    kriminalvarden.answer.submit(by=None, received_on=open_round.deadline + timedelta(days=3))
    assert kriminalvarden.status_text == "Inskickat"
    assert centrum.days_left(open_round.deadline - timedelta(days=2)) == 2


def test_sqlite_connections_enforce_foreign_keys_with_wal_and_busy_timeout(ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
