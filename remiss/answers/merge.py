"""The one rule for saving into a draft that others may have saved since it was loaded: a three-way
merge per field. Pure: no database, no Flask.

For each field we know what it held when the person loaded it (the *base*, kept as a digest in
the form), what the person sends now (*mine*) and what is saved now (*theirs*):

=====================  ===============  =====================================
mine vs base           theirs vs base   result
=====================  ===============  =====================================
unchanged              unchanged        unchanged
changed                unchanged        mine
unchanged              changed          theirs (a colleague's text stays)
changed                changed, same    the same text (no conflict)
changed                changed, other   theirs stays saved; a *conflict*
=====================  ===============  =====================================

A conflict is never resolved silently: the saved text stays until the person chooses, for that
field, their own text, the colleague's, or a combination (``Resolution``). A choice is made
against the colleague's text the person saw (``seen``); if someone saves the field again before
the choice arrives, it is a conflict again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field


def digest(value: str) -> str:
    """The short hash by which a form remembers what a field held (never the text itself)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


EMPTY = digest("")


def fingerprint(values: Mapping[str, str]) -> str:
    """A compact record of the values a form was loaded with: ``{"field": digest, ...}``."""
    return json.dumps({key: digest(value) for key, value in values.items()}, separators=(",", ":"))


def read_fingerprint(text: str | None) -> dict[str, str]:
    """The digests in ``text``; an unreadable or missing one is empty (every field then counts
    as empty when loaded, which can only make more conflicts, never fewer)."""
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): v for k, v in loaded.items() if isinstance(v, str)}


MINE = "mine"
THEIRS = "theirs"
COMBINED = "combined"


@dataclass(frozen=True)
class Resolution:
    """A person's choice for one conflicting field: ``MINE``, ``THEIRS`` or ``COMBINED``, the text
    chosen (for ``MINE`` and ``COMBINED``) and the digest of the colleague's text it was chosen
    against."""

    choice: str
    value: str
    seen: str


@dataclass(frozen=True)
class Conflict:
    key: str
    mine: str
    theirs: str


@dataclass
class Merge:
    """What to write (``changes``: only fields whose saved value moves), what stays in conflict,
    and which fields took a colleague's newer text that this person had not touched."""

    changes: dict[str, str] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    taken_from_theirs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.conflicts


def merge_field(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    """(the value to keep, whether it is a conflict) for one field; ``base`` is a digest."""
    if mine == theirs:
        return theirs, False
    if digest(mine) == base:
        return theirs, False  # only the colleague changed it (or nobody)
    if digest(theirs) == base:
        return mine, False  # only I changed it
    return theirs, True


def merge(
    base: Mapping[str, str],
    mine: Mapping[str, str],
    theirs: Mapping[str, str],
    resolutions: Mapping[str, Resolution] | None = None,
) -> Merge:
    """Merge ``mine`` (the fields sent) into ``theirs`` (the fields saved), field by field, from
    ``base`` (digests of the fields when loaded). A field not sent, or not known when loaded,
    counts as empty then and now: it keeps whatever is saved."""
    resolutions = resolutions or {}
    result = Merge()
    for key, saved in theirs.items():
        resolution = resolutions.get(key)
        if resolution is not None and resolution.choice == THEIRS:
            continue  # chosen: the colleague's text stays, whatever it is now
        if resolution is not None:
            value, conflict = merge_field(resolution.seen, resolution.value, saved)
        else:
            mine_value = mine.get(key, "")
            value, conflict = merge_field(base.get(key, EMPTY), mine_value, saved)
            if not conflict and value == saved and mine_value != saved:
                result.taken_from_theirs[key] = saved
        if conflict:
            sent = resolution.value if resolution is not None else mine.get(key, "")
            result.conflicts[key] = Conflict(key, sent, saved)
        elif value != saved:
            result.changes[key] = value
    return result


def baseline_after(merge_: Merge, base: Mapping[str, str], saved: Mapping[str, str]) -> str:
    """The fingerprint a form holds after this merge is saved: what is saved now, except that a
    field still in conflict keeps its old base, so that the next save of it is a conflict again
    and never counts as a choice."""
    digests = {key: digest(value) for key, value in saved.items()}
    for key in merge_.conflicts:
        digests[key] = base.get(key, EMPTY)
    return json.dumps(digests, separators=(",", ":"))
