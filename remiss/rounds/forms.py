from __future__ import annotations

import sqlalchemy as sa
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from remiss.auth.models import Role, User
from remiss.core.forms import Form, choices, enum_choices
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.rounds.models import DNR_PATTERN, AreaKind, RoundStatus
from remiss.rounds.service import ReadAs

NOT_IN_LIST = "Välj ett värde i listan."

ROUND_DOCUMENT_KINDS = (DocumentKind.DRAFT, DocumentKind.COVER_LETTER, DocumentKind.APPENDIX)


def officer_choices(current_id: int | None = None):
    """Active officers, and the round's current officer even if no longer active."""
    officers = db.session.scalars(
        sa.select(User)
        .where(User.role == Role.OFFICER, sa.or_(User.active.is_(True), User.id == current_id))
        .order_by(User.name)
    )
    return choices(((str(u.id), u.name) for u in officers), blank="Välj handläggare")


def _officer_exists(form, field) -> None:
    if field.data and field.data not in {c.value for c in field.choices}:
        raise ValidationError("Välj en handläggare i listan.")


class RoundCorrectionForm(Form):
    """What may still be corrected once a round has been sent: the description and who is
    responsible. The facts the recipients were sent (title, dnr, decision, dates) stay."""

    description = TextAreaField("Beskrivning", validators=[Optional(), Length(max=20000)])
    officer_id = SelectField(
        "Ansvarig handläggare",
        validators=[DataRequired("Välj ansvarig handläggare."), _officer_exists],
        validate_choice=False,
    )


class RoundForm(RoundCorrectionForm):
    title = StringField("Titel", validators=[DataRequired("Ange remissens titel."), Length(max=500)])
    dnr = StringField(
        "Diarienummer",
        validators=[
            DataRequired("Ange diarienumret."),
            Regexp(DNR_PATTERN, message="Ange diarienumret som nummer/år, t.ex. 1668/20."),
        ],
        filters=[lambda value: value.strip() if value else value],
    )
    decision = StringField(
        "Beslut om remiss",
        validators=[Optional(), Length(max=300)],
        description="T.ex. Kommunstyrelsen 2021-10-27 § 820",
    )
    sent_on = DateField("Utskicksdag", validators=[DataRequired("Ange utskicksdag (ÅÅÅÅ-MM-DD).")])
    deadline = DateField("Sista svarsdag", validators=[DataRequired("Ange sista svarsdag (ÅÅÅÅ-MM-DD).")])

    def validate_deadline(self, field) -> None:
        if field.data and self.sent_on.data and field.data <= self.sent_on.data:
            raise ValidationError("Sista svarsdag måste vara efter utskicksdagen.")


class DocumentForm(Form):
    kind = SelectField(
        "Typ av dokument",
        choices=choices((k.value, k.label) for k in ROUND_DOCUMENT_KINDS),
        invalid_choice_message="Välj vilken typ av dokument det är.",
    )
    file = FileField("Fil", validators=[FileRequired("Välj en fil.")])
    # The round's current documents are set by ``document_form``.
    replaces = SelectField(
        "Ersätter",
        validators=[Optional()],
        invalid_choice_message="Välj ett av remissens dokument i listan.",
        description="Välj dokumentet som den nya filen rättar. Det gamla ligger kvar, märkt som ersatt.",
    )


def document_form(round_, **kwargs) -> DocumentForm:
    """The upload form of ``round_``, offering its current documents to replace."""
    form = DocumentForm(**kwargs)
    form.replaces.choices = choices(
        ((str(d.id), f"{d.original_name} ({d.kind.label})") for d in round_.current_documents),
        blank="Inget – ett nytt dokument",
    )
    return form


AREA_KIND_CHOICES = choices(
    [
        (AreaKind.FOCUS_AREA.value, "Fokusområde med insatser"),
        (AreaKind.SECTION.value, "Sektion med frågor (en rubrik över frågorna)"),
        (AreaKind.QUESTIONS.value, "Frågor utan rubrik"),
    ]
)


class FocusAreaForm(Form):
    kind = RadioField(
        "Vad läggs till",
        choices=AREA_KIND_CHOICES,
        default=AreaKind.FOCUS_AREA.value,
        filters=[lambda value: value or AreaKind.FOCUS_AREA.value],
        invalid_choice_message="Välj fokusområde, sektion eller frågor utan rubrik.",
    )
    number = StringField(
        "Nummer",
        validators=[
            DataRequired("Ange numret."),
            Regexp(r"^\d{1,3}$", message="Numret ska vara ett heltal, t.ex. 2."),
        ],
        filters=[lambda value: value.strip() if value else value],
    )
    title = StringField("Rubrik", validators=[Length(max=500)])

    def validate_title(self, field):
        if self.kind.data != AreaKind.QUESTIONS.value and not (field.data or "").strip():
            raise ValidationError("Ange en rubrik.")


class MeasureForm(Form):
    """A measure (numbered 2:1 in its focus area) or a question (numbered 3 in the round): which
    one follows the group it is added to."""

    number = StringField(
        "Nummer",
        validators=[
            DataRequired("Ange numret."),
            Regexp(r"^\d{1,3}(?::\d{1,3})?$", message="Skriv numret som 2:1 för en insats, 3 för en fråga."),
        ],
        filters=[lambda value: value.strip() if value else value],
    )
    title = StringField("Rubrik", validators=[DataRequired("Ange en rubrik."), Length(max=1000)])


class PasteForm(Form):
    text = TextAreaField(
        "Innehållsförteckning eller frågor",
        validators=[DataRequired("Klistra in fokusområden och insatser eller frågor.")],
    )
    read_as = RadioField(
        "Numrerade rader utan ”Fokusområde”, ”Insats” eller ”Fråga” läses som",
        choices=enum_choices(ReadAs),
        default=ReadAs.AUTO.value,
        filters=[lambda value: value or ReadAs.AUTO.value],
        invalid_choice_message="Välj hur numrerade rader läses.",
    )


class ImportForm(Form):
    file = FileField("JSON-fil", validators=[FileRequired("Välj en JSON-fil.")])


CHOSEN_NOT_IN_REGISTER = (
    "Välj remissinstanser i listan. En av de valda organisationerna finns inte i registret eller är "
    "inte aktiv."
)


class RecipientsForm(Form):
    """The round's recipients chosen in one go: the ids of every organisation ticked, and which
    button was pressed – a group's "Välj hela gruppen" (``select_group``: the group's name; the
    page comes back with the group ticked, nothing saved) or "Spara". The choices (active
    organisations and the round's recipients) are set by the view."""

    organisations = SelectMultipleField(
        "Remissinstanser", validate_choice=True, invalid_choice_message=CHOSEN_NOT_IN_REGISTER
    )
    select_group = StringField("Välj hela gruppen", validators=[Optional()])


class ContactForm(Form):
    contact_email = EmailField(
        "Kontaktadress",
        validators=[
            DataRequired("Ange en e-postadress."),
            Email("Ange en giltig e-postadress."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},  # the body's address, never the officer's own
    )


class ExtensionForm(Form):
    extended_deadline = DateField(
        "Ny sista svarsdag", validators=[DataRequired("Ange det nya datumet (ÅÅÅÅ-MM-DD).")]
    )
    reason = StringField("Skäl", validators=[DataRequired("Ange skälet till anståndet."), Length(max=500)])


class FilterForm(Form):
    """The list's filters, read from the query string. A value not offered in a list is refused
    with a message and the filter is left out."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        choices=enum_choices(RoundStatus, blank="Alla"),
        validators=[Optional()],
        invalid_choice_message=NOT_IN_LIST,
    )
    year = SelectField("År", validators=[Optional()], invalid_choice_message=NOT_IN_LIST)
    officer = SelectField("Handläggare", validators=[Optional()], invalid_choice_message=NOT_IN_LIST)
    q = StringField("Sök diarienummer eller titel", validators=[Optional(), Length(max=200)])
    sort = SelectField(
        "Sortera",
        choices=choices(
            [("deadline", "Sista svarsdag, närmast först"), ("-deadline", "Sista svarsdag, senast först")]
        ),
        validators=[Optional()],
        invalid_choice_message=NOT_IN_LIST,
    )

    def value(self, name: str) -> str | None:
        """The field's value when it was chosen from its list, else None."""
        field = self[name]
        return field.data if field.data and not field.errors else None
