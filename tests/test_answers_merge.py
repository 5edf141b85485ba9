"""The merge rule itself (remiss/answers/merge.py), table-driven: for one field, what the person
loaded (base), sent (mine) and what is saved now (theirs)."""

from __future__ import annotations

import json

import pytest

from remiss.answers.merge import (
    COMBINED,
    EMPTY,
    MINE,
    THEIRS,
    Resolution,
    baseline_after,
    digest,
    fingerprint,
    merge,
    merge_field,
    read_fingerprint,
)

# base, mine, theirs -> kept, conflict
CASES = [
    ("a", "a", "a", "a", False),  # nobody changed it
    ("a", "b", "a", "b", False),  # only I changed it
    ("a", "a", "c", "c", False),  # only the colleague changed it: theirs stays
    ("a", "b", "b", "b", False),  # both changed it to the same text
    ("a", "b", "c", "c", True),  # both changed it differently: conflict, theirs stays saved
    ("", "b", "", "b", False),  # I wrote into an empty field
    ("", "", "c", "c", False),  # a colleague wrote into a field I left empty
    ("a", "", "a", "", False),  # I emptied it
    ("a", "", "c", "c", True),  # I emptied it, the colleague rewrote it: conflict
    ("a", "b", "", "", True),  # I rewrote it, the colleague emptied it: conflict
]


@pytest.mark.parametrize("base, mine, theirs, kept, conflict", CASES)
def test_one_field(base, mine, theirs, kept, conflict):
    assert merge_field(digest(base), mine, theirs) == (kept, conflict)


@pytest.mark.parametrize("base, mine, theirs, kept, conflict", CASES)
def test_the_same_cases_through_merge(base, mine, theirs, kept, conflict):
    result = merge({"f": digest(base)}, {"f": mine}, {"f": theirs})
    assert ("f" in result.conflicts) is conflict
    assert result.changes == ({"f": kept} if kept != theirs else {})
    if conflict:
        assert result.conflicts["f"].mine == mine and result.conflicts["f"].theirs == theirs


def test_fields_merge_independently():
    base = {"a": digest("1"), "b": digest("1"), "c": digest("1"), "d": digest("1")}
    mine = {"a": "mine", "b": "1", "c": "mine", "d": "1"}
    theirs = {"a": "1", "b": "theirs", "c": "theirs", "d": "1"}
    result = merge(base, mine, theirs)
    assert result.changes == {"a": "mine"}
    assert set(result.conflicts) == {"c"}
    assert result.taken_from_theirs == {"b": "theirs"}


def test_a_field_not_sent_or_unknown_when_loaded_keeps_what_is_saved():
    # A measure added after the page was loaded: not in the base, not sent.
    result = merge({}, {}, {"m_9_comment": "Kollegans"})
    assert result.ok and result.changes == {}
    # Not in the base but sent (an old form): counts as empty when loaded.
    result = merge({}, {"m_9_comment": "Min"}, {"m_9_comment": ""})
    assert result.changes == {"m_9_comment": "Min"}
    result = merge({}, {"m_9_comment": "Min"}, {"m_9_comment": "Kollegans"})
    assert set(result.conflicts) == {"m_9_comment"}


RESOLUTIONS = [
    # choice, value, seen, saved now -> changes, conflict
    (MINE, "min", "deras", "deras", {"f": "min"}, False),
    (COMBINED, "min + deras", "deras", "deras", {"f": "min + deras"}, False),
    (THEIRS, "", "deras", "deras", {}, False),
    # Someone saved the field again after I chose against "deras": a conflict again.
    (MINE, "min", "deras", "deras igen", {}, True),
    (COMBINED, "min + deras", "deras", "deras igen", {}, True),
    # ... unless the choice was theirs: whatever they saved stays.
    (THEIRS, "", "deras", "deras igen", {}, False),
]


@pytest.mark.parametrize("choice, value, seen, saved, changes, conflict", RESOLUTIONS)
def test_a_choice_counts_against_the_text_it_was_made_against(choice, value, seen, saved, changes, conflict):
    resolution = Resolution(choice, value, digest(seen))
    result = merge({"f": digest("bas")}, {"f": "ignored"}, {"f": saved}, {"f": resolution})
    assert result.changes == changes
    assert ("f" in result.conflicts) is conflict


def test_a_field_still_in_conflict_keeps_its_old_base():
    base = {"a": digest("1"), "b": digest("1")}
    result = merge(base, {"a": "mine", "b": "mine"}, {"a": "theirs", "b": "1"})
    after = json.loads(baseline_after(result, base, {"a": "theirs", "b": "mine"}))
    assert after == {"a": digest("1"), "b": digest("mine")}
    # Sending my text again is a conflict again, never a silent win.
    again = merge(after, {"a": "mine", "b": "mine"}, {"a": "theirs", "b": "mine"})
    assert set(again.conflicts) == {"a"}


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '"x"', '{"a": 1}'])
def test_an_unreadable_fingerprint_counts_as_empty(text):
    assert all(isinstance(v, str) for v in read_fingerprint(text).values())
    assert read_fingerprint(fingerprint({"a": "x"})) == {"a": digest("x")}
    assert EMPTY == digest("")
