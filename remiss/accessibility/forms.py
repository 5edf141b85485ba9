"""The form on the accessibility statement: what the problem is (required), where (optional),
and a name and address for an answer (optional)."""

from __future__ import annotations

from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from remiss.accessibility.models import EMAIL_MAX, NAME_MAX, PAGE_MAX, PROBLEM_MAX
from remiss.core.forms import Form


class ReportForm(Form):
    problem = TextAreaField(
        "Beskriv problemet",
        validators=[
            DataRequired("Beskriv problemet du har stött på."),
            Length(max=PROBLEM_MAX, message=f"Beskrivningen får vara högst {PROBLEM_MAX} tecken."),
        ],
        render_kw={"rows": 6},
    )
    page = StringField(
        "Vilken sida eller vilket innehåll gäller det?",
        validators=[
            Optional(),
            Length(max=PAGE_MAX, message=f"Sidan eller innehållet får vara högst {PAGE_MAX} tecken."),
        ],
    )
    name = StringField(
        "Ditt namn",
        validators=[Optional(), Length(max=NAME_MAX, message=f"Namnet får vara högst {NAME_MAX} tecken.")],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "Din e-postadress",
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=f"E-postadressen får vara högst {EMAIL_MAX} tecken."),
            Email("Ange en giltig e-postadress, till exempel namn@example.se, eller lämna fältet tomt."),
        ],
        render_kw={"autocomplete": "email"},
    )
