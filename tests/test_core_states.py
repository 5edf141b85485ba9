"""The state × operation table: every operation of the domain core tried in every state of a round
and of an answer, allowed or refused with its Swedish message. The expected table is written by
hand from ../shared/domain.md (a round: utkast → öppen → stängd → avslutad; an answer:
ej påbörjat → utkast → inskickat, reopened for correction by the office), not derived from the
code: a rule that drifts makes its cell fail.

Also: the hybrids (``Recipient.is_overdue`` & co., ``Round.is_open`` & co.) give the same answer
in Python and in SQL, on whichever database the suite runs on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from remiss.answers import operations as answer_ops
from remiss.answers.models import Channel, Position
from remiss.answers.service import store_decision
from remiss.answers.template import TemplateImport
from remiss.auth.models import Role
from remiss.core.errors import ConfirmationRequired, DomainError
from remiss.core.time import LOCAL_TZ, format_date, local_today, utcnow
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.feedback import service as feedback
from remiss.public import service as public
from remiss.rounds import operations as ops
from remiss.rounds.models import AnswerStatus, MeasureKind, Recipient, Round, RoundStatus
from remiss.rounds.service import parse_structure
from remiss.summary import service as summary
from tests.factories import (
    ROUND_STATES,
    AnswerFormData,
    answer_in_state,
    make_organisation,
    make_round,
    make_user,
    round_in_state,
    send,
    upload,
)

ORG = "Socialnämnden Centrum"
OTHER = "Kulturnämnden"

OK = "allowed"


@dataclass(frozen=True)
class Confirm:
    """Allowed only after an explicit confirmation: ``ConfirmationRequired`` with this message."""

    message: str


# The Swedish messages -----------------------------------------------------------------------------
ONLY_DRAFT_SENT = "Bara en remiss som är ett utkast kan skickas."
NOT_SCHEDULED = "Remissen är inte schemalagd."
ONLY_OPEN_CLOSED = "Bara en öppen remiss kan stängas."
ONLY_CLOSED_REOPENED = "Bara en stängd remiss kan öppnas igen."
ONLY_CLOSED_ARCHIVED = "Bara en stängd remiss kan avslutas."
ARCHIVED_UNCHANGEABLE = "En avslutad remiss kan inte ändras."
DOCUMENTS_FROZEN = (
    "Remissen är skickad och dess dokument är allmänna handlingar som inte kan tas bort. "
    "Ladda upp en rättad version som ersätter dokumentet i stället."
)
RECIPIENTS_NOT_ADDED = "Remissinstanser kan bara läggas till medan remissen är ett utkast eller öppen."
RECIPIENTS_NOT_REMOVED = "Remissinstanser kan bara tas bort medan remissen är ett utkast eller öppen."
RECIPIENTS_NOT_CHANGED = "Remissinstanser kan bara ändras medan remissen är ett utkast eller öppen."
EXTENSION_ONLY_OPEN = "Anstånd kan bara ges medan remissen är öppen."
STRUCTURE_FROZEN = "Strukturen kan bara ändras medan remissen är ett utkast."
REMINDER_DAYS_FROZEN = "Påminnelserna kan bara ändras medan remissen är ett utkast eller öppen."
REMIND_ONLY_OPEN = "Påminnelser kan bara skickas medan remissen är öppen."
ASSESSMENT_ARCHIVED = "Remissen är avslutad. Bedömningen kan inte längre ändras."
FINALISE_NOT_CLOSED = "Bedömningen kan markeras som slutlig först när remissen är stängd."
CLOSE_EARLY = Confirm("Remissen stängs i förtid. Bekräfta att den ska stängas.")

CLOSED_TO_ANSWERS = (
    "Remissen är stängd och tar inte emot fler svar. Kontakta handläggaren om ni behöver lämna svar."
)
ANSWER_LOCKED = "Svaret är inskickat och kan inte ändras. Kontakta handläggaren om ni behöver rätta något."
NOT_YOUR_FILE = "Filen hör inte till ert utkast."
NO_DRAFT = "Det finns inget utkast att skicka in."
SUBMIT_CLOSED = (
    "Remissen är stängd och tar inte emot fler svar. Ert utkast är sparat; "
    "kontakta handläggaren om ni behöver lämna svar."
)
ALREADY_SUBMITTED = "Svaret är redan inskickat. Öppna det för rättelse om ett nytt svar ska registreras."
REGISTER_ONLY_OPEN_OR_CLOSED = "Svar kan bara registreras medan remissen är öppen eller stängd."
ONLY_SUBMITTED_REOPENED = "Bara ett inskickat svar kan öppnas för rättelse."
ARCHIVED_NO_CORRECTION = "Remissen är avslutad; svaren kan inte längre rättas."
NOTHING_TO_READ = f"{ORG} har inget inskickat svar att markera som läst."
ARCHIVED_READ_ONLY = "Remissen är avslutad och kan inte ändras."
ALREADY_SCHEDULED = "Remissen är redan schemalagd att skickas."
ASSESSMENT_NOT_SENT = "Bedömningen kan skrivas först när remissen är skickad."
RESEND_ONLY_OPEN = "Inbjudan kan bara skickas igen medan remissen är öppen."


def row(draft, scheduled, open_, closed, archived) -> dict[str, object]:
    return dict(zip(ROUND_STATES, (draft, scheduled, open_, closed, archived), strict=True))


# The round table: operation -> expected outcome per round state ----------------------------------
# Columns: draft, scheduled draft, open, closed, archived.
ROUND_TABLE: dict[str, dict[str, object]] = {
    "update_round": row(OK, OK, OK, OK, ARCHIVED_UNCHANGEABLE),
    "open_round": row(OK, OK, ONLY_DRAFT_SENT, ONLY_DRAFT_SENT, ONLY_DRAFT_SENT),
    "schedule_round": row(OK, ALREADY_SCHEDULED, ONLY_DRAFT_SENT, ONLY_DRAFT_SENT, ONLY_DRAFT_SENT),
    "unschedule_round": row(NOT_SCHEDULED, OK, NOT_SCHEDULED, NOT_SCHEDULED, NOT_SCHEDULED),
    "close_round": row(ONLY_OPEN_CLOSED, ONLY_OPEN_CLOSED, CLOSE_EARLY, ONLY_OPEN_CLOSED, ONLY_OPEN_CLOSED),
    "close_round_confirmed": row(ONLY_OPEN_CLOSED, ONLY_OPEN_CLOSED, OK, ONLY_OPEN_CLOSED, ONLY_OPEN_CLOSED),
    "reopen_round": row(
        ONLY_CLOSED_REOPENED, ONLY_CLOSED_REOPENED, ONLY_CLOSED_REOPENED, OK, ONLY_CLOSED_REOPENED
    ),
    "archive_round": row(
        ONLY_CLOSED_ARCHIVED, ONLY_CLOSED_ARCHIVED, ONLY_CLOSED_ARCHIVED, OK, ONLY_CLOSED_ARCHIVED
    ),
    "add_document": row(OK, OK, OK, OK, ARCHIVED_UNCHANGEABLE),
    "replace_document": row(OK, OK, OK, OK, ARCHIVED_UNCHANGEABLE),
    "remove_document": row(OK, OK, DOCUMENTS_FROZEN, DOCUMENTS_FROZEN, DOCUMENTS_FROZEN),
    "add_recipients": row(OK, OK, OK, RECIPIENTS_NOT_ADDED, RECIPIENTS_NOT_ADDED),
    "remove_recipient": row(OK, OK, OK, RECIPIENTS_NOT_REMOVED, RECIPIENTS_NOT_REMOVED),
    "choose_recipients": row(OK, OK, OK, RECIPIENTS_NOT_CHANGED, RECIPIENTS_NOT_CHANGED),
    "change_contact": row(OK, OK, OK, OK, ARCHIVED_UNCHANGEABLE),
    # The invitation again, with a fresh personal link: while the round takes answers.
    "resend_invitation": row(RESEND_ONLY_OPEN, RESEND_ONLY_OPEN, OK, RESEND_ONLY_OPEN, RESEND_ONLY_OPEN),
    "grant_extension": row(
        EXTENSION_ONLY_OPEN, EXTENSION_ONLY_OPEN, OK, EXTENSION_ONLY_OPEN, EXTENSION_ONLY_OPEN
    ),
    "add_focus_area": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "update_focus_area": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "move_focus_area": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "remove_focus_area": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "add_measure": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "update_measure": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "move_measure": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "remove_measure": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "paste_structure": row(OK, OK, STRUCTURE_FROZEN, STRUCTURE_FROZEN, STRUCTURE_FROZEN),
    "set_reminder_days": row(OK, OK, OK, REMINDER_DAYS_FROZEN, REMINDER_DAYS_FROZEN),
    "remind_now": row(REMIND_ONLY_OPEN, REMIND_ONLY_OPEN, OK, REMIND_ONLY_OPEN, REMIND_ONLY_OPEN),
    # The assessment is written once the round is sent and frozen when it is archived
    # (Round.assessment_editable).
    "save_assessment": row(ASSESSMENT_NOT_SENT, ASSESSMENT_NOT_SENT, OK, OK, ASSESSMENT_ARCHIVED),
    "finalise": row(FINALISE_NOT_CLOSED, FINALISE_NOT_CLOSED, FINALISE_NOT_CLOSED, OK, OK),
    # A draft may be made public in advance (it is listed once sent); a public record stays so.
    "set_public": row(OK, OK, OK, OK, OK),
}

# Cells where the code disagrees with the rule; strict, so that the fix makes them fail until the
# marker goes.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _facts(round_: Round, officer) -> ops.RoundFacts:
    return ops.RoundFacts(
        description="Ny beskrivning",
        officer_id=officer.id,
        title=round_.title,
        dnr=round_.dnr,
        decision=round_.decision,
        sent_on=round_.sent_on,
        deadline=round_.deadline,
    )


def _finalise(round_: Round, c) -> None:
    round_.assessment = "Stadsledningskontoret har beaktat synpunkterna."
    feedback.finalise(round_, actor=c.officer, now=c.now)


def _paste(round_: Round, c) -> None:
    parsed = parse_structure(
        "Fokusområde 9: Inklistrat\nInsats 9:1 Ny insats", [a.number for a in round_.focus_areas]
    )
    assert not parsed.problems
    ops.paste_structure(round_, parsed, by=c.officer)


ROUND_OPERATIONS = {
    "update_round": lambda r, c: ops.update_round(r, _facts(r, c.officer), by=c.officer),
    "open_round": lambda r, c: ops.open_round(r, by=c.officer, now=c.now),
    "schedule_round": lambda r, c: ops.schedule_round(r, by=c.officer, now=c.now),
    "unschedule_round": lambda r, c: ops.unschedule_round(r, by=c.officer),
    "close_round": lambda r, c: ops.close_round(r, by=c.officer, now=c.now),
    "close_round_confirmed": lambda r, c: ops.close_round(r, by=c.officer, now=c.now, confirmed=True),
    "reopen_round": lambda r, c: ops.reopen_round(r, by=c.officer, now=c.now),
    "archive_round": lambda r, c: ops.archive_round(r, by=c.officer, now=c.now),
    "add_document": lambda r, c: ops.add_document(
        r, upload(filename="Bilaga 1.pdf"), DocumentKind.APPENDIX, by=c.officer
    ),
    "replace_document": lambda r, c: ops.add_document(
        r,
        upload(filename="Remissförslag rättat.pdf"),
        DocumentKind.DRAFT,
        by=c.officer,
        replaces=r.current_documents[0],
    ),
    "remove_document": lambda r, c: ops.remove_document(r.documents[0], by=c.officer),
    "add_recipients": lambda r, c: ops.add_recipients(
        r, [make_organisation("Idrotts- och föreningsnämnden")], by=c.officer, now=c.now
    ),
    "remove_recipient": lambda r, c: ops.remove_recipient(r.recipients[0], by=c.officer),
    "choose_recipients": lambda r, c: ops.choose_recipients(
        r,
        [x.organisation for x in r.recipients[1:]] + [make_organisation("Idrotts- och föreningsnämnden")],
        by=c.officer,
        now=c.now,
    ),
    "change_contact": lambda r, c: ops.change_contact(r.recipients[0], "Ny@Example.se", by=c.officer),
    "resend_invitation": lambda r, c: ops.resend_invitation(r.recipients[0], by=c.officer, now=c.now),
    "grant_extension": lambda r, c: ops.grant_extension(
        r.recipients[0],
        r.deadline + timedelta(days=10),
        "Nämnden sammanträder senare",
        by=c.officer,
        now=c.now,
    ),
    "add_focus_area": lambda r, c: ops.add_focus_area(
        r, ops.next_area_number(r), "Nytt område", by=c.officer
    ),
    "update_focus_area": lambda r, c: ops.update_focus_area(r.focus_areas[0], "1", "Ändrat", by=c.officer),
    "move_focus_area": lambda r, c: ops.move_focus_area(r.focus_areas[1], "up", by=c.officer),
    "remove_focus_area": lambda r, c: ops.remove_focus_area(r.focus_areas[-1], by=c.officer),
    "add_measure": lambda r, c: ops.add_measure(
        r.focus_areas[0],
        ops.next_measure_number(r.focus_areas[0]),
        "Ny insats",
        MeasureKind.MEASURE,
        by=c.officer,
    ),
    "update_measure": lambda r, c: ops.update_measure(
        r.focus_areas[0].measures[0], "1:1", "Ändrad insats", MeasureKind.QUESTION, by=c.officer
    ),
    "move_measure": lambda r, c: ops.move_measure(r.focus_areas[0].measures[1], "up", by=c.officer),
    "remove_measure": lambda r, c: ops.remove_measure(r.focus_areas[0].measures[-1], by=c.officer),
    "paste_structure": _paste,
    "set_reminder_days": lambda r, c: ops.set_reminder_days(r, [7, 1], by=c.officer),
    "remind_now": lambda r, c: ops.remind_now(r, by=c.officer, now=c.now),
    "save_assessment": lambda r, c: summary.save_assessment(
        r, overall="Bedömning", changes=None, areas={}, measures={}, actor=c.officer
    ),
    "finalise": _finalise,
    "set_public": lambda r, c: public.set_public(r, not r.is_chosen_for_register, actor=c.officer),
}


def test_the_round_table_covers_every_operation():
    assert ROUND_TABLE.keys() == ROUND_OPERATIONS.keys()
    public_names = {
        name
        for name in dir(ops)
        if callable(getattr(ops, name)) and getattr(getattr(ops, name), "__module__", "") == ops.__name__
    }
    # Helpers and jobs that are not a person's move in a state (tested elsewhere).
    not_moves = {"create_round", "next_area_number", "next_measure_number", "rounds_due_to_be_sent"}
    not_moves |= {"send_scheduled_rounds", "RoundFacts"}
    not_moves |= {"mark_answer_read"}  # a move on an answer: in the answer table as mark_read
    # The invitation's personal link: sending one (open_round, resend_invitation) and the body's
    # account made through it (tests/test_invitation_links.py).
    not_moves |= {"send_invitation", "create_account_through_invitation", "account_exists", "AccountExists"}
    tried = set(ROUND_OPERATIONS) - {"close_round_confirmed", "replace_document", "finalise"}
    tried -= {"save_assessment", "set_public"}
    assert {n for n in public_names if not n.startswith("_")} - not_moves == tried


def _cells(table):
    for operation, outcomes in table.items():
        for state, expected in outcomes.items():
            marks = ()
            if (operation, state) in KNOWN_BUGS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(operation, state)])
            yield pytest.param(operation, state, expected, id=f"{operation}-{state}", marks=marks)


@pytest.fixture
def actors(factories):
    now = utcnow()
    return SimpleNamespace(
        now=now,
        today=local_today(now),
        officer=make_user(Role.OFFICER, name="Anna Andersson"),
        respondent=make_user(Role.RESPONDENT, ORG, name="Rut Respondent"),
    )


def _try(operation, expected, *, status_of):
    """Run ``operation`` and check it is allowed, or refused with the ``expected`` message and
    nothing moved."""
    before = status_of()
    if expected == OK:
        operation()
        db.session.flush()
        return
    if expected is DomainError:
        with pytest.raises(DomainError):
            operation()
    elif isinstance(expected, Confirm):
        with pytest.raises(ConfirmationRequired) as refused:
            operation()
        assert refused.value.message == expected.message
        assert refused.value.reasons
    else:
        with pytest.raises(DomainError) as refused:
            operation()
        assert type(refused.value) is DomainError, "a plain refusal, not a confirmation"
        assert refused.value.message == expected
    assert status_of() == before


@pytest.mark.parametrize(("operation", "state", "expected"), list(_cells(ROUND_TABLE)))
def test_round_operation_in_state(actors, operation, state, expected):
    round_ = round_in_state(state, actors.officer, now=actors.now)
    assert (
        round_.status
        is {
            "draft": RoundStatus.DRAFT,
            "scheduled": RoundStatus.DRAFT,
            "open": RoundStatus.OPEN,
            "closed": RoundStatus.CLOSED,
            "archived": RoundStatus.ARCHIVED,
        }[state]
    )
    assert round_.is_scheduled == (state == "scheduled")
    _try(
        lambda: ROUND_OPERATIONS[operation](round_, actors),
        expected,
        status_of=lambda: (round_.status, round_.is_scheduled, len(round_.recipients), len(round_.documents)),
    )


# The answer table: operation -> (round state, answer state) -> expected ---------------------------
def answer_row(not_started, draft, submitted, reopened, reopened_draft) -> dict[str, object]:
    return {
        "not_started": not_started,
        "draft": draft,
        "submitted": submitted,
        "reopened": reopened,
        "reopened_draft": reopened_draft,
    }


NA = "not applicable"  # submit_answer takes an Answer: there is none before the body begins

# Columns: not started, draft, submitted, reopened, reopened with a new draft.
_WORK_OPEN = answer_row(OK, OK, ANSWER_LOCKED, OK, OK)
_WORK_SHUT = answer_row(
    CLOSED_TO_ANSWERS, CLOSED_TO_ANSWERS, CLOSED_TO_ANSWERS, CLOSED_TO_ANSWERS, CLOSED_TO_ANSWERS
)
_REGISTER_OPEN = answer_row(OK, OK, ALREADY_SUBMITTED, OK, OK)
_REOPEN = answer_row(
    ONLY_SUBMITTED_REOPENED, ONLY_SUBMITTED_REOPENED, OK, ONLY_SUBMITTED_REOPENED, ONLY_SUBMITTED_REOPENED
)
_READ = answer_row(NOTHING_TO_READ, NOTHING_TO_READ, OK, OK, OK)

ANSWER_TABLE: dict[str, dict[str, dict[str, object]]] = {
    "save_draft": {
        "draft": {"not_started": CLOSED_TO_ANSWERS},
        "scheduled": {"not_started": CLOSED_TO_ANSWERS},
        "open": _WORK_OPEN,
        "closed": _WORK_SHUT,
        "archived": _WORK_SHUT,
    },
    "import_template": {
        "draft": {"not_started": CLOSED_TO_ANSWERS},
        "scheduled": {"not_started": CLOSED_TO_ANSWERS},
        "open": _WORK_OPEN,
        "closed": _WORK_SHUT,
        "archived": _WORK_SHUT,
    },
    "remove_draft_document": {
        "draft": {"not_started": CLOSED_TO_ANSWERS},
        "scheduled": {"not_started": CLOSED_TO_ANSWERS},
        "open": answer_row(NOT_YOUR_FILE, OK, ANSWER_LOCKED, NOT_YOUR_FILE, OK),
        "closed": _WORK_SHUT,
        "archived": _WORK_SHUT,
    },
    "submit_answer": {
        "open": answer_row(NA, OK, NO_DRAFT, NO_DRAFT, OK),
        # The body's draft in a closed round stays, and it is told whom to contact.
        "closed": answer_row(NA, SUBMIT_CLOSED, NO_DRAFT, NO_DRAFT, SUBMIT_CLOSED),
        "archived": answer_row(NA, SUBMIT_CLOSED, NO_DRAFT, NO_DRAFT, SUBMIT_CLOSED),
    },
    "register_answer": {
        "draft": {"not_started": REGISTER_ONLY_OPEN_OR_CLOSED},
        "scheduled": {"not_started": REGISTER_ONLY_OPEN_OR_CLOSED},
        "open": _REGISTER_OPEN,
        # Late answers by e-mail or post are registered after closing too.
        "closed": _REGISTER_OPEN,
        "archived": answer_row(
            REGISTER_ONLY_OPEN_OR_CLOSED,
            REGISTER_ONLY_OPEN_OR_CLOSED,
            ALREADY_SUBMITTED,
            REGISTER_ONLY_OPEN_OR_CLOSED,
            REGISTER_ONLY_OPEN_OR_CLOSED,
        ),
    },
    "reopen_answer": {
        "draft": {"not_started": ONLY_SUBMITTED_REOPENED},
        "scheduled": {"not_started": ONLY_SUBMITTED_REOPENED},
        "open": _REOPEN,
        "closed": _REOPEN,
        "archived": answer_row(
            ONLY_SUBMITTED_REOPENED,
            ARCHIVED_NO_CORRECTION,
            ARCHIVED_NO_CORRECTION,
            ARCHIVED_NO_CORRECTION,
            ARCHIVED_NO_CORRECTION,
        ),
    },
    "mark_read": {
        "draft": {"not_started": NOTHING_TO_READ},
        "scheduled": {"not_started": NOTHING_TO_READ},
        "open": _READ,
        "closed": _READ,
        "archived": answer_row(
            ARCHIVED_READ_ONLY, ARCHIVED_READ_ONLY, ARCHIVED_READ_ONLY, ARCHIVED_READ_ONLY, ARCHIVED_READ_ONLY
        ),
    },
}


def _draft_document(recipient: Recipient, c):
    """The decision file on the draft, or a file that is not on it (the round's remissförslag)."""
    if recipient.draft is not None and recipient.draft.documents:
        return recipient.draft.documents[0]
    return recipient.round.documents[0]


ANSWER_OPERATIONS = {
    "save_draft": lambda rec, c: answer_ops.save_draft(
        rec, AnswerFormData(comment="Ny synpunkt"), by=c.respondent, now=c.now
    ),
    "import_template": lambda rec, c: answer_ops.import_template(
        rec, TemplateImport(overall=(Position.REJECT, "Importerat")), by=c.respondent, now=c.now
    ),
    "remove_draft_document": lambda rec, c: answer_ops.remove_draft_document(
        rec, _draft_document(rec, c), by=c.respondent
    ),
    "submit_answer": lambda rec, c: answer_ops.submit_answer(rec.answer, by=c.respondent, now=c.now),
    "register_answer": lambda rec, c: answer_ops.register_answer(
        rec,
        AnswerFormData(position="avstyrker", comment="Inkom med posten."),
        by=c.officer,
        channel=Channel.POST,
        received_on=c.today,
        now=c.now,
    ),
    "reopen_answer": lambda rec, c: answer_ops.reopen_answer(rec, "Fel paragraf", by=c.officer, now=c.now),
    "mark_read": lambda rec, c: ops.mark_answer_read(rec, by=c.officer, now=c.now),
}


def test_the_answer_table_covers_every_operation():
    assert ANSWER_TABLE.keys() == ANSWER_OPERATIONS.keys()
    public_names = {
        name
        for name in dir(answer_ops)
        if callable(getattr(answer_ops, name))
        and getattr(getattr(answer_ops, name), "__module__", "") == answer_ops.__name__
        and not name.startswith("_")
    }
    assert public_names == set(ANSWER_OPERATIONS) - {"mark_read"}  # rounds.operations.mark_answer_read


def _answer_cells():
    for operation, by_round in ANSWER_TABLE.items():
        for round_state, by_answer in by_round.items():
            for answer_state, expected in by_answer.items():
                if expected == NA:
                    continue
                yield pytest.param(
                    operation,
                    round_state,
                    answer_state,
                    expected,
                    id=f"{operation}-{round_state}-{answer_state}",
                )


def recipient_in_states(c, round_state: str, answer_state: str) -> Recipient:
    """A recipient whose answer is in ``answer_state`` (reached while the round was open, with the
    body's decision file on any draft), in a round then brought to ``round_state``."""
    if round_state in ("draft", "scheduled"):
        round_ = round_in_state(round_state, c.officer, now=c.now)
        return round_.recipient_for(make_organisation(ORG).id)
    round_ = round_in_state("open", c.officer, now=c.now)
    recipient = round_.recipient_for(make_organisation(ORG).id)
    answer_in_state(recipient, answer_state, respondent=c.respondent, officer=c.officer, now=c.now)
    if recipient.draft is not None:
        recipient.draft.documents.append(
            store_decision(upload(filename="Protokollsutdrag.pdf"), by=c.respondent)
        )
    if round_state in ("closed", "archived"):
        ops.close_round(round_, by=c.officer, now=c.now, confirmed=True)
    if round_state == "archived":
        ops.archive_round(round_, by=c.officer, now=c.now)
    db.session.flush()
    return recipient


EXPECTED_STATUS = {
    "not_started": AnswerStatus.NOT_STARTED,
    "draft": AnswerStatus.DRAFT,
    "submitted": AnswerStatus.SUBMITTED,
    "reopened": AnswerStatus.REOPENED,
    "reopened_draft": AnswerStatus.REOPENED,
}


@pytest.mark.parametrize(("operation", "round_state", "answer_state", "expected"), list(_answer_cells()))
def test_answer_operation_in_state(actors, operation, round_state, answer_state, expected):
    recipient = recipient_in_states(actors, round_state, answer_state)
    assert recipient.status is EXPECTED_STATUS[answer_state]
    assert (recipient.draft is not None) == (answer_state in ("draft", "reopened_draft"))

    def status_of():
        answer = recipient.answer
        versions = [(v.number, v.submitted_at is not None) for v in answer.versions] if answer else []
        return recipient.status, versions, recipient.round.status

    _try(lambda: ANSWER_OPERATIONS[operation](recipient, actors), expected, status_of=status_of)


# The rules the issue names, one by one -------------------------------------------------------------
def test_reopen_on_an_archived_round_is_refused_by_the_model(actors):
    recipient = recipient_in_states(actors, "archived", "submitted")
    assert not recipient.answer.can_reopen
    with pytest.raises(DomainError, match="^Remissen är avslutad; svaren kan inte längre rättas.$"):
        recipient.answer.reopen(actors.officer, "Fel", now=actors.now)
    assert recipient.answer.reopened_at is None


def test_submit_in_a_closed_round_is_refused_and_the_draft_kept(actors):
    recipient = recipient_in_states(actors, "closed", "draft")
    draft = recipient.draft
    with pytest.raises(DomainError) as refused:
        answer_ops.submit_answer(recipient.answer, by=actors.respondent, now=actors.now)
    assert refused.value.message == SUBMIT_CLOSED
    db.session.flush()
    db.session.expire_all()
    assert recipient.draft is not None and recipient.draft.id == draft.id
    assert recipient.draft.comment == "Vi tillstyrker."
    assert recipient.draft.documents
    assert not recipient.has_submitted
    assert not recipient.can_work_on_answer
    assert recipient.can_register_answer


def test_register_a_late_answer_in_a_closed_round_but_not_an_archived_one(actors):
    recipient = recipient_in_states(actors, "closed", "draft")
    version = answer_ops.register_answer(
        recipient,
        AnswerFormData(),
        by=actors.officer,
        channel=Channel.EMAIL,
        received_on=actors.today,
        now=actors.now,
    )
    assert version.is_submitted and recipient.has_submitted and not recipient.is_unread
    other = recipient_in_states(actors, "archived", "not_started")
    with pytest.raises(DomainError, match=f"^{REGISTER_ONLY_OPEN_OR_CLOSED}$"):
        answer_ops.register_answer(
            other, AnswerFormData(), by=actors.officer, channel=Channel.POST, received_on=actors.today
        )


def test_closing_before_the_deadline_names_the_body_with_an_extension(actors):
    round_ = round_in_state("open", actors.officer, now=actors.now)
    centrum = round_.recipient_for(make_organisation(ORG).id)
    until = round_.deadline + timedelta(days=14)
    ops.grant_extension(centrum, until, "Sammanträde", by=actors.officer, now=actors.now)
    with pytest.raises(ConfirmationRequired) as asked:
        ops.close_round(round_, by=actors.officer, now=actors.now)
    assert asked.value.message == "Remissen stängs i förtid. Bekräfta att den ska stängas."
    assert f"{ORG} har anstånd till {format_date(until, 'long')}." in asked.value.reasons
    assert not any(OTHER in reason for reason in asked.value.reasons)
    assert any(reason.startswith("Sista svarsdagen") for reason in asked.value.reasons)
    assert round_.is_open
    ops.close_round(round_, by=actors.officer, now=actors.now, confirmed=True)
    assert round_.is_closed


def test_closing_after_the_deadline_still_asks_while_an_extension_runs(actors):
    round_ = make_round(
        actors.officer,
        recipients=[ORG, OTHER],
        sent_on=actors.today - timedelta(days=40),
        deadline=actors.today - timedelta(days=2),
    )
    send(round_)
    centrum = round_.recipient_for(make_organisation(ORG).id)
    until = actors.today + timedelta(days=3)
    ops.grant_extension(centrum, until, "Sammanträde", by=actors.officer, now=actors.now)
    with pytest.raises(ConfirmationRequired) as asked:
        ops.close_round(round_, by=actors.officer, now=actors.now)
    assert asked.value.reasons == [f"{ORG} har anstånd till {format_date(until, 'long')}."]
    # Once the extension has run out, the round closes without a question.
    later = actors.now + timedelta(days=5)
    ops.close_round(round_, by=actors.officer, now=later)
    assert round_.is_closed


def test_opening_without_a_remissforslag_asks_for_confirmation(actors):
    round_ = make_round(
        actors.officer,
        recipients=[ORG],
        sent_on=actors.today + timedelta(days=1),
        deadline=actors.today + timedelta(days=30),
    )
    with pytest.raises(ConfirmationRequired) as asked:
        ops.open_round(round_, by=actors.officer, now=actors.now)
    assert (
        asked.value.message == "Remissen har inget remissförslag bland dokumenten. Vill du skicka den ändå?"
    )
    assert round_.is_draft and round_.recipients[0].invited_at is None
    ops.open_round(round_, by=actors.officer, now=actors.now, confirmed=True)
    assert round_.is_open
    assert round_.sent_on == actors.today


def test_opening_with_a_past_deadline_is_refused(actors):
    deadline = actors.today - timedelta(days=1)
    round_ = make_round(
        actors.officer, recipients=[ORG], sent_on=actors.today - timedelta(days=20), deadline=deadline
    )
    with pytest.raises(DomainError) as refused:
        ops.open_round(round_, by=actors.officer, now=actors.now, confirmed=True)
    assert type(refused.value) is DomainError
    assert refused.value.message == (
        f"Sista svarsdagen {format_date(deadline, 'long')} har redan passerats. "
        "Ändra sista svarsdag innan remissen skickas."
    )
    assert round_.is_draft


# The hybrids: the same answer in Python and in SQL ------------------------------------------------
def _recipients_in_every_situation(c):
    """An open round whose deadline passed ten days ago, with one recipient per situation."""
    names = {
        "not_invited": "Nämnd ej inbjuden",
        "overdue": "Nämnd utan svar",
        "draft_only": "Nämnd med utkast",
        "extension_running": "Nämnd med anstånd",
        "extension_run_out": "Nämnd med utgånget anstånd",
        "submitted_late": "Nämnd som svarat sent",
        "reopened": "Nämnd med svar öppnat för rättelse",
        "reopened_draft": "Nämnd som rättar",
    }
    round_ = make_round(
        c.officer,
        recipients=[n for k, n in names.items() if k != "not_invited"],
        sent_on=c.today - timedelta(days=40),
        deadline=c.today - timedelta(days=10),
    )
    send(round_)
    # Added without the operation: a recipient that was never invited.
    round_.recipients.append(
        Recipient(organisation=make_organisation(names["not_invited"]), contact_email="ej@example.se")
    )
    db.session.flush()
    by_key = {k: round_.recipient_for(make_organisation(n).id) for k, n in names.items()}
    respondent = c.officer  # the operations only need someone to record
    answer_in_state(by_key["draft_only"], "draft", respondent=respondent, officer=c.officer, now=c.now)
    by_key["extension_running"].grant_extension(c.today + timedelta(days=5), "Sammanträde")
    by_key["extension_run_out"].grant_extension(c.today - timedelta(days=2), "Sammanträde")
    for key in ("submitted_late", "reopened", "reopened_draft"):
        state = "submitted" if key == "submitted_late" else key
        answer_in_state(by_key[key], state, respondent=respondent, officer=c.officer, now=c.now)
    db.session.flush()
    return round_, by_key


EXPECTED_OVERDUE = {
    "not_invited": False,
    "overdue": True,
    "draft_only": True,
    "extension_running": False,
    "extension_run_out": True,
    "submitted_late": False,
    "reopened": False,
    "reopened_draft": False,
}


def test_recipient_hybrids_agree_in_python_and_sql(actors):
    round_, by_key = _recipients_in_every_situation(actors)
    today = actors.today
    db.session.commit()
    db.session.expire_all()
    python = {k: r.is_overdue(today) for k, r in by_key.items()}
    assert python == EXPECTED_OVERDUE
    assert by_key["submitted_late"].latest_submitted.days_late == 10

    ids = {r.id: k for k, r in by_key.items()}

    def sql(*criteria) -> set[str]:
        query = sa.select(Recipient.id).where(Recipient.round_id == round_.id, *criteria)
        return {ids[i] for i in db.session.scalars(query)}

    assert sql(Recipient.is_overdue(today)) == {k for k, v in python.items() if v}
    assert sql(sa.not_(Recipient.is_overdue(today))) == {k for k, v in python.items() if not v}
    submitted = {k for k, r in by_key.items() if r.has_submitted}
    assert submitted == {"submitted_late", "reopened", "reopened_draft"}
    assert sql(Recipient.has_submitted) == submitted
    assert sql(sa.not_(Recipient.has_submitted)) == set(by_key) - submitted
    # The same on another day: before the deadline nobody is overdue.
    earlier = today - timedelta(days=20)
    assert (
        sql(Recipient.is_overdue(earlier)) == {k for k, r in by_key.items() if r.is_overdue(earlier)} == set()
    )
    later = today + timedelta(days=10)
    assert sql(Recipient.is_overdue(later)) == {k for k, r in by_key.items() if r.is_overdue(later)}
    assert "extension_running" in sql(Recipient.is_overdue(later))

    deadlines = dict(
        db.session.execute(
            sa.select(Recipient.id, Recipient.effective_deadline).where(Recipient.round_id == round_.id)
        ).all()
    )
    assert {ids[i]: d for i, d in deadlines.items()} == {k: r.effective_deadline for k, r in by_key.items()}
    assert by_key["extension_running"].effective_deadline == today + timedelta(days=5)
    assert by_key["overdue"].effective_deadline == round_.deadline
    for key, recipient in by_key.items():
        assert sql(Recipient.effective_deadline == recipient.effective_deadline) >= {key}


def test_round_hybrids_agree_in_python_and_sql(actors):
    rounds = {state: round_in_state(state, actors.officer, now=actors.now) for state in ROUND_STATES}
    db.session.commit()
    names = {r.id: state for state, r in rounds.items()}
    for name in ("is_draft", "is_open", "is_closed", "is_archived", "is_sent", "accepts_answers"):
        for negate in (False, True):
            criterion = getattr(Round, name)
            criterion = sa.not_(criterion) if negate else criterion
            in_sql = {names[i] for i in db.session.scalars(sa.select(Round.id).where(criterion))}
            in_python = {s for s, r in rounds.items() if bool(getattr(r, name)) != negate}
            assert in_sql == in_python, (name, negate)
    in_sql = {names[i] for i in db.session.scalars(sa.select(Round.id).where(Round.takes_registered_answers))}
    assert in_sql == {s for s, r in rounds.items() if r.takes_registered_answers} == {"open", "closed"}
    assert {s for s, r in rounds.items() if r.accepts_answers} == {"open"}
    assert {s for s, r in rounds.items() if r.is_sent} == {"open", "closed", "archived"}


def test_dates_use_goteborgs_local_date(actors):
    """Sent at 00:30 in Göteborg on the 1st (22:30 UTC on the day before): sent on the 1st."""
    round_ = make_round(actors.officer, recipients=[ORG], sent_on=date(2030, 1, 1), deadline=date(2030, 2, 1))
    ops.add_document(round_, upload(), DocumentKind.DRAFT, by=actors.officer)
    moment = datetime(2030, 1, 1, 0, 30, tzinfo=LOCAL_TZ)
    ops.open_round(round_, by=actors.officer, now=moment)
    assert round_.sent_on == date(2030, 1, 1)


def test_create_round_makes_a_draft_with_all_its_facts(actors):
    facts = ops.RoundFacts(
        description="Synpunkter önskas.",
        officer_id=actors.officer.id,
        title="Riktlinje för avhoppare",
        dnr="1234/24",
        decision="Kommunstyrelsen 2024-03-06 § 120",
        sent_on=actors.today + timedelta(days=2),
        deadline=actors.today + timedelta(days=40),
    )
    round_ = ops.create_round(facts, by=actors.officer)
    db.session.commit()
    db.session.expire_all()
    assert round_.is_draft and not round_.is_scheduled
    assert (round_.title, round_.dnr, round_.decision) == (facts.title, facts.dnr, facts.decision)
    assert (round_.sent_on, round_.deadline) == (facts.sent_on, facts.deadline)
