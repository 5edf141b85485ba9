"""Every operation once, and every audit event it writes checked: its action has a sentence, and
the sentence (as the round's history shows it: "who | sentence") is Swedish with a verb in the
past tense, fully filled in, and names what was acted on (the organisation for recipient and
answer events)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from remiss.answers import operations as answer_ops
from remiss.answers.models import Channel
from remiss.audit.models import SENTENCES, AuditEvent, record
from remiss.auth.models import Role
from remiss.core.errors import DomainError
from remiss.core.time import local_today, utcnow
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.feedback import service as feedback
from remiss.public import service as public
from remiss.rounds import operations as ops
from remiss.rounds.models import MeasureKind
from remiss.rounds.service import parse_structure
from remiss.summary import service as summary
from tests.factories import AnswerFormData, make_organisation, make_round, make_user, upload

CENTRUM = "Socialnämnden Centrum"
KULTUR = "Kulturnämnden"
IDROTT = "Idrotts- och föreningsnämnden"
MILJO = "Miljö- och klimatnämnden"

# The verbs a history line may start with, written by hand (not read from SENTENCES).
PAST_TENSE_VERBS = {
    "skapade",
    "ändrade",
    "skickade",
    "schemalade",
    "tog",
    "kunde",
    "stängde",
    "öppnade",
    "avslutade",
    "laddade",
    "ersatte",
    "lade",
    "flyttade",
    "klistrade",
    "gav",
    "registrerade",
    "markerade",
    "sparade",
    "sekretessmarkerade",
    "hävde",
}


def _steps(c):
    """(name, operation, [(action, words the sentence must contain)]) in the order an officer and
    a body would do them."""
    s = c.state

    def create():
        s.round = ops.create_round(
            ops.RoundFacts(
                description="Synpunkter önskas.",
                officer_id=c.officer.id,
                title="Riktlinje för avhoppare",
                dnr="1234/24",
                decision="Kommunstyrelsen 2024-03-06 § 120",
                sent_on=c.today + timedelta(days=2),
                deadline=c.today + timedelta(days=40),
            ),
            by=c.officer,
        )
        for name in (CENTRUM, KULTUR, IDROTT):
            ops.add_recipients(s.round, [make_organisation(name)], by=c.officer, now=c.now)

    def facts():
        return ops.RoundFacts(
            description="Ändrad beskrivning",
            officer_id=c.officer.id,
            title=s.round.title,
            dnr=s.round.dnr,
            decision=s.round.decision,
            sent_on=s.round.sent_on,
            deadline=s.round.deadline,
        )

    def add_area():
        s.area = ops.add_focus_area(s.round, "1", "Samverkan", by=c.officer)

    def add_measures():
        s.first = ops.add_measure(s.area, "1:1", "Stärka samordningen", MeasureKind.MEASURE, by=c.officer)
        s.second = ops.add_measure(s.area, "1:2", "Följa upp", MeasureKind.MEASURE, by=c.officer)

    def add_second_area():
        s.area2 = ops.add_focus_area(s.round, "2", "Kunskap", by=c.officer)

    def paste():
        parsed = parse_structure("Fokusområde 3: Uppföljning\nFråga 3:1 Hur följer ni upp?", ["1", "2"])
        assert not parsed.problems
        ops.paste_structure(s.round, parsed, by=c.officer)

    def documents():
        s.draft_doc = ops.add_document(
            s.round, upload(filename="Riktlinje.pdf"), DocumentKind.DRAFT, by=c.officer
        )
        s.appendix = ops.add_document(
            s.round, upload(filename="Bilaga fel.pdf"), DocumentKind.APPENDIX, by=c.officer
        )

    def idrott():
        return s.round.recipient_for(make_organisation(IDROTT).id)

    def centrum():
        return s.round.recipient_for(make_organisation(CENTRUM).id)

    def kultur():
        return s.round.recipient_for(make_organisation(KULTUR).id)

    def submit():
        answer_ops.save_draft(centrum(), AnswerFormData(), by=c.respondent, now=c.now)
        answer_ops.submit_answer(centrum().answer, by=c.respondent, now=c.now)

    def register():
        answer_ops.register_answer(
            kultur(),
            AnswerFormData(position="avstyrker"),
            by=c.officer,
            channel=Channel.POST,
            received_on=c.today,
            now=c.now,
        )

    def resubmit():
        answer_ops.save_draft(centrum(), AnswerFormData(comment="Rättat."), by=c.respondent, now=c.now)
        answer_ops.submit_answer(centrum().answer, by=c.respondent, now=c.now)

    def finalise():
        ops.close_round(s.round, by=c.officer, now=c.now, confirmed=True)
        feedback.finalise(s.round, actor=c.officer, now=c.now)

    def scheduler():
        due = c.today + timedelta(days=1)
        for title, deadline in (
            ("Schemalagd", c.today + timedelta(days=30)),
            ("För sent", due + timedelta(days=1)),
        ):
            round_ = make_round(c.officer, recipients=[CENTRUM], title=title, sent_on=due, deadline=deadline)
            ops.add_document(round_, upload(), DocumentKind.DRAFT, by=c.officer)
            ops.schedule_round(round_, by=c.officer, now=c.now)
            s.scheduled.append(round_.id)
        db.session.commit()
        # Two days later: the first is sent, the second's deadline has come and it cannot be.
        assert ops.send_scheduled_rounds(c.now + timedelta(days=2)) == (1, 1)

    return [
        (
            "create_round",
            create,
            [("round.created", ["1234/24", "Riktlinje för avhoppare"])]
            + [("recipient.added", [name, "remissinstans"]) for name in (CENTRUM, KULTUR, IDROTT)],
        ),
        (
            "update_round",
            lambda: ops.update_round(s.round, facts(), by=c.officer),
            [("round.updated", ["remissen"])],
        ),
        ("add_focus_area", add_area, [("structure.area_added", ["Fokusområde 1", "Samverkan"])]),
        (
            "add_measure",
            add_measures,
            [
                ("structure.measure_added", ["Insats 1:1", "Stärka samordningen"]),
                ("structure.measure_added", ["Insats 1:2", "Följa upp"]),
            ],
        ),
        (
            "update_focus_area",
            lambda: ops.update_focus_area(s.area, "1", "Samverkan i staden", by=c.officer),
            [("structure.area_updated", ["Fokusområde 1", "Samverkan i staden"])],
        ),
        (
            "update_measure",
            # What a row is follows its group: in a focus area it stays a measure.
            lambda: ops.update_measure(s.first, "1:1", "Samordna", MeasureKind.QUESTION, by=c.officer),
            [("structure.measure_updated", ["Insats 1:1", "Samordna"])],
        ),
        (
            "move_measure",
            lambda: ops.move_measure(s.second, "up", by=c.officer),
            [("structure.measure_moved", ["Insats 1:2", "uppåt"])],
        ),
        ("add_second_area", add_second_area, [("structure.area_added", ["Fokusområde 2", "Kunskap"])]),
        (
            "move_focus_area",
            lambda: ops.move_focus_area(s.area2, "up", by=c.officer),
            [("structure.area_moved", ["Fokusområde 2", "uppåt"])],
        ),
        (
            "remove_measure",
            lambda: ops.remove_measure(s.second, by=c.officer),
            # Moved up (1:2 → 1:1) and its focus area moved up (1 → 2): now Insats 2:1.
            [("structure.measure_removed", ["Insats 2:1", "Följa upp"])],
        ),
        (
            "remove_focus_area",
            lambda: ops.remove_focus_area(s.area2, by=c.officer),
            [("structure.area_removed", ["Fokusområde 1", "Kunskap"])],
        ),
        ("paste_structure", paste, [("structure.pasted_parts", ["1 sektion och 1 fråga"])]),
        (
            "add_document",
            documents,
            [
                ("round.document_added", ["Remissförslag", "Riktlinje.pdf"]),
                ("round.document_added", ["Bilaga", "Bilaga fel.pdf"]),
            ],
        ),
        (
            "remove_document",
            lambda: ops.remove_document(s.appendix, by=c.officer),
            [("round.document_removed", ["Bilaga fel.pdf"])],
        ),
        (
            "remove_recipient",
            lambda: ops.remove_recipient(idrott(), by=c.officer),
            [("recipient.removed", [IDROTT])],
        ),
        (
            "change_contact",
            lambda: ops.change_contact(kultur(), "kultur.ny@example.se", by=c.officer),
            [("recipient.contact_changed", [KULTUR, "kultur.ny@example.se"])],
        ),
        (
            "set_reminder_days",
            lambda: ops.set_reminder_days(s.round, [10, 2], by=c.officer),
            [("round.reminder_days_changed", ["påminnelserna", "10 och 2 dagar"])],
        ),
        (
            "keep_out_of_register",
            lambda: public.set_public(s.round, False, actor=c.officer),
            [("round.made_not_public", ["remissen", "remissregistret"])],
        ),
        (
            "schedule_round",
            lambda: ops.schedule_round(s.round, by=c.officer, now=c.now),
            [("round.scheduled", ["remissen", (c.today + timedelta(days=2)).isoformat()])],
        ),
        (
            "unschedule_round",
            lambda: ops.unschedule_round(s.round, by=c.officer),
            [("round.unscheduled", ["utskicket"])],
        ),
        (
            "open_round",
            lambda: ops.open_round(s.round, by=c.officer, now=c.now),
            [("round.opened", ["remissen", "2 remissinstanser"])],
        ),
        (
            "add_recipients_to_open",
            lambda: ops.add_recipients(s.round, [make_organisation(MILJO)], by=c.officer, now=c.now),
            [("recipient.added", [MILJO, "bjöd in"])],
        ),
        (
            "replace_document",
            lambda: ops.add_document(
                s.round,
                upload(filename="Riktlinje rättad.pdf"),
                DocumentKind.DRAFT,
                by=c.officer,
                replaces=s.draft_doc,
            ),
            [("round.document_replaced", ["Riktlinje.pdf", "Riktlinje rättad.pdf"])],
        ),
        (
            "grant_extension",
            lambda: ops.grant_extension(
                kultur(), s.round.deadline + timedelta(days=7), "Sammanträde i mars", by=c.officer, now=c.now
            ),
            [("recipient.extension_granted", [KULTUR, "anstånd", "Sammanträde i mars"])],
        ),
        (
            "remind_now",
            lambda: ops.remind_now(s.round, by=c.officer, now=c.now),
            [("round.reminded", ["påminnelse", "3 remissinstanser"])],
        ),
        ("submit_answer", submit, [("answer.submitted", [CENTRUM, "version 1", "kvittonummer R-"])]),
        (
            "mark_read",
            lambda: ops.mark_answer_read(centrum(), by=c.officer, now=c.now),
            [("answer.read", [CENTRUM, "läst"])],
        ),
        (
            "reopen_answer",
            lambda: answer_ops.reopen_answer(centrum(), "Fel paragraf", by=c.officer, now=c.now),
            [("answer.reopened", [CENTRUM, "rättelse", "Fel paragraf"])],
        ),
        ("resubmit_answer", resubmit, [("answer.submitted", [CENTRUM, "version 2"])]),
        ("register_answer", register, [("answer.registered", [KULTUR, "post", c.today.isoformat()])]),
        (
            "mark_confidential",
            lambda: public.mark_confidential(
                kultur().latest_submitted, "OSL 18 kap. 1 §", round_=s.round, actor=c.officer
            ),
            [("secrecy.marked", [KULTUR, "OSL 18 kap. 1 §"])],
        ),
        (
            "lift_secrecy",
            lambda: public.lift_secrecy(kultur().latest_submitted, round_=s.round, actor=c.officer),
            [("secrecy.lifted", [KULTUR])],
        ),
        (
            "save_assessment",
            lambda: summary.save_assessment(
                s.round, overall="Bedömning", changes="Ändringar", areas={}, measures={}, actor=c.officer
            ),
            [("round.assessment_saved", ["bedömning", "2 texter"])],
        ),
        (
            "close_round",
            lambda: ops.close_round(s.round, by=c.officer, now=c.now, confirmed=True),
            [("round.closed", ["remissen", "i förtid", "1 av 3 remissinstanser har inte svarat"])],
        ),
        (
            "reopen_round",
            lambda: ops.reopen_round(s.round, by=c.officer, now=c.now),
            [("round.reopened", ["remissen"])],
        ),
        (
            "finalise",
            finalise,
            [
                ("round.closed", ["remissen"]),
                ("assessment.finalised", ["bedömningen", "återkoppling", "2 remissinstanser"]),
            ],
        ),
        (
            "archive_round",
            lambda: ops.archive_round(s.round, by=c.officer, now=c.now),
            [("round.archived", ["remissen"])],
        ),
        (
            "set_public_again",
            lambda: public.set_public(s.round, True, actor=c.officer),
            [("round.made_public", ["remissen", "remissregistret"])],
        ),
        (
            "send_scheduled_rounds",
            scheduler,
            [
                ("round.document_added", ["Remissförslag"]),
                ("round.scheduled", ["remissen"]),
                ("round.document_added", ["Remissförslag"]),
                ("round.scheduled", ["remissen"]),
                ("round.opened", ["remissen", "1 remissinstans"]),
                ("round.send_failed", ["remissen", "Sista svarsdagen"]),
            ],
        ),
    ]


@pytest.fixture
def officer_and_body(factories):
    now = utcnow()
    return SimpleNamespace(
        now=now,
        today=local_today(now),
        officer=make_user(Role.OFFICER, name="Anna Andersson"),
        respondent=make_user(Role.RESPONDENT, CENTRUM, name="Rut Respondent"),
        state=SimpleNamespace(scheduled=[]),
    )


def _new_events(after_id: int) -> list[AuditEvent]:
    db.session.flush()
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id))
    )


def _last_id() -> int:
    db.session.flush()
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def check_sentence(event: AuditEvent, words: list[str]) -> None:
    sentence = event.sentence
    assert event.action in SENTENCES
    assert sentence, event.action
    assert sentence != event.action and not sentence.startswith(event.action), sentence
    assert "{" not in sentence and "}" not in sentence, sentence
    first = sentence.split()[0]
    assert first in PAST_TENSE_VERBS, f"{event.action}: {sentence!r} does not start with a verb"
    for word in words:
        assert word in sentence, f"{event.action}: {sentence!r} does not name {word!r}"
    if event.action.startswith(("recipient.", "answer.")):
        assert event.object_type in ("Recipient", "Answer", "AnswerVersion")


def test_every_operation_writes_events_with_a_sentence(officer_and_body):
    c = officer_and_body
    steps = _steps(c)
    seen = []
    for name, operation, expected in steps:
        before = _last_id()
        operation()
        db.session.flush()
        events = _new_events(before)
        assert [e.action for e in events] == [a for a, _ in expected], name
        db.session.commit()
        db.session.expire_all()  # read the sentence back from the stored details
        for event, (_, words) in zip(events, expected, strict=True):
            check_sentence(event, words)
            assert event.round_id is not None, f"{name}: {event.action} is in no round's history"
            assert event.actor_id in (c.officer.id, c.respondent.id), f"{name}: {event.action} has no actor"
        seen.extend(events)
    # Everything except the scheduler's rounds belongs to the one round's history.
    main = {e.round_id for e in seen} - set(c.state.scheduled)
    assert main == {c.state.round.id}
    # Each kind of event the core writes was written at least once.
    assert {e.action for e in seen} == {
        "round.created",
        "round.updated",
        "round.opened",
        "round.scheduled",
        "round.unscheduled",
        "round.send_failed",
        "round.closed",
        "round.reopened",
        "round.archived",
        "round.document_added",
        "round.document_replaced",
        "round.document_removed",
        "round.reminder_days_changed",
        "round.reminded",
        "round.made_public",
        "round.made_not_public",
        "round.assessment_saved",
        "structure.area_added",
        "structure.area_updated",
        "structure.area_moved",
        "structure.area_removed",
        "structure.measure_added",
        "structure.measure_updated",
        "structure.measure_moved",
        "structure.measure_removed",
        "structure.pasted_parts",
        "recipient.added",
        "recipient.removed",
        "recipient.contact_changed",
        "recipient.extension_granted",
        "answer.submitted",
        "answer.registered",
        "answer.reopened",
        "answer.read",
        "assessment.finalised",
        "secrecy.marked",
        "secrecy.lifted",
    }


def test_the_operations_that_write_nothing(officer_and_body):
    """Saving a draft is not history (the draft shows who saved it last); a refused move and a
    move that changes nothing write no event."""
    c = officer_and_body
    round_ = make_round(c.officer, recipients=[CENTRUM], sent_on=c.today + timedelta(days=1))
    ops.add_document(round_, upload(), DocumentKind.DRAFT, by=c.officer)
    ops.open_round(round_, by=c.officer, now=c.now)
    before = _last_id()
    recipient = round_.recipients[0]
    answer_ops.save_draft(recipient, AnswerFormData(), by=c.respondent, now=c.now)
    assert not public.set_public(round_, True, actor=c.officer)  # listed by default already
    assert (
        summary.save_assessment(round_, overall=None, changes=None, areas={}, measures={}, actor=c.officer)
        == 0
    )
    with pytest.raises(DomainError):
        ops.archive_round(round_, by=c.officer, now=c.now)
    assert _new_events(before) == []


def test_record_refuses_an_action_without_a_sentence(factories):
    with pytest.raises(ValueError, match="no sentence"):
        record("round.deleted", None)
    with pytest.raises(ValueError, match="needs"):
        record("answer.reopened", None, organisation="Kulturnämnden")  # the reason is missing
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_the_history_line_reads_who_did_what(officer_and_body):
    c = officer_and_body
    round_ = make_round(c.officer, recipients=[CENTRUM, KULTUR])
    ops.add_document(round_, upload(), DocumentKind.DRAFT, by=c.officer)
    recipient = round_.recipients[1]
    ops.open_round(round_, by=c.officer, now=c.now)
    ops.grant_extension(
        recipient, round_.deadline + timedelta(days=5), "Sammanträde", by=c.officer, now=c.now
    )
    db.session.commit()
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "recipient.extension_granted")
    ).one()
    until = (round_.deadline + timedelta(days=5)).isoformat()
    assert f"{event.actor.name} {event.sentence}" == (
        f"Anna Andersson gav {KULTUR} anstånd till {until} (Sammanträde)"
    )
