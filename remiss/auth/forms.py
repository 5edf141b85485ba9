from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from remiss.auth.models import Role
from remiss.core.forms import Form, enum_choices

MIN_PASSWORD_LENGTH = 12


class LoginForm(Form):
    email = EmailField("E-postadress", validators=[DataRequired("Ange din e-postadress.")])
    password = PasswordField("Lösenord", validators=[DataRequired("Ange ditt lösenord.")])
    remember = BooleanField("Kom ihåg mig på den här datorn (i högst 14 dagar)")
    next = HiddenField()


class SetPasswordForm(Form):
    password = PasswordField(
        "Nytt lösenord",
        validators=[
            DataRequired("Ange ett lösenord."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.",
            ),
        ],
    )
    confirm = PasswordField(
        "Upprepa lösenordet",
        validators=[
            DataRequired("Upprepa lösenordet."),
            EqualTo("password", message="Lösenorden är inte lika."),
        ],
    )


class ForgotPasswordForm(Form):
    email = EmailField(
        "E-postadress",
        validators=[DataRequired("Ange din e-postadress."), Email("Ange en giltig e-postadress.")],
    )


class UserForm(Form):
    name = StringField("Namn", validators=[DataRequired("Ange namnet."), Length(max=200)])
    email = EmailField(
        "E-postadress",
        validators=[
            DataRequired("Ange e-postadressen."),
            Email("Ange en giltig e-postadress."),
            Length(max=254),
        ],
    )
    # No role until one is chosen: a blank first choice, so nobody becomes admin by default.
    role = SelectField(
        "Roll",
        choices=enum_choices(Role, blank="Välj roll"),
        validators=[DataRequired("Välj en roll för kontot.")],
    )
    organisation_id = SelectField(
        "Organisation (bara för remissinstanser)", coerce=int, validators=[Optional()]
    )
    active = BooleanField("Aktivt konto", default=True)

    def validate_organisation_id(self, field) -> None:
        if self.role.data == Role.RESPONDENT.value and not field.data:
            raise ValidationError("En remissinstans måste höra till en organisation.")
        if self.role.data != Role.RESPONDENT.value and field.data:
            raise ValidationError("Bara remissinstanser hör till en organisation.")
