"""The office's assessment (stadsledningskontorets bedömning): one text for the round as a
whole, one for the changes made to the draft, and one per focus area and per measure. The
per-item fields depend on the round's structure, so the form class is built for the round."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from remiss.core.forms import Form
from remiss.summary.service import text_hash

ASSESSMENT_MAX = 50_000
_TOO_LONG = "Texten får vara högst %(max)d tecken."


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=ASSESSMENT_MAX, message=_TOO_LONG)])


class AssessmentForm(Form):
    assessment = _text("Stadsledningskontorets bedömning av förslaget som helhet")
    assessment_changes = _text("Ändringar i förslaget efter remissen")
    # What each text held when the form was loaded (``text_hash``), for the three-way merge.
    base_assessment = HiddenField()
    base_assessment_changes = HiddenField()

    def posted(self, round_) -> dict[str, tuple[str, str | None]]:
        """The texts as ``merge_assessment`` takes them: key → (hash when loaded, text)."""
        posted = {
            "round": (self.base_assessment.data or "", self.assessment.data),
            "changes": (self.base_assessment_changes.data or "", self.assessment_changes.data),
        }
        for area in round_.focus_areas:
            posted[f"area-{area.id}"] = (self[f"base_area_{area.id}"].data or "", self.area_field(area).data)
            for m in area.measures:
                posted[f"measure-{m.id}"] = (
                    self[f"base_measure_{m.id}"].data or "",
                    self.measure_field(m).data,
                )
        return posted

    def field_of(self, key: str):
        """The text field of a key of ``assessment_targets``."""
        if key == "round":
            return self.assessment
        if key == "changes":
            return self.assessment_changes
        kind, _, number = key.partition("-")
        return self[f"{kind}_{number}"]

    def base_of(self, key: str):
        return self["base_" + self.field_of(key).name]

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
        setattr(RoundAssessmentForm, f"base_area_{area.id}", HiddenField())
        for measure in area.measures:
            label = f"Bedömning av {measure.kind.label.lower()} {measure.number}"
            setattr(RoundAssessmentForm, f"measure_{measure.id}", _text(label))
            setattr(RoundAssessmentForm, f"base_measure_{measure.id}", HiddenField())
    form = RoundAssessmentForm(**kwargs)
    if not form.is_submitted():
        form.assessment.data = round_.assessment
        form.assessment_changes.data = round_.assessment_changes
        for area in round_.focus_areas:
            form.area_field(area).data = area.assessment
            for measure in area.measures:
                form.measure_field(measure).data = measure.assessment
        for field in list(form):
            if field.name.startswith("base_"):
                field.data = text_hash(form[field.name[len("base_") :]].data)
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

    part = HiddenField(validators=[Regexp(r"^(helhet|\d{1,12})$")])
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
    comments = HiddenField(validators=[DataRequired(), Regexp(r"^\d+(,\d+){0,499}$")])  # comment ids
    part = HiddenField(validators=[Regexp(r"^(helhet|\d{1,12})$")])
    anchor = HiddenField(validators=[Regexp(r"^[a-z]+-\d{1,12}$|^$")])


class ThemeRemoveForm(Form):
    part = HiddenField(validators=[Regexp(r"^(helhet|\d{1,12})$")])
    theme = IntegerField(validators=[DataRequired()])


class WorkForm(Form):
    """The assessment texts of one page beside the comments, each with the hash of what it held
    when the page was loaded (``base_<key>``), for the three-way merge."""

    def text_field(self, key: str):
        return self[f"text_{key.replace('-', '_')}"]

    def base_field(self, key: str):
        return self[f"base_{key.replace('-', '_')}"]

    def posted(self, keys) -> dict[str, tuple[str, str | None]]:
        return {key: (self.base_field(key).data or "", self.text_field(key).data) for key in keys}


def work_form_for(texts: dict[str, tuple[str, str]], **kwargs) -> WorkForm:
    """A ``WorkForm`` for the texts key → (label, text as loaded)."""

    class PartWorkForm(WorkForm):
        pass

    for key, (label, _loaded) in texts.items():
        name = key.replace("-", "_")
        setattr(PartWorkForm, f"text_{name}", _text(label))
        setattr(PartWorkForm, f"base_{name}", HiddenField())
    form = PartWorkForm(**kwargs)
    if not form.is_submitted():
        for key, (_label, text) in texts.items():
            form.text_field(key).data = text
            form.base_field(key).data = text_hash(text)
    return form
