from __future__ import annotations

from wtforms import BooleanField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from remiss.core.forms import Form, choices
from remiss.public.service import LISTED_STATUSES, SECRECY_GROUND_MAX


class SearchForm(Form):
    """The register's search: a GET form, so no CSRF token (nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(
        "Sök på rubrik, diarienummer eller organisation",
        validators=[Optional(), Length(max=200, message="Sökningen får vara högst 200 tecken.")],
    )
    status = SelectField(
        "Status",
        choices=choices(((s.value, s.label) for s in LISTED_STATUSES), blank="Alla"),
        validate_choice=False,  # an unknown status in the address means "Alla"
    )


class PublicityForm(Form):
    is_public = BooleanField("Visa remissen i det offentliga remissregistret")
    save = SubmitField("Spara")


class SecrecyForm(Form):
    """Mark one part as confidential with its legal ground, or lift the marking. The ground is
    checked in ``mark_confidential`` so that the rule and its message live in one place."""

    ground = StringField(
        "Rättslig grund för sekretess",
        validators=[
            Optional(),
            Length(max=SECRECY_GROUND_MAX, message="Den rättsliga grunden får vara högst 300 tecken."),
        ],
    )
    mark = SubmitField("Sekretessmarkera")
    lift = SubmitField("Häv sekretessen")
