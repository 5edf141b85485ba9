"""The answer form, one class for the respondent's draft and the officer's registration of an
answer received by e-mail or post, with a position and a comment per focus area and measure of
the round it is built for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from remiss.answers.models import Channel, MeasurePosition, Position
from remiss.core.forms import Form, choices, enum_choices
from remiss.core.time import local_today

MAX_TEXT = 20_000
TEXT_TOO_LONG = f"Texten får vara högst {MAX_TEXT:,} tecken lång.".replace(",", " ")


def normalise_newlines(value: str | None) -> str | None:
    """Browsers send a line break as CR LF; keep it as the one character the user typed."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n")


def text_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[normalise_newlines],
        validators=[Length(max=MAX_TEXT, message=TEXT_TOO_LONG)],
        default="",
    )


class SwedishDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2022-01-25.") from error


ITEM_CHOICES = enum_choices(MeasurePosition, blank="Inget ställningstagande")


def measure_position_field(label: str) -> RadioField:
    return RadioField(
        label,
        choices=ITEM_CHOICES,
        default="",
        invalid_choice_message="Välj Tillstyrker, Avstyrker eller inget ställningstagande.",
    )


def item_key(kind: str, item_id: int) -> str:
    """The field-name stem of a focus area (``fa``) or measure or question (``m``): ``m_12``."""
    return f"{kind}_{item_id}"


@dataclass(frozen=True)
class Slot:
    """One place in the round's structure that takes an answer: a focus area or a measure (a
    position and a comment), or a question (an answer in free text, no position). A section
    takes none: its questions are answered."""

    kind: str  # "fa" or "m"
    id: int
    label: str
    title: str
    takes_position: bool
    is_question: bool

    @property
    def key(self) -> str:
        return item_key(self.kind, self.id)

    @property
    def target(self) -> dict:
        return {"focus_area_id": self.id} if self.kind == "fa" else {"measure_id": self.id}

    @property
    def text_label(self) -> str:
        if self.is_question:
            return f"Svar på {self.label.lower()}"
        return f"Synpunkter på {self.label.lower()}"


def answer_slots(round_) -> list[Slot]:
    """Every place of ``round_`` that takes an answer, in the round's order."""
    slots = []
    for area in round_.focus_areas:
        if area.takes_answer:
            slots.append(Slot("fa", area.id, area.label, area.title, True, False))
        for measure in area.measures:
            slots.append(
                Slot(
                    "m", measure.id, measure.label, measure.title, measure.takes_position, measure.is_question
                )
            )
    return slots


class AnswerForm(Form):
    """An answer's content. Per focus area and measure fields are added by ``answer_form_for``;
    the receipt fields (``received_on``, ``channel``) only when an officer registers an answer."""

    position = RadioField(
        "Ställningstagande till förslaget som helhet",
        choices=enum_choices(Position, blank="Inte angivet"),
        default="",
        invalid_choice_message="Välj ett av ställningstagandena.",
    )
    comment = text_field("Övergripande synpunkter")
    other_comments = text_field("Övriga synpunkter på förslaget")
    decided_by = StringField(
        "Beslutat av",
        validators=[Length(max=300, message="Högst 300 tecken.")],
        default="",
    )
    decision_date = SwedishDateField(
        "Beslutsdatum",
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    decision_paragraph = StringField(
        "Paragraf (§)", validators=[Length(max=50, message="Högst 50 tecken.")], default=""
    )
    decision_file = FileField("Beslut eller yttrande som fil (PDF, DOCX eller ODT, högst 20 MB)")

    # Where the draft stood when the form was loaded: "version id:revision", and a fingerprint
    # of each saved value, so that a save over someone else's newer save is refused and the
    # changed fields can be named.
    version_token = HiddenField()
    baseline = HiddenField()

    # Only when an officer registers an answer received outside the tracker.
    received_on = SwedishDateField(
        "Mottaget datum",
        validators=[InputRequired("Ange när svaret kom in.")],
        format="%Y-%m-%d",
    )
    channel = RadioField(
        "Hur svaret kom in",
        choices=choices(
            [(Channel.EMAIL.value, Channel.EMAIL.label), (Channel.POST.value, Channel.POST.label)]
        ),
        invalid_choice_message="Ange hur svaret kom in: E-post eller Post.",
    )

    def validate_received_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError("Mottaget datum kan inte ligga i framtiden.")

    def validate_position(self, field):
        if self.is_registration and not field.data:
            raise ValidationError("Ange ställningstagandet till förslaget som helhet.")

    item_choices = ITEM_CHOICES

    @property
    def is_registration(self) -> bool:
        return "received_on" in self

    def items(self, round_):
        """(group, its fields, [(measure or question, its fields)]) in the round's order, for
        templates. A section's own fields are (None, None); a question's position is None."""
        for area in round_.focus_areas:
            yield (
                area,
                self.item_fields("fa", area.id) if area.takes_answer else (None, None),
                [(measure, self.item_fields("m", measure.id)) for measure in area.measures],
            )

    def item_fields(self, kind: str, item_id: int):
        """(position field or None for a question, comment field)."""
        key = item_key(kind, item_id)
        position = f"{key}_position"
        return (self[position] if position in self else None), self[f"{key}_comment"]

    def item_field_names(self):
        return [name for name in self._fields if name.startswith(("fa_", "m_"))]


def answer_form_for(round_, *, registration: bool = False, **kwargs) -> AnswerForm:
    """The answer form for ``round_``: the shared fields and one position and comment per focus
    area and measure (or question)."""
    form = _form_class(tuple(answer_slots(round_)))(**kwargs)
    if not registration:
        del form.received_on
        del form.channel
    return form


@lru_cache(maxsize=32)
def _form_class(slots: tuple[Slot, ...]) -> type[AnswerForm]:
    """The form class of a round's structure, built once: a round of 5,000 measures has 10,000
    fields, and building their class on every request took most of a save's time."""

    class RoundAnswerForm(AnswerForm):
        pass

    for slot in slots:
        _add_item_fields(RoundAnswerForm, slot)
    return RoundAnswerForm


def _add_item_fields(form_class, slot: Slot) -> None:
    """A position (measures and focus areas only) and a text (comments, or a question's answer)."""
    if slot.takes_position:
        setattr(
            form_class,
            f"{slot.key}_position",
            measure_position_field(f"Ställningstagande till {slot.label.lower()}"),
        )
    setattr(form_class, f"{slot.key}_comment", text_field(slot.text_label))


class SubmitForm(Form):
    """Submitting the draft as it was previewed."""

    version_token = HiddenField()


class ReopenForm(Form):
    reason = TextAreaField(
        "Skäl till att svaret öppnas för rättelse",
        filters=[normalise_newlines],
        validators=[
            DataRequired("Ange skälet, t.ex. vem som bad om rättelsen."),
            Length(max=500, message="Högst 500 tecken."),
        ],
    )


class TemplateUploadForm(Form):
    file = FileField(
        "Ifylld svarsmall (Excel, .xlsx)",
        validators=[FileRequired("Välj den ifyllda svarsmallen.")],
    )
