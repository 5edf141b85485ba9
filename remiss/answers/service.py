"""Working on an answer: filling the shared draft from the form, knowing where a draft stood when
someone loaded it, merging a save into the draft as saved now field by field (the rule itself is
``remiss.answers.merge``), and the texts that say why a body cannot work on its answer. The use
cases themselves are in ``remiss.answers.operations``; only ``flush()`` here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from remiss.answers import merge
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


Target = tuple[int | None, int | None]  # (focus_area_id, measure_id)


def comment_index(version: AnswerVersion | None) -> dict[Target, MeasureComment]:
    """The version's comments by what they are on, read once: a page of 5,000 measures looks
    each up in constant time instead of scanning every comment per measure."""
    if version is None:
        return {}
    return {(c.focus_area_id, c.measure_id): c for c in version.comments}


def item_keys(round_: Round) -> list[tuple[str, int, Target, bool]]:
    """(kind, id, target, takes a position) of every place of ``round_`` that takes an answer
    (``forms.answer_slots``: focus areas, measures, questions – never a section), in order."""
    return [
        (slot.kind, slot.id, (slot.id, None) if slot.kind == "fa" else (None, slot.id), slot.takes_position)
        for slot in answer_slots(round_)
    ]


def snapshot(version: AnswerVersion | None, round_: Round) -> dict[str, str]:
    """Every mergeable value of an answer as text, keyed by its form field name. (Files are
    not in it: a file attached is added, never put in place of another.)"""
    values = {
        "position": version.position.value if version and version.position else "",
        "comment": (version.comment or "") if version else "",
        "other_comments": (version.other_comments or "") if version else "",
        "decided_by": (version.decided_by or "") if version else "",
        "decision_date": version.decision_date.isoformat() if version and version.decision_date else "",
        "decision_paragraph": (version.decision_paragraph or "") if version else "",
    }
    index = comment_index(version)
    for kind, item_id, target, takes_position in item_keys(round_):
        comment = index.get(target)
        if takes_position:
            values[f"{kind}_{item_id}_position"] = (
                comment.position.value if comment and comment.position else ""
            )
        values[f"{kind}_{item_id}_comment"] = (comment.text or "") if comment else ""
    return values


def field_labels(round_: Round) -> dict[str, str]:
    labels = dict(FIELD_LABELS)
    for slot in answer_slots(round_):
        name = f"{slot.label} {slot.title}"
        if slot.takes_position:
            labels[f"{slot.key}_position"] = f"{name}: ställningstagande"
        labels[f"{slot.key}_comment"] = f"{name}: {'svar' if slot.is_question else 'synpunkter'}"
    return labels


def short_labels(round_: Round) -> dict[str, str]:
    """What the autosave status calls a field: ``2:1``, ``fokusområde 1``, ``övergripande synpunkter``."""
    labels = {key: label.lower() for key, label in FIELD_LABELS.items()}
    for area in round_.focus_areas:
        for suffix in ("position", "comment"):
            labels[f"fa_{area.id}_{suffix}"] = area.label.lower()
        for measure in area.measures:
            for suffix in ("position", "comment"):
                labels[f"m_{measure.id}_{suffix}"] = measure.number
    return labels


def _item_labels(labels, kind, item_id, name) -> None:
    labels[f"{kind}_{item_id}_position"] = f"{name}: ställningstagande"
    labels[f"{kind}_{item_id}_comment"] = f"{name}: synpunkter"


def display(key: str, value: str) -> str:
    """A saved value as a person reads it."""
    if not value:
        return "(tomt)"
    if key == "position":
        return Position(value).label
    if key.endswith("_position"):
        return MeasurePosition(value).label
    return value


def is_choice_field(key: str) -> bool:
    """Positions are chosen, not written: a conflict on one offers mine or theirs, no combination."""
    return key == "position" or key.endswith("_position") or key == "decision_date"


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
    fill_values(form, values)
    form.version_token.data = version_token(draft)
    form.baseline.data = merge.fingerprint(values)


def fill_values(form, values: dict[str, str]) -> None:
    for name, value in values.items():
        if name in form:
            form[name].data = value
    if "decision_date" in values and "decision_date" in form:
        text = values["decision_date"]
        form.decision_date.data = date.fromisoformat(text) if text else None


class _Value:
    def __init__(self, data=None) -> None:
        self.data = data


class AnswerValues:
    """An answer given as plain values, shaped like the answer form ``form_values`` and the
    operations read: for the importer, the CLI and tests, which have no request. ``items`` maps
    ``("m", measure id)`` or ``("fa", focus area id)`` to (position code or None, text). It was
    loaded from nothing: every field it gives counts as its own change in the merge."""

    def __init__(
        self,
        *,
        position: str | None = None,
        comment: str = "",
        other_comments: str = "",
        decided_by: str = "",
        decision_date=None,
        decision_paragraph: str = "",
        items: dict[tuple[str, int], tuple[str | None, str]] | None = None,
    ) -> None:
        self.position = _Value(position)
        self.comment = _Value(comment)
        self.other_comments = _Value(other_comments)
        self.decided_by = _Value(decided_by)
        self.decision_date = _Value(decision_date)
        self.decision_paragraph = _Value(decision_paragraph)
        self.baseline = _Value("")
        self.version_token = _Value(None)
        self._items = {f"{kind}_{item_id}": value for (kind, item_id), value in (items or {}).items()}

    def item_fields(self, kind: str, item_id: int) -> tuple[_Value, _Value]:
        position, text = self._items.get(f"{kind}_{item_id}", (None, ""))
        return _Value(position), _Value(text)

    def item_field_names(self) -> list[str]:
        return [f"{key}_{part}" for key in self._items for part in ("position", "comment")]

    def __getitem__(self, name: str) -> _Value:
        key, _, part = name.rpartition("_")
        position, text = self._items.get(key, (None, ""))
        return _Value(position if part == "position" else text)


def form_values(form) -> dict[str, str]:
    """What the form sends, as text per field (the keys of ``snapshot``)."""
    values = {
        "position": form.position.data or "",
        "comment": form.comment.data or "",
        "other_comments": form.other_comments.data or "",
        "decided_by": form.decided_by.data or "",
        "decision_date": form.decision_date.data.isoformat() if form.decision_date.data else "",
        "decision_paragraph": form.decision_paragraph.data or "",
    }
    for name in form.item_field_names():
        values[name] = form[name].data or ""
    return values


def apply_form(version: AnswerVersion, form, round_: Round, *, by, now: datetime | None = None) -> None:
    """Write the form's content into the (draft) ``version``, every field (the office's
    registration of an answer received by e-mail or post)."""
    apply_values(version, form_values(form), round_)
    touch(version, by=by, now=now)


def apply_values(version: AnswerVersion, values: dict[str, str], round_: Round) -> None:
    """Write ``values`` (text per field, as ``snapshot``) into the draft; fields not named keep
    what they have."""
    if "position" in values:
        version.position = Position(values["position"]) if values["position"] else None
    for name in ("comment", "other_comments", "decided_by", "decision_paragraph"):
        if name in values:
            setattr(version, name, values[name])
    if "decision_date" in values:
        text = values["decision_date"]
        version.decision_date = date.fromisoformat(text) if text else None
    index = comment_index(version)
    for kind, item_id, target, takes_position in item_keys(round_):
        position_key, comment_key = f"{kind}_{item_id}_position", f"{kind}_{item_id}_comment"
        if comment_key not in values and (not takes_position or position_key not in values):
            continue
        comment = index.get(target)
        if takes_position:
            position = values.get(
                position_key, comment.position.value if comment and comment.position else ""
            )
        else:
            position = ""  # a question takes no position, whatever a form or file says
        text = values.get(comment_key, comment.text if comment else "")
        focus_area_id, measure_id = target
        if kind == "fa":
            set_item(version, position, text, index=index, focus_area_id=focus_area_id)
        else:
            set_item(version, position, text, index=index, measure_id=measure_id)


def set_item(
    version: AnswerVersion,
    position: str | None,
    text: str | None,
    *,
    index: dict[Target, MeasureComment] | None = None,
    **target,
) -> None:
    """Set the position and comment on one focus area or measure; an empty one is removed.
    ``index`` (``comment_index``) is kept up to date when given."""
    key = (target.get("focus_area_id"), target.get("measure_id"))
    comment = index.get(key) if index is not None else version.comment_on(**target)
    position = MeasurePosition(position) if position else None
    text = text or ""
    if position is None and not text:
        if comment is not None:
            version.comments.remove(comment)
            if index is not None:
                index.pop(key, None)
        return
    if comment is None:
        comment = MeasureComment(**target)
        version.comments.append(comment)
        if index is not None:
            index[key] = comment
    comment.position = position
    comment.text = text


# Merging a save into the draft -----------------------------------------------------------------
@dataclass
class SavedDraft:
    """A save merged into the draft: the draft, the merge, and who had saved it last before
    (``colleague``: their name and when, when that was someone else after this form was loaded)."""

    draft: AnswerVersion
    merged: merge.Merge
    base: dict[str, str]
    colleague: str | None = None
    colleague_at: datetime | None = None

    @property
    def baseline(self) -> str:
        """What the form holds from now on (see ``merge.baseline_after``)."""
        return merge.baseline_after(self.merged, self.base, self.saved)

    saved: dict[str, str] = field(default_factory=dict)


def merge_into(
    draft: AnswerVersion,
    round_: Round,
    mine: dict[str, str],
    baseline: str,
    *,
    resolutions: dict[str, merge.Resolution] | None = None,
    loaded_token: str | None = None,
    by=None,
) -> SavedDraft:
    """Merge what a person sends into the draft as saved now (``merge.merge``: one rule for the
    form, the autosave and the Excel template) and write the result. Fields in conflict keep the
    saved text; the caller shows them side by side."""
    theirs = snapshot(draft, round_)
    base = merge.read_fingerprint(baseline)
    merged = merge.merge(base, mine, theirs, resolutions)
    saved = SavedDraft(draft, merged, base)
    someone_else = draft.updated_by is not None and by is not None and draft.updated_by.id != by.id
    moved_on = loaded_token is None or loaded_token != version_token(draft)
    if moved_on and draft.id is not None and someone_else:
        saved.colleague = draft.updated_by.name
        saved.colleague_at = draft.updated_at
    apply_values(draft, merged.changes, round_)
    saved.saved = {**theirs, **merged.changes}
    return saved


def resolutions_from(data) -> dict[str, merge.Resolution]:
    """The choices made on the conflict page: ``choice_<field>`` (mine, theirs, combined),
    ``mine_<field>`` (my text, kept in the page) and ``seen_<field>`` (the digest of the
    colleague's text I chose against); a combination is the field itself."""
    resolutions = {}
    for name, choice in data.items():
        if not name.startswith("choice_") or choice not in (merge.MINE, merge.THEIRS, merge.COMBINED):
            continue
        key = name.removeprefix("choice_")
        seen = data.get(f"seen_{key}", "")
        if choice == merge.MINE:
            value = data.get(f"mine_{key}", "")
        elif choice == merge.COMBINED:
            value = data.get(key, "")
        else:
            value = ""
        resolutions[key] = merge.Resolution(choice, normalise(value), seen)
    return resolutions


def normalise(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


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
    index = comment_index(version)
    items = []
    for area in round_.focus_areas:
        comment = index.get((area.id, None))
        if area.takes_answer:
            items.append(_item_view(comment, "fa", area.label, area.title))
        elif area.has_heading or (comment is not None and comment.text.strip()):
            # A section from before questions were questions may carry a comment of its own.
            text = comment.text if comment is not None else ""
            items.append(ItemView("section", area.label, area.title or area.label, None, text, True))
        for measure in area.measures:
            items.append(
                _item_view(
                    index.get((None, measure.id)), "m", measure.label, measure.title, measure.is_question
                )
            )
    return items


def _item_view(comment, kind, label, title, is_question=False) -> ItemView:
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
