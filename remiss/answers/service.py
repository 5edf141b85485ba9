"""Working on an answer: filling the shared draft from the form, knowing where a draft stood when
someone loaded it (to refuse saving over a colleague's newer save and to name what changed), and
the texts that say why a body cannot work on its answer. The use cases themselves are in
``remiss.answers.operations``; only ``flush()`` here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from remiss.answers.forms import answer_slots
from remiss.answers.models import (
    Answer,
    AnswerVersion,
    MeasureComment,
    MeasurePosition,
    Position,
)
from remiss.core.time import format_datetime, utcnow
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.rounds.models import Recipient, Round

# The answer's own fields, in the order of the form, with their Swedish names.
FIELD_LABELS = {
    "position": "Ställningstagande till förslaget som helhet",
    "comment": "Övergripande synpunkter",
    "other_comments": "Övriga synpunkter",
    "decided_by": "Beslutat av",
    "decision_date": "Beslutsdatum",
    "decision_paragraph": "Paragraf",
    "documents": "Bifogade filer",
}


def store_decision(file_storage, *, by) -> object:
    """Check and store the body's signed decision; ``DomainError`` with a Swedish message."""
    return documents.store_upload(
        file_storage, kind=DocumentKind.DECISION, allowed=documents.DECISION_TYPES, uploaded_by=by
    )


# Where a draft stood ---------------------------------------------------------------------------
def version_token(draft: AnswerVersion | None) -> str:
    """``"<version id>:<revision>"`` of the draft, or ``"new"`` when there is none yet."""
    if draft is None or draft.id is None:
        return "new"
    return f"{draft.id}:{draft.revision}"


def snapshot(version: AnswerVersion | None, round_: Round) -> dict[str, str]:
    """Every value of an answer as text, keyed by its form field name."""
    values = {
        "position": version.position.value if version and version.position else "",
        "comment": version.comment if version else "",
        "other_comments": version.other_comments if version else "",
        "decided_by": version.decided_by if version else "",
        "decision_date": version.decision_date.isoformat() if version and version.decision_date else "",
        "decision_paragraph": version.decision_paragraph if version else "",
        "documents": ",".join(sorted(str(d.id) for d in version.documents)) if version else "",
    }
    for slot in answer_slots(round_):
        comment = version.comment_on(**slot.target) if version else None
        if slot.takes_position:
            values[f"{slot.key}_position"] = comment.position.value if comment and comment.position else ""
        values[f"{slot.key}_comment"] = comment.text if comment else ""
    return values


def field_labels(round_: Round) -> dict[str, str]:
    labels = dict(FIELD_LABELS)
    for slot in answer_slots(round_):
        name = f"{slot.label} {slot.title}"
        if slot.takes_position:
            labels[f"{slot.key}_position"] = f"{name}: ställningstagande"
        labels[f"{slot.key}_comment"] = f"{name}: {'svar' if slot.is_question else 'synpunkter'}"
    return labels


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def fingerprint(values: dict[str, str]) -> str:
    """A compact record of the values a form was loaded with (hashes, not the texts)."""
    return json.dumps({key: _digest(value) for key, value in values.items()}, separators=(",", ":"))


@dataclass(frozen=True)
class Change:
    label: str
    saved: str  # the value someone else saved, as text


def changes_since(baseline: str, draft: AnswerVersion | None, round_: Round) -> list[Change]:
    """The fields whose saved value differs from what the form was loaded with."""
    try:
        started = json.loads(baseline or "{}")
    except ValueError:
        started = {}
    if not isinstance(started, dict):
        started = {}
    now = snapshot(draft, round_)
    empty = _digest("")
    labels = field_labels(round_)
    return [
        Change(labels[key], _display(key, value, draft))
        for key, value in now.items()
        if started.get(key, empty) != _digest(value)
    ]


def _display(key: str, value: str, draft: AnswerVersion | None) -> str:
    if not value:
        return "(tomt)"
    if key == "position":
        return Position(value).label
    if key.endswith("_position"):
        return MeasurePosition(value).label
    if key == "documents":
        return ", ".join(d.original_name for d in draft.documents) if draft else ""
    return value


def saved_by_text(draft: AnswerVersion | None) -> str:
    """``Anna Andersson 2022-01-27 14:03``: who saved the draft last, and when."""
    if draft is None:
        return ""
    who = draft.updated_by.name if draft.updated_by is not None else "någon annan"
    return f"{who} {format_datetime(draft.updated_at)}"


# Filling a draft -------------------------------------------------------------------------------
def fill_form(form, shown: AnswerVersion | None, round_: Round, *, draft: AnswerVersion | None) -> None:
    """Load ``form`` with the answer as saved (``shown``: the draft, or the submitted version a
    new draft will copy), and where the draft stood."""
    values = snapshot(shown, round_)
    form.position.data = values["position"]
    for name in ("comment", "other_comments", "decided_by", "decision_paragraph"):
        form[name].data = values[name]
    form.decision_date.data = shown.decision_date if shown else None
    for name in form.item_field_names():
        form[name].data = values[name]
    mark_loaded(form, shown, round_, draft=draft)


def mark_loaded(form, shown: AnswerVersion | None, round_: Round, *, draft: AnswerVersion | None) -> None:
    """Record in the form the saved state it now builds on."""
    form.version_token.data = version_token(draft)
    form.baseline.data = fingerprint(snapshot(shown, round_))


def apply_form(version: AnswerVersion, form, round_: Round, *, by, now: datetime | None = None) -> None:
    """Write the form's content into the (draft) ``version``."""
    version.position = Position(form.position.data) if form.position.data else None
    version.comment = form.comment.data or ""
    version.other_comments = form.other_comments.data or ""
    version.decided_by = form.decided_by.data or ""
    version.decision_date = form.decision_date.data
    version.decision_paragraph = form.decision_paragraph.data or ""
    for slot in answer_slots(round_):
        position, comment = form.item_fields(slot.kind, slot.id)
        # A question takes no position, whatever a form or file says.
        position = position.data if slot.takes_position and position is not None else None
        set_item(version, position, comment.data, **slot.target)
    touch(version, by=by, now=now)


def set_item(version: AnswerVersion, position: str | None, text: str | None, **target) -> None:
    """Set the position and comment on one focus area or measure; an empty one is removed."""
    comment = version.comment_on(**target)
    position = MeasurePosition(position) if position else None
    text = text or ""
    if position is None and not text:
        if comment is not None:
            version.comments.remove(comment)
        return
    if comment is None:
        comment = MeasureComment(**target)
        version.comments.append(comment)
    comment.position = position
    comment.text = text


def touch(version: AnswerVersion, *, by, now: datetime | None = None) -> None:
    """Mark the draft as saved by ``by``. Always an UPDATE of the version's row, so its
    revision moves on even when only its comments or files changed."""
    version.updated_at = now or utcnow()
    version.updated_by = by


def draft_for(recipient: Recipient, *, by, copy_documents: bool = True) -> AnswerVersion:
    """The recipient's draft, started if need be (``DomainError`` when submitted and not
    reopened). A correction starts as a copy of the submitted version, its files included."""
    if recipient.answer is None:
        recipient.answer = Answer()
    answer = recipient.answer
    if answer.draft is not None:
        return answer.draft
    draft = answer.start_draft(by=by)
    latest = answer.latest_submitted
    if copy_documents and latest is not None:
        for document in latest.documents:
            path = documents.path_of(document)
            if not path.is_file():
                continue
            with open(path, "rb") as stream:
                copy = documents.store(
                    stream,
                    document.original_name,
                    kind=document.kind,
                    allowed=documents.DECISION_TYPES,
                    uploaded_by=document.uploaded_by,
                )
            copy.secrecy_ground = document.secrecy_ground  # a marking follows every copy
            draft.documents.append(copy)
    return draft


# Why a respondent cannot work on the answer ---------------------------------------------------
SUBMITTED = "Svaret är inskickat och kan inte ändras. Kontakta handläggaren om ni behöver rätta något."


def contact_text(round_: Round) -> str:
    """Who a body contacts about the round: ``handläggaren Anna Andersson (anna@goteborg.se)``."""
    officer = round_.officer
    if officer is None:
        return "stadsledningskontoret"
    return f"handläggaren {officer.name} ({officer.email})"


def closed_text(round_: Round) -> str:
    """What a body is told once the round takes no more answers, with whom to contact."""
    return (
        f"Remissen är {round_.status.label.lower()} och tar inte emot fler svar. "
        f"Kontakta {contact_text(round_)} om ni behöver lämna svar."
    )


def not_registrable_text(recipient: Recipient) -> str:
    """Why the office cannot register an answer from ``recipient`` now."""
    if recipient.answer_is_locked:
        return "Svaret är redan inskickat. Öppna det för rättelse om ett nytt svar ska registreras."
    return "Svar kan bara registreras medan remissen är öppen eller stängd."


# Summaries -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemView:
    """One focus area, measure, section or question with what the answer says on it."""

    kind: str  # "fa", "m" (a measure or a question) or "section" (a heading only)
    label: str
    title: str
    position: MeasurePosition | None
    text: str
    is_question: bool = False

    @property
    def takes_position(self) -> bool:
        return not self.is_question and self.kind != "section"

    @property
    def heading(self) -> str:
        return self.title if self.kind == "section" else f"{self.label}: {self.title}"


def answer_items(version: AnswerVersion | None, round_: Round) -> list[ItemView]:
    """The answer per part of the round: focus areas and measures with position and comments;
    sections (as headings) and questions with their answers."""
    items = []
    for area in round_.focus_areas:
        if area.takes_answer:
            items.append(_item_view(version, "fa", area.label, area.title, focus_area_id=area.id))
        else:
            comment = version.comment_on(focus_area_id=area.id) if version else None
            if area.has_heading or (comment is not None and comment.text.strip()):
                # A section from before questions were questions may carry a comment of its own.
                text = comment.text if comment is not None else ""
                items.append(ItemView("section", area.label, area.title or area.label, None, text, True))
        for measure in area.measures:
            items.append(
                _item_view(
                    version, "m", measure.label, measure.title, measure.is_question, measure_id=measure.id
                )
            )
    return items


def _item_view(version, kind, label, title, is_question=False, **target) -> ItemView:
    comment = version.comment_on(**target) if version else None
    return ItemView(
        kind,
        label,
        title,
        comment.position if comment and not is_question else None,
        comment.text if comment else "",
        is_question,
    )


def position_counts(version: AnswerVersion) -> dict[str, int]:
    """How many measures and focus areas the answer assents to, rejects, or only comments on,
    and how many questions it answers."""
    counts = {"assent": 0, "reject": 0, "comment": 0, "answered": 0}
    for comment in version.comments:
        if comment.measure is not None and comment.measure.is_question:
            counts["answered"] += bool(comment.text.strip())
        elif comment.position is MeasurePosition.ASSENT:
            counts["assent"] += 1
        elif comment.position is MeasurePosition.REJECT:
            counts["reject"] += 1
        elif comment.text.strip():
            counts["comment"] += 1
    return counts
