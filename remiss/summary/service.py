"""Saving the office's assessment with the round."""

from __future__ import annotations

from remiss.audit.models import record
from remiss.core.errors import DomainError
from remiss.rounds.models import Round


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def can_edit_assessment(round_: Round) -> bool:
    """The assessment is written once the round is sent, and frozen when it is archived."""
    return round_.assessment_editable


def save_assessment(
    round_: Round,
    *,
    overall: str | None,
    changes: str | None,
    areas: dict[int, str | None],
    measures: dict[int, str | None],
    actor=None,
) -> int:
    """Store the assessment texts (keyed by focus area / measure id) on the round and its rows;
    returns how many texts changed. ``None`` (a field that was not posted) leaves that text as it
    was; an empty text clears it. The caller commits."""
    if round_.is_read_only:
        raise DomainError("Remissen är avslutad. Bedömningen kan inte längre ändras.")
    if not round_.assessment_editable:
        raise DomainError("Bedömningen kan skrivas först när remissen är skickad.")
    changed = 0

    def assign(obj, attribute: str, value: str | None) -> None:
        nonlocal changed
        if value is None:
            return
        value = _clean(value)
        if (getattr(obj, attribute) or "") != value:
            setattr(obj, attribute, value)
            changed += 1

    assign(round_, "assessment", overall)
    assign(round_, "assessment_changes", changes)
    for area in round_.focus_areas:
        if area.id in areas:
            assign(area, "assessment", areas[area.id])
        for measure in area.measures:
            if measure.id in measures:
                assign(measure, "assessment", measures[measure.id])
    if changed:
        record("round.assessment_saved", round_, actor=actor, count=changed)
    return changed
