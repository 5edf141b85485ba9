from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from remiss.core.forms import Form, enum_choices
from remiss.organisations.models import OrganisationKind


class OrganisationForm(Form):
    name = StringField("Namn", validators=[DataRequired("Ange namnet."), Length(max=200)])
    short_name = StringField("Kortnamn", validators=[DataRequired("Ange ett kortnamn."), Length(max=60)])
    kind = SelectField("Typ", choices=enum_choices(OrganisationKind))
    group = StringField("Grupp (t.ex. Socialnämnderna)", validators=[Optional(), Length(max=100)])
    email = EmailField(
        "Funktionsbrevlåda",
        validators=[
            DataRequired("Ange organisationens e-postadress."),
            Email("Ange en giltig e-postadress."),
            Length(max=254),
        ],
        # The body's mailbox, not the admin's own address: no autofill (WCAG 1.3.5 is about the
        # user's own data).
        render_kw={"autocomplete": "off"},
    )
    active = BooleanField("Aktiv", default=True)


class OrganisationImportForm(Form):
    file = FileField("CSV-fil", validators=[FileRequired("Välj en CSV-fil.")])
