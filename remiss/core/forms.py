"""Form helpers every area shares."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, StringField

from remiss.core.text import one_line
from remiss.core.types import LabelledEnum


def choices(pairs: Iterable[tuple[object, str]], blank: str | None = None) -> list[SelectChoice]:
    """``SelectChoice``s from (value, label) pairs, optionally led by a blank choice."""
    result = [SelectChoice("", blank)] if blank is not None else []
    return result + [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls: type[LabelledEnum], blank: str | None = None) -> list[SelectChoice]:
    return choices(((m.value, m.label) for m in enum_cls), blank)


class Form(FlaskForm):
    """The base of every form: a single-line text field keeps one line (a line break or tab
    posted into a title becomes a space); control characters are already gone
    (``core.web.CleanRequest``). Passwords are taken exactly as typed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options["filters"] = (*unbound_field.kwargs.get("filters", ()), _one_line)
            return unbound_field.bind(form=form, **options)


def _one_line(value):
    return one_line(value) if isinstance(value, str) else value


class ButtonForm(Form):
    """An empty form: the CSRF check of a POST button (the ``post_button`` macro)."""
