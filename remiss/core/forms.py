"""Form helpers every area shares."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, SelectChoice, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import ListWidget

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
    (``core.web.CleanRequest``). Multi-line text keeps its lines; passwords and hidden fields are
    taken exactly as posted."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            filters = unbound_field.kwargs.get("filters", ())
            if issubclass(field_class, DateField):
                options["validators"] = (*unbound_field.kwargs.get("validators", ()), _date_in_range)
            if issubclass(field_class, TextAreaField):
                options["filters"] = (*filters, _newlines)
            elif issubclass(field_class, StringField) and not issubclass(
                field_class, (PasswordField, HiddenField)
            ):
                options["filters"] = (*filters, _one_line)
            return unbound_field.bind(form=form, **options)


# The dates the tracker works with: a date outside them is a typing error, and near year 9999 a
# deadline plus a day (a calendar entry, a reminder) would not exist.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


def _date_in_range(form, field) -> None:
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            f"Ange ett datum mellan {EARLIEST_DATE.isoformat()} och {LATEST_DATE.isoformat()}."
        )


def _newlines(value):
    """Line breaks as browsers send them (CRLF) stored as one kind (LF)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _one_line(value):
    return one_line(value) if isinstance(value, str) else value


class ButtonForm(Form):
    """An empty form: the CSRF check of a POST button (the ``post_button`` macro)."""


def error_target(form, name: str | None) -> str:
    """The id an error summary's link for ``name`` points at: the field's own control, or for a
    group of radio buttons or checkboxes its first choice (a fieldset takes no focus, so a link
    to it would leave focus nowhere). An error of the whole form (``form.form_errors``, e.g. a
    refused sign-in) points at the form's first field."""
    field = form[name] if name and name in form else _first_visible_field(form)
    if field is None:
        return ""
    if isinstance(field.widget, ListWidget):
        options = list(field)
        # The first choice with a value: a blank choice ("Inte angivet") is sometimes left out.
        first = next((o for o in options if o.data not in ("", None)), options[0] if options else None)
        return first.id if first is not None else field.id
    return field.id


def _first_visible_field(form):
    return next((f for f in form if f.type not in ("HiddenField", "CSRFTokenField", "SubmitField")), None)
