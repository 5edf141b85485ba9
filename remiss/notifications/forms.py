from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, ValidationError

from remiss.core.errors import DomainError
from remiss.core.forms import choices
from remiss.notifications.models import MessageStatus
from remiss.notifications.service import parse_reminder_days


class ReminderSettingsForm(FlaskForm):
    reminder_days = StringField(
        "Påminnelser, antal dagar före sista svarsdag",
        validators=[Length(max=50, message="Skriv högst 50 tecken.")],
    )

    def validate_reminder_days(self, field) -> None:
        try:
            parse_reminder_days(field.data or "")
        except DomainError as error:
            raise ValidationError(error.message) from None


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField("Visa", default=MessageStatus.KEPT.value, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices(
            [("", "Alla meddelanden")] + [(s.value, s.label) for s in MessageStatus]
        )
