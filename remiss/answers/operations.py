"""What a person does with an answer, one function per use case: save the shared draft, submit
it, register an answer that came by e-mail or post, reopen a submitted answer for correction,
mark it read. Each calls the model method that refuses an illegal move (``DomainError`` in
Swedish), writes the audit event, records the e-mail it causes (the receipt is queued right
here), and only flushes; the caller commits once."""

from __future__ import annotations

from datetime import date, datetime

from remiss.answers import merge, service
from remiss.answers.models import Answer, AnswerVersion, Channel
from remiss.audit.models import record
from remiss.core.errors import DomainError
from remiss.core.time import utcnow
from remiss.documents import service as documents
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.outbox import queue
from remiss.rounds.models import Recipient


def _require_workable(recipient: Recipient) -> None:
    if not recipient.round.accepts_answers:
        raise DomainError(
            "Remissen är stängd och tar inte emot fler svar. Kontakta handläggaren om ni behöver lämna svar."
        )
    if recipient.answer_is_locked:
        raise DomainError(
            "Svaret är inskickat och kan inte ändras. Kontakta handläggaren om ni behöver rätta något."
        )


def save_draft(
    recipient: Recipient,
    form,
    *,
    by,
    document=None,
    now: datetime | None = None,
    resolutions: dict[str, merge.Resolution] | None = None,
) -> service.SavedDraft:
    """Merge the form into the recipient's shared draft (started if need be), field by field
    against what the form was loaded with (``remiss.answers.merge``), with the decision file when
    one was attached (added; it never replaces another). Fields that a colleague changed to
    something else meanwhile stay as the colleague saved them: ``.merged.conflicts``."""
    _require_workable(recipient)
    draft = service.draft_for(recipient, by=by)
    saved = service.merge_into(
        draft,
        recipient.round,
        service.form_values(form),
        form.baseline.data,
        resolutions=resolutions,
        loaded_token=form.version_token.data,
        by=by,
    )
    if document is not None:
        draft.documents.append(document)
    service.touch(draft, by=by, now=now)
    db.session.flush()
    return saved


def import_template(recipient: Recipient, imported, *, by, now: datetime | None = None) -> service.SavedDraft:
    """Fill the draft from an uploaded Excel answer template (never submitted). The template's
    rows are this person's changes against the answer as it was when the template was
    downloaded (its baseline, kept in the file): merged like a save from the form."""
    from remiss.answers import template

    _require_workable(recipient)
    draft = service.draft_for(recipient, by=by)
    mine, baseline = template.values_and_baseline(imported, service.snapshot(draft, recipient.round))
    saved = service.merge_into(draft, recipient.round, mine, baseline, by=by)
    service.touch(draft, by=by, now=now)
    db.session.flush()
    return saved


def remove_draft_document(recipient: Recipient, document, *, by) -> None:
    _require_workable(recipient)
    draft = recipient.draft
    if draft is None or document.version_id != draft.id:
        raise DomainError("Filen hör inte till ert utkast.")
    documents.delete(document)
    service.touch(draft, by=by)
    db.session.flush()


def _received(version: AnswerVersion, by, now: datetime) -> None:
    """What every received version causes: the receipt to the body, and when a correction
    changed parts the office had withheld, an event in the round's history telling her."""
    db.session.flush()
    recipient = version.answer.recipient
    changed = getattr(version, "changed_markings", [])
    if changed:
        record(
            "secrecy.carried",
            version,
            actor=None,
            round_id=recipient.round_id,
            at=now,
            organisation=recipient.organisation.name,
            version=version.number,
            parts=", ".join(changed),
        )
    queue(messages.receipt(version, now), now)


def submit_answer(answer: Answer, *, by, now: datetime | None = None) -> AnswerVersion:
    """The respondent submits the draft: an immutable version, a receipt to the body."""
    now = now or utcnow()
    version = answer.submit(by=by, now=now)
    recipient = answer.recipient
    db.session.flush()
    record(
        "answer.submitted",
        version,
        actor=by,
        round_id=recipient.round_id,
        at=now,
        organisation=recipient.organisation.name,
        version=version.number,
        receipt=version.receipt_number,
    )
    _received(version, by, now)
    return version


def register_answer(
    recipient: Recipient,
    form,
    *,
    by,
    channel: Channel,
    received_on: date,
    document=None,
    now: datetime | None = None,
) -> AnswerVersion:
    """Register an answer that reached the office by e-mail or post as a submitted version.
    Whatever draft the body had is replaced by what was received; the office has read it."""
    now = now or utcnow()
    if not recipient.can_register_answer:
        if recipient.answer_is_locked:
            raise DomainError(
                "Svaret är redan inskickat. Öppna det för rättelse om ett nytt svar ska registreras."
            )
        raise DomainError("Svar kan bara registreras medan remissen är öppen eller stängd.")
    draft = service.draft_for(recipient, by=by, copy_documents=False)
    for old in list(draft.documents):
        documents.delete(old)
    service.apply_form(draft, form, recipient.round, by=by, now=now)
    if document is not None:
        draft.documents.append(document)
    version = recipient.answer.submit(by=by, channel=channel, received_on=received_on, now=now)
    db.session.flush()
    record(
        "answer.registered",
        version,
        actor=by,
        round_id=recipient.round_id,
        at=now,
        organisation=recipient.organisation.name,
        channel=channel.label.lower(),
        received_on=received_on.isoformat(),
        version=version.number,
        receipt=version.receipt_number,
    )
    _received(version, by, now)
    return version


def reopen_answer(recipient: Recipient, reason: str, *, by, now: datetime | None = None) -> Answer:
    """Let the body correct its submitted answer; the next submission becomes a new version."""
    now = now or utcnow()
    answer = recipient.answer
    if answer is None:
        raise DomainError("Bara ett inskickat svar kan öppnas för rättelse.")
    answer.reopen(by=by, reason=(reason or "").strip(), now=now)
    record(
        "answer.reopened",
        answer,
        actor=by,
        round_id=recipient.round_id,
        at=now,
        organisation=recipient.organisation.name,
        reason=answer.reopen_reason,
    )
    return answer
