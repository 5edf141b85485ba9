"""The overview's filters, read from the query string."""

from __future__ import annotations

from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from remiss.answers.forms import SwedishDateField
from remiss.core.forms import Form, choices, enum_choices
from remiss.organisations.models import OrganisationKind
from remiss.overview.service import Filters

NOT_IN_LIST = "Välj ett värde i listan."
NAME_MAX = 200


class OverviewFilterForm(Form):
    """Rounds sent between two dates, and the bodies of a group, of a kind, or whose name
    contains a text. A GET form (nothing changes), so no CSRF token. A value that cannot be read
    is refused with a Swedish message and that filter is left out; the others still apply."""

    class Meta:
        csrf = False

    sent_from = SwedishDateField("Skickade från och med", validators=[Optional()])
    sent_to = SwedishDateField("Skickade till och med", validators=[Optional()])
    group = SelectField("Grupp", validators=[Optional()], invalid_choice_message=NOT_IN_LIST)
    kind = SelectField(
        "Typ av remissinstans",
        choices=enum_choices(OrganisationKind, blank="Alla"),
        validators=[Optional()],
        invalid_choice_message=NOT_IN_LIST,
    )
    q = SearchField(
        "Remissinstansens namn",
        validators=[
            Optional(),
            Length(max=NAME_MAX, message=f"Namnet får vara högst {NAME_MAX} tecken."),
        ],
    )

    def __init__(self, *args, groups: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = choices(((g, g) for g in groups), blank="Alla")

    def validate_sent_to(self, field) -> None:
        start = self.sent_from.data if not self.sent_from.errors else None
        if field.data and start and field.data < start:
            raise ValidationError("Slutdatumet får inte vara före startdatumet.")

    def _value(self, name: str):
        """The field's value when it was given and accepted, else None."""
        field = self[name]
        return field.data if field.data and not field.errors else None

    @property
    def filters(self) -> Filters:
        """The accepted filters (a refused one is left out)."""
        kind = self._value("kind")
        return Filters(
            sent_from=self._value("sent_from"),
            sent_to=self._value("sent_to"),
            group=self._value("group"),
            kind=OrganisationKind(kind) if kind else None,
            name=(self._value("q") or "").strip(),
        )

    @property
    def args(self) -> dict[str, str]:
        """The accepted filters as the query string keeps them (for paging and the export)."""
        values = {
            "sent_from": self._value("sent_from"),
            "sent_to": self._value("sent_to"),
            "group": self._value("group"),
            "kind": self._value("kind"),
            "q": (self._value("q") or "").strip(),
        }
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in values.items()
            if value
        }
