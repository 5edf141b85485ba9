"""What a person does with a round, one function per use case (after Indico's
``operations.py``). Each one calls the model method that refuses an illegal move with a Swedish
``DomainError``, writes the audit event, records the e-mail it causes, and only flushes: the view,
the CLI, the importer or the scheduler commits once. A clicked, imported or scheduled action
therefore leaves the same trail and the same e-mail.

Where an invitation comes from: ``open_round`` (and ``add_recipients`` to an open round) queue
``messages.invitation`` right here, each with a personal link (``send_invitation``); the officer
can send it again with a fresh link (``resend_invitation``), and a body without an account gets
one through the link (``create_account_through_invitation``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from remiss.audit.models import record
from remiss.auth import oidc
from remiss.auth.models import Role, User, normalise_email
from remiss.core.errors import ConfirmationRequired, DomainError
from remiss.core.text import plural_list
from remiss.core.time import local_today, utcnow
from remiss.documents import service as documents
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.outbox import queue
from remiss.organisations.models import Organisation
from remiss.rounds.models import (
    AreaKind,
    FocusArea,
    InvitationLink,
    Measure,
    MeasureKind,
    Recipient,
    Round,
    RoundStatus,
)

# The round's facts ---------------------------------------------------------------------------


@dataclass
class RoundFacts:
    """What the round form gives: all of it for a draft, ``description`` and ``officer_id``
    only once the round is sent (the rest is then ignored)."""

    description: str
    officer_id: int | None
    title: str | None = None
    dnr: str | None = None
    decision: str | None = None
    sent_on: date | None = None
    deadline: date | None = None


def _fill(round_: Round, facts: RoundFacts) -> None:
    round_.description = (facts.description or "").strip()
    round_.officer_id = facts.officer_id
    if round_.facts_editable:
        round_.title = (facts.title or "").strip()
        round_.dnr = facts.dnr
        round_.decision = (facts.decision or "").strip()
        round_.sent_on = facts.sent_on
        round_.deadline = facts.deadline


def create_round(facts: RoundFacts, *, by) -> Round:
    round_ = Round(status=RoundStatus.DRAFT)  # the column default comes only at INSERT
    _fill(round_, facts)
    db.session.add(round_)
    db.session.flush()
    record("round.created", round_, actor=by, dnr=round_.dnr, title=round_.title)
    return round_


def update_round(round_: Round, facts: RoundFacts, *, by) -> None:
    """Change a draft's facts, or correct a sent round's description and officer."""
    if round_.is_read_only:
        raise DomainError("En avslutad remiss kan inte ändras.")
    _fill(round_, facts)
    db.session.flush()
    record("round.updated", round_, actor=by)


# Sending -------------------------------------------------------------------------------------


def _invite(recipients: list[Recipient], now: datetime) -> None:
    db.session.flush()  # ids for the links and dedup keys
    for recipient in recipients:
        if recipient.contact_email:
            send_invitation(recipient, now)


def send_invitation(recipient: Recipient, now: datetime, *, again: bool = False) -> InvitationLink | None:
    """Queue the invitation to ``recipient``'s contact address with a new personal link (only
    its hash is kept). Returns the link, or None when this invitation was already queued: then
    no link is kept either. ``again``: the officer's "send the invitation again"."""
    link, token = InvitationLink.issue(recipient, now)
    db.session.flush()
    key = f"invitation:{recipient.id}:again:{link.id}" if again else None
    composed = messages.invitation(recipient, now, link=messages.invitation_url(token), again=again, key=key)
    if queue(composed, now) is None:
        db.session.delete(link)
        db.session.flush()
        return None
    return link


def _refuse_what_cannot_be_sent(round_: Round, now: datetime) -> None:
    """No use asking to confirm what would fail anyway: the hard reasons come first."""
    reasons = round_.reasons_not_to_open(local_today(now))
    if reasons:
        raise DomainError(" ".join(reasons))


def open_round(round_: Round, *, by, now: datetime | None = None, confirmed: bool = False) -> None:
    """Send the round now: it opens, its sending date becomes today, and every recipient gets
    its invitation. A round without the remissförslag among its documents is sent only when
    the officer has ``confirmed`` that."""
    now = now or utcnow()
    _refuse_what_cannot_be_sent(round_, now)
    if not confirmed and not round_.has_draft_document:
        raise ConfirmationRequired(
            "Remissen har inget remissförslag bland dokumenten. Vill du skicka den ändå?",
            ["Remissinstanserna får då inbjudan utan själva förslaget."],
        )
    round_.open(now)
    record("round.opened", round_, actor=by, at=now, count=len(round_.recipients))
    _invite(list(round_.recipients), now)


def schedule_round(round_: Round, *, by, now: datetime | None = None, confirmed: bool = False) -> None:
    """Have the scheduler send the round on the morning of its sending date."""
    now = now or utcnow()
    _refuse_what_cannot_be_sent(round_, now)
    if not confirmed and not round_.has_draft_document:
        raise ConfirmationRequired(
            "Remissen har inget remissförslag bland dokumenten. Vill du schemalägga den ändå?",
            ["Remissinstanserna får då inbjudan utan själva förslaget."],
        )
    round_.schedule(by, local_today(now))
    record("round.scheduled", round_, actor=by, on=round_.sent_on.isoformat())


def unschedule_round(round_: Round, *, by) -> None:
    round_.unschedule()
    record("round.unscheduled", round_, actor=by)


def rounds_due_to_be_sent(today: date) -> list[Round]:
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.is_draft, Round.send_scheduled_by_id.is_not(None), Round.sent_on <= today)
            .order_by(Round.id)
        )
    )


def send_scheduled_rounds(now: datetime | None = None) -> tuple[int, int]:
    """The scheduler's morning job: send every scheduled round whose sending date has come, as
    the officer who scheduled it. A round that can no longer be sent (no recipients any more,
    the deadline passed) is unscheduled with its reason in the history; it never stops the
    others. Commits each round on its own. Returns (sent, failed)."""
    now = now or utcnow()
    sent = failed = 0
    for round_ in rounds_due_to_be_sent(local_today(now)):
        by = round_.send_scheduled_by
        try:
            open_round(round_, by=by, now=now, confirmed=True)
        except DomainError as error:
            db.session.rollback()
            round_ = db.session.get(Round, round_.id)
            round_.send_scheduled_by_id = None
            record("round.send_failed", round_, actor=by, reason=error.message)
            failed += 1
        else:
            sent += 1
        db.session.commit()
    return sent, failed


# Closing, reopening, archiving ----------------------------------------------------------------


def close_round(round_: Round, *, by, now: datetime | None = None, confirmed: bool = False) -> None:
    """Close the round to respondents. Before its deadline, or while a body's extension runs,
    it is closed only once the officer has ``confirmed``, having seen who is cut short."""
    now = now or utcnow()
    if not round_.can_close:
        raise DomainError("Bara en öppen remiss kan stängas.")
    warnings = round_.close_warnings(local_today(now))
    if warnings and not confirmed:
        raise ConfirmationRequired("Remissen stängs i förtid. Bekräfta att den ska stängas.", warnings)
    round_.close(now)
    note = f" i förtid ({' '.join(warnings)})" if warnings else ""
    record("round.closed", round_, actor=by, at=now, note=note)


def reopen_round(round_: Round, *, by, now: datetime | None = None) -> None:
    round_.reopen()
    record("round.reopened", round_, actor=by, at=now)


def archive_round(round_: Round, *, by, now: datetime | None = None) -> None:
    round_.archive(now)
    record("round.archived", round_, actor=by, at=now)


# Documents -----------------------------------------------------------------------------------


def add_document(
    round_: Round, upload, kind: DocumentKind, *, by, replaces: Document | None = None
) -> Document:
    """Store a document of the round. Once the round is sent, documents are records: a
    corrected one is added beside the one it ``replaces``, which stays listed and downloadable."""
    if not round_.documents_addable:
        raise DomainError("En avslutad remiss kan inte ändras.")
    if replaces is not None:
        if replaces.round_id != round_.id:
            raise DomainError("Dokumentet som ska ersättas hör inte till remissen.")
        if not replaces.is_current:
            raise DomainError(f"{replaces.original_name} är redan ersatt av ett annat dokument.")
    document = documents.store_upload(
        upload, kind=kind, allowed=documents.ROUND_DOCUMENT_TYPES, uploaded_by=by
    )
    document.round_id = round_.id
    document.replaces = replaces
    db.session.add(document)
    db.session.flush()
    if replaces is None:
        record(
            "round.document_added",
            document,
            actor=by,
            round_id=round_.id,
            kind=kind.label,
            name=document.original_name,
        )
    else:
        record(
            "round.document_replaced",
            document,
            actor=by,
            round_id=round_.id,
            kind=kind.label,
            old=replaces.original_name,
            name=document.original_name,
        )
    return document


def remove_document(document: Document, *, by) -> None:
    """Delete a document from a round that has not been sent yet."""
    round_ = document.round
    if round_.documents_frozen:
        raise DomainError(
            "Remissen är skickad och dess dokument är allmänna handlingar som inte kan tas bort. "
            "Ladda upp en rättad version som ersätter dokumentet i stället."
        )
    record(
        "round.document_removed",
        document,
        actor=by,
        round_id=round_.id,
        kind=document.kind.label,
        name=document.original_name,
    )
    documents.delete(document)
    db.session.flush()


# Recipients ----------------------------------------------------------------------------------


def add_recipients(
    round_: Round, organisations: list[Organisation], *, by, contact_email: str | None = None, now=None
) -> list[Recipient]:
    """Invite ``organisations``; added to an open round, they are invited at once."""
    now = now or utcnow()
    if not round_.recipients_changeable:
        raise DomainError("Remissinstanser kan bara läggas till medan remissen är ett utkast eller öppen.")
    added = []
    for organisation in organisations:
        if round_.recipient_for(organisation.id) is not None:
            raise DomainError(f"{organisation.name} är redan remissinstans.")
        recipient = Recipient(
            organisation=organisation, contact_email=(contact_email or organisation.email).strip().lower()
        )
        round_.recipients.append(recipient)
        if round_.is_open:
            recipient.invited_at = now
        added.append(recipient)
    db.session.flush()
    for recipient in added:
        record(
            "recipient.added",
            recipient,
            actor=by,
            organisation=recipient.organisation.name,
            email=recipient.contact_email,
            invited=" och bjöd in den" if recipient.invited_at else "",
        )
    if round_.is_open:
        _invite(added, now)
    return added


def remove_recipient(recipient: Recipient, *, by) -> None:
    round_ = recipient.round
    if not round_.recipients_changeable:
        raise DomainError("Remissinstanser kan bara tas bort medan remissen är ett utkast eller öppen.")
    if recipient.has_begun_answering:
        raise DomainError(
            f"{recipient.organisation.name} har redan börjat svara eller svarat och kan inte tas bort."
        )
    record("recipient.removed", recipient, actor=by, organisation=recipient.organisation.name)
    if recipient.answer is not None:
        db.session.delete(recipient.answer)
    round_.recipients.remove(recipient)
    db.session.delete(recipient)
    db.session.flush()


def choose_recipients(
    round_: Round, organisations: list[Organisation], *, by, now: datetime | None = None
) -> tuple[list[Recipient], list[str]]:
    """Make ``organisations`` the round's recipients in one go (the officer's page of
    checkboxes): every recipient no longer chosen is removed (``remove_recipient``, which refuses
    one that has begun answering), every chosen organisation not yet a recipient is added
    (``add_recipients``: invited at once to an open round). Returns the recipients added and the
    names of those removed. Refuses an organisation that is no longer active in the register."""
    now = now or utcnow()
    if not round_.recipients_changeable:
        raise DomainError("Remissinstanser kan bara ändras medan remissen är ett utkast eller öppen.")
    wanted = {organisation.id for organisation in organisations}
    leaving = sorted(
        (r for r in round_.recipients if r.organisation_id not in wanted),
        key=lambda r: r.organisation.name.casefold(),
    )
    removed = []
    for recipient in leaving:
        removed.append(recipient.organisation.name)
        remove_recipient(recipient, by=by)
    new = [o for o in organisations if round_.recipient_for(o.id) is None]
    for organisation in new:
        if not organisation.active:
            raise DomainError(f"{organisation.name} är inte aktiv i registret och kan inte väljas.")
    added = add_recipients(round_, new, by=by, now=now) if new else []
    return added, removed


def resend_invitation(recipient: Recipient, *, by, now: datetime | None = None) -> InvitationLink:
    """Send the invitation again, with a fresh personal link, e.g. to a body that has nobody
    with an account yet. The links sent before keep working while the round takes answers."""
    now = now or utcnow()
    if not recipient.round.accepts_answers:
        raise DomainError("Inbjudan kan bara skickas igen medan remissen är öppen.")
    if not recipient.invitation_resendable:
        raise DomainError(f"{recipient.organisation.name} har ingen kontaktadress. Ange en adress först.")
    link = send_invitation(recipient, now, again=True)
    record(
        "recipient.invitation_resent",
        recipient,
        actor=by,
        organisation=recipient.organisation.name,
        email=recipient.contact_email,
    )
    return link


def change_contact(recipient: Recipient, email: str, *, by) -> None:
    if not recipient.round.contacts_editable:
        raise DomainError("En avslutad remiss kan inte ändras.")
    recipient.contact_email = email.strip().lower()
    record(
        "recipient.contact_changed",
        recipient,
        actor=by,
        organisation=recipient.organisation.name,
        email=recipient.contact_email,
    )


def grant_extension(
    recipient: Recipient, until: date, reason: str, *, by, now: datetime | None = None
) -> None:
    """Give the body a later deadline, and tell it (the calendar entry moves with it)."""
    now = now or utcnow()
    recipient.grant_extension(until, reason)
    record(
        "recipient.extension_granted",
        recipient,
        actor=by,
        organisation=recipient.organisation.name,
        until=until.isoformat(),
        reason=recipient.extension_reason,
    )
    db.session.flush()
    if recipient.contact_email:
        queue(messages.extension(recipient, now), now)


def mark_answer_read(recipient: Recipient, *, by, now: datetime | None = None) -> bool:
    """The office has read the body's latest answer; False when it already had."""
    if recipient.round.is_read_only:
        raise DomainError("Remissen är avslutad och kan inte ändras.")
    if not recipient.mark_answer_read(now):
        return False
    record(
        "answer.read",
        recipient.answer,
        actor=by,
        round_id=recipient.round_id,
        organisation=recipient.organisation.name,
    )
    return True


# Accounts through the invitation ---------------------------------------------------------------


class AccountExists(DomainError):
    """The invited address has an account already: sign in with it (or, when it is deactivated,
    ask the admin). ``account`` is that account."""

    def __init__(self, message: str, account: User) -> None:
        super().__init__(message)
        self.account = account


def account_exists(account: User) -> AccountExists:
    if not account.active:
        return AccountExists(
            f"Det finns redan ett konto för {account.email}, men det är avstängt. Ett avstängt konto "
            "kan inte skapas på nytt med inbjudningslänken. Kontakta remisstjänstens systemförvaltare "
            "om kontot ska öppnas igen.",
            account,
        )
    return AccountExists(
        f"Det finns redan ett konto för {account.email}. Logga in med det för att svara på remissen.",
        account,
    )


def create_account_through_invitation(
    link: InvitationLink, *, name: str, password: str, now: datetime | None = None
) -> User:
    """Create the account of the invited address, bound to the invited body (role respondent),
    with the password chosen on the invitation page. Refused when the link no longer works
    (``InvitationLink.refusal``), when the address has an account (``AccountExists``; a
    deactivated one is never made anew), and for a city address that must sign in through
    the city's identity provider. Two requests at once: the second fails on the unique
    address (the caller rolls back and says the account exists)."""
    now = now or utcnow()
    refusal = link.refusal
    if refusal is not None:
        raise DomainError(refusal)
    email = normalise_email(link.email)
    existing = User.by_email(email)
    if existing is not None:
        raise account_exists(existing)
    if oidc.provider_required_for(email):
        raise DomainError(oidc.PROVIDER_ONLY)
    name = (name or "").strip()
    if not name:
        raise DomainError("Ange ditt namn.")
    user = User(
        name=name,
        email=email,
        role=Role.RESPONDENT,
        organisation=link.organisation,
        active=True,
        last_login_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    link.account = user
    link.used_at = now
    record(
        "user.created_through_invitation",
        user,
        actor=user,
        round_id=link.round_id,
        at=now,
        email=user.email,
        organisation=link.organisation.name,
    )
    return user


# Structure -----------------------------------------------------------------------------------


def _require_structure_editable(round_: Round) -> None:
    if not round_.structure_editable:
        raise DomainError("Strukturen kan bara ändras medan remissen är ett utkast.")


def next_area_number(round_: Round) -> str:
    """Focus areas, sections and headless groups of questions share one series of numbers."""
    numbers = [int(a.number) for a in round_.focus_areas if a.number.isdigit()]
    return str(max(numbers, default=0) + 1)


def _next_question_number(round_: Round) -> str:
    numbers = [int(m.number) for m in round_.questions if m.number.isdigit()]
    return str(max(numbers, default=0) + 1)


def next_measure_number(area: FocusArea) -> str:
    """``2:3`` for a measure of focus area 2; the round's next question number in a section."""
    if area.holds_questions:
        return _next_question_number(area.round)
    numbers = [
        int(m.number.rpartition(":")[2]) for m in area.measures if m.number.rpartition(":")[2].isdigit()
    ]
    return f"{area.number}:{max(numbers, default=0) + 1}"


def _check_area_number(round_: Round, number: str, area: FocusArea | None = None) -> None:
    for other in round_.focus_areas:
        if other.number == number and other is not area:
            if other.has_heading:
                raise DomainError(f"{other.label} finns redan.")
            raise DomainError(f"Nummer {number} används redan av frågor utan rubrik.")


def _check_measure_number(area: FocusArea, number: str, measure: Measure | None = None) -> None:
    if area.holds_questions:
        if not number.isdigit():
            raise DomainError("En fråga numreras med ett heltal, t.ex. 3.")
        for other in area.round.questions:
            if other.number == number and other is not measure:
                raise DomainError(f"Fråga {number} finns redan.")
        return
    if number.partition(":")[0] != area.number:
        raise DomainError(f"Numret ska börja med fokusområdets nummer, t.ex. {area.number}:1.")
    for other in area.round.measures:
        if other.number == number and other is not measure:
            raise DomainError(f"Nummer {number} finns redan.")


def _questions_in_order(round_: Round) -> bool:
    """Whether the round's questions are numbered 1, 2, 3 … in the order shown."""
    return [m.number for m in round_.questions] == [str(n) for n in range(1, len(round_.questions) + 1)]


def _renumber_questions(round_: Round) -> None:
    """Number the round's questions 1, 2, 3 … in the order shown (two steps: the numbers are
    unique per group in the database)."""
    questions = [m for area in _ordered(round_.focus_areas) for m in _ordered(area.measures) if m.is_question]
    if [m.number for m in questions] == [str(n) for n in range(1, len(questions) + 1)]:
        return
    for measure in questions:
        measure.number = f"~{measure.id}"
    db.session.flush()
    for number, measure in enumerate(questions, start=1):
        measure.number = str(number)
    db.session.flush()


def _ordered(items: list) -> list:
    return sorted(items, key=lambda item: item.position)


def add_focus_area(
    round_: Round, number: str, title: str, *, by, kind: AreaKind = AreaKind.FOCUS_AREA
) -> FocusArea:
    _require_structure_editable(round_)
    _check_area_number(round_, number)
    title = (title or "").strip()
    if not title and kind is not AreaKind.QUESTIONS:
        raise DomainError("Ange en rubrik.")
    position = max((a.position for a in round_.focus_areas), default=0) + 1
    area = FocusArea(number=number, title=title, position=position, kind=kind)
    round_.focus_areas.append(area)
    db.session.flush()
    record("structure.area_added", area, actor=by, round_id=round_.id, label=area.label, title=area.title)
    return area


def update_focus_area(area: FocusArea, number: str, title: str, *, by, kind: AreaKind | None = None) -> None:
    """Renumbering a focus area renumbers its measures with it: 2:1 → 3:1. A group with rows
    keeps holding what it holds: a focus area with measures does not become a section."""
    round_ = area.round
    _require_structure_editable(round_)
    _check_area_number(round_, number, area)
    kind = kind or area.kind
    if area.measures and (kind is AreaKind.FOCUS_AREA) != area.is_focus_area:
        raise DomainError(
            f"{area.label} har {area.items_words}; ta bort dem innan det blir "
            f"{'ett fokusområde' if kind is AreaKind.FOCUS_AREA else 'en grupp frågor'}."
        )
    title = (title or "").strip()
    if not title and kind is not AreaKind.QUESTIONS:
        raise DomainError("Ange en rubrik.")
    old = area.number
    area.number = number
    area.title = title
    area.kind = kind
    if old != number and area.is_focus_area:
        for measure in area.measures:
            measure.number = f"{number}:{measure.number.partition(':')[2]}"
        taken = {m.number for m in round_.measures if m.focus_area is not area}
        if any(m.number in taken for m in area.measures):
            raise DomainError("Numren krockar med ett annat fokusområde eller en annan insats.")
    db.session.flush()
    record("structure.area_updated", area, actor=by, round_id=round_.id, label=area.label, title=area.title)


def _move(items: list, item, direction: str):
    """Swap ``item`` with its neighbour above or below; renumber positions 1..n. The neighbour,
    or None when it is already first or last."""
    index = items.index(item)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        return None
    items = list(items)
    neighbour = items[target]
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    return neighbour


def _swap_numbers(first, second, renumber_rows: bool = False) -> None:
    """The two trade numbers, so that the list still reads 1, 2, 3 after a move (two steps:
    numbers are unique in the database)."""
    a, b = first.number, second.number
    first.number, second.number = f"~{first.id}", f"~{second.id}"
    db.session.flush()
    first.number, second.number = b, a
    if renumber_rows:
        for area in (first, second):
            if area.is_focus_area:
                for measure in area.measures:
                    measure.number = f"{area.number}:{measure.number.partition(':')[2]}"
    db.session.flush()


DIRECTION_WORDS = {"up": "uppåt", "down": "nedåt"}


def move_focus_area(area: FocusArea, direction: str, *, by) -> bool:
    """Move a group up or down. It trades numbers with its neighbour (a focus area's measures
    follow: 2:1 → 1:1), and questions numbered in order are numbered in the new order."""
    round_ = area.round
    _require_structure_editable(round_)
    questions_in_order = _questions_in_order(round_)
    label = area.label  # as the officer knew it when moving it
    neighbour = _move(round_.focus_areas, area, direction)
    if neighbour is None:
        return False
    if area.number.isdigit() and neighbour.number.isdigit():
        _swap_numbers(area, neighbour, renumber_rows=True)
    if questions_in_order:
        _renumber_questions(round_)
    record(
        "structure.area_moved",
        area,
        actor=by,
        round_id=area.round_id,
        label=label,
        direction=DIRECTION_WORDS[direction],
    )
    return True


def remove_focus_area(area: FocusArea, *, by) -> None:
    round_ = area.round
    _require_structure_editable(round_)
    questions_in_order = _questions_in_order(round_)
    record("structure.area_removed", area, actor=by, round_id=round_.id, label=area.label, title=area.title)
    round_.focus_areas.remove(area)
    db.session.flush()
    if questions_in_order:
        _renumber_questions(round_)


def add_measure(area: FocusArea, number: str, title: str, kind: MeasureKind | None = None, *, by) -> Measure:
    """A measure in a focus area, a question in a section: what a row is follows its group."""
    round_ = area.round
    _require_structure_editable(round_)
    _check_measure_number(area, number)
    # A question added with the next number into an earlier section: the numbers follow the order.
    renumber = (
        area.holds_questions and _questions_in_order(round_) and number == _next_question_number(round_)
    )
    position = max((m.position for m in area.measures), default=0) + 1
    measure = Measure(number=number, title=title.strip(), kind=area.item_kind, position=position)
    area.measures.append(measure)
    db.session.flush()
    if renumber:
        _renumber_questions(round_)
    record(
        "structure.measure_added",
        measure,
        actor=by,
        round_id=area.round_id,
        label=measure.label,
        title=measure.title,
    )
    return measure


def update_measure(measure: Measure, number: str, title: str, kind: MeasureKind | None = None, *, by) -> None:
    area = measure.focus_area
    _require_structure_editable(area.round)
    _check_measure_number(area, number, measure)
    measure.number = number
    measure.title = title.strip()
    measure.kind = area.item_kind
    db.session.flush()
    record(
        "structure.measure_updated",
        measure,
        actor=by,
        round_id=area.round_id,
        label=measure.label,
        title=measure.title,
    )


def move_measure(measure: Measure, direction: str, *, by) -> bool:
    """Move a measure or question within its group; it trades numbers with its neighbour, so
    the list reads 1:1, 1:2 (or 3, 4) from the top."""
    area = measure.focus_area
    _require_structure_editable(area.round)
    label = measure.label
    neighbour = _move(area.measures, measure, direction)
    if neighbour is None:
        return False
    _swap_numbers(measure, neighbour)
    record(
        "structure.measure_moved",
        measure,
        actor=by,
        round_id=area.round_id,
        label=label,
        direction=DIRECTION_WORDS[direction],
    )
    return True


def remove_measure(measure: Measure, *, by) -> None:
    area = measure.focus_area
    round_ = area.round
    _require_structure_editable(round_)
    questions_in_order = _questions_in_order(round_)
    record(
        "structure.measure_removed",
        measure,
        actor=by,
        round_id=area.round_id,
        label=measure.label,
        title=measure.title,
    )
    area.measures.remove(measure)
    db.session.flush()
    if measure.is_question and questions_in_order:
        _renumber_questions(round_)


def paste_structure(round_: Round, parsed, *, by) -> list[FocusArea]:
    """Append a parsed table of contents or list of questions (``service.parse_structure``)."""
    _require_structure_editable(round_)
    position = max((a.position for a in round_.focus_areas), default=0)
    added = []
    for offset, area in enumerate(parsed.areas, start=1):
        focus_area = FocusArea(
            number=area.number, title=area.title, position=position + offset, kind=area.kind
        )
        for index, measure in enumerate(area.measures, start=1):
            focus_area.measures.append(
                Measure(number=measure.number, title=measure.title, kind=measure.kind, position=index)
            )
        round_.focus_areas.append(focus_area)
        added.append(focus_area)
    db.session.flush()
    record("structure.pasted_parts", round_, actor=by, parts=parsed.summary)
    return added


# Reminders -----------------------------------------------------------------------------------


def set_reminder_days(round_: Round, days: list[int], *, by) -> None:
    if not round_.reminders_editable:
        raise DomainError("Påminnelserna kan bara ändras medan remissen är ett utkast eller öppen.")
    round_.reminder_days = ",".join(str(d) for d in days)
    text = f"{plural_list(days, 'dag', 'dagar')} före sista svarsdagen" if days else "inga påminnelser"
    record("round.reminder_days_changed", round_, actor=by, days=text)


def remind_now(round_: Round, *, by, now: datetime | None = None) -> tuple[int, int]:
    """The officer's "send a reminder now" to every invited body that has not answered: at most
    one such reminder per body and day, whatever its deadline, so a double click or a second
    officer sends nothing twice. Returns (queued, already reminded today)."""
    if not round_.can_remind:
        raise DomainError("Påminnelser kan bara skickas medan remissen är öppen.")
    now = now or utcnow()
    today = local_today(now)
    queued = skipped = 0
    for recipient in round_.recipients:
        if recipient.has_submitted or not recipient.contact_email or recipient.invited_at is None:
            continue
        key = f"reminder-now:{recipient.id}:{today.isoformat()}"
        days_left = recipient.days_left(today)
        if queue(messages.reminder(recipient, days_left, now, key=key), now) is not None:
            queued += 1
        else:
            skipped += 1
    if queued:
        record("round.reminded", round_, actor=by, at=now, count=queued)
    return queued, skipped
