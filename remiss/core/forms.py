"""Form helpers every area shares."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice

from remiss.core.types import LabelledEnum


def choices(pairs: Iterable[tuple[object, str]], blank: str | None = None) -> list[SelectChoice]:
    """``SelectChoice``s from (value, label) pairs, optionally led by a blank choice."""
    result = [SelectChoice("", blank)] if blank is not None else []
    return result + [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[LabelledEnum], blank: str | None = None) -> list[SelectChoice]:
    return choices(((m.value, m.label) for m in enum_cls), blank)


class ButtonForm(FlaskForm):
    """An empty form: the CSRF check of a POST button (the ``post_button`` macro)."""
