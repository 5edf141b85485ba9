"""The office's assessment (stadsledningskontorets bedömning): one text for the round as a
whole, one for the changes made to the draft, and one per focus area and per measure. The
per-item fields depend on the round's structure, so the form class is built for the round."""

from __future__ import annotations

from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from remiss.core.forms import Form

ASSESSMENT_MAX = 50_000
_TOO_LONG = "Texten får vara högst %(max)d tecken."


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=ASSESSMENT_MAX, message=_TOO_LONG)])


class AssessmentForm(Form):
    assessment = _text("Stadsledningskontorets bedömning av förslaget som helhet")
    assessment_changes = _text("Ändringar i förslaget efter remissen")

    def area_field(self, area):
        return self[f"area_{area.id}"]

    def measure_field(self, measure):
        return self[f"measure_{measure.id}"]


def assessment_form_for(round_, **kwargs) -> AssessmentForm:
    """An ``AssessmentForm`` with a field per focus area and measure of ``round_``."""

    class RoundAssessmentForm(AssessmentForm):
        pass

    for area in round_.focus_areas:
        setattr(RoundAssessmentForm, f"area_{area.id}", _text(f"Bedömning av fokusområde {area.number}"))
        for measure in area.measures:
            label = f"Bedömning av {measure.kind.label.lower()} {measure.number}"
            setattr(RoundAssessmentForm, f"measure_{measure.id}", _text(label))
    form = RoundAssessmentForm(**kwargs)
    if not form.is_submitted():
        form.assessment.data = round_.assessment
        form.assessment_changes.data = round_.assessment_changes
        for area in round_.focus_areas:
            form.area_field(area).data = area.assessment
            for measure in area.measures:
                form.measure_field(measure).data = measure.assessment
    return form


class ReportForm(Form):
    """The report's opening paragraph, prefilled with the draft from the round's facts."""

    intro = TextAreaField(
        "Inledning",
        validators=[Length(max=20_000, message=_TOO_LONG)],
        render_kw={"rows": 14},
    )


class ThemeForm(Form):
    """A new theme for the round."""

    name = StringField(
        "Nytt tema",
        validators=[
            DataRequired(message="Skriv temats namn."),
            Length(max=200, message="Namnet får vara högst %(max)d tecken."),
        ],
    )


class TagForm(Form):
    """The themes of one comment (or of a group of similar comments): the ids posted are the
    ones checked; the choices are set from the round's themes by the view."""

    themes = SelectMultipleField("Teman", coerce=int, validate_choice=True)
    comments = StringField("Synpunkter")  # comma-separated comment ids
    next = HiddenField()
