from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from remiss.core.forms import choices
from remiss.notifications.models import MessageStatus


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField("Visa", default=MessageStatus.KEPT.value, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices(
            [("", "Alla meddelanden")] + [(s.value, s.label) for s in MessageStatus]
        )
