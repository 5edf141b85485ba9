from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from remiss.auth.models import Role
from remiss.core.forms import Form, enum_choices

MIN_PASSWORD_LENGTH = 12


# Input purpose (WCAG 1.3.5): the fields for the signed-in person's own data say what they hold,
# so that a browser or password manager fills them in; fields an admin fills in about someone else
# say ``off`` (the admin's own address is never the right suggestion).
class LoginForm(Form):
    email = EmailField(
        "E-postadress",
        validators=[DataRequired("Ange din e-postadress.")],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Lösenord",
        validators=[DataRequired("Ange ditt lösenord.")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Kom ihåg mig på den här datorn (i högst 14 dagar)")
    next = HiddenField()


def new_password_field(label: str = "Nytt lösenord") -> PasswordField:
    """A new password, by the tracker's one rule: at least ``MIN_PASSWORD_LENGTH`` characters."""
    return PasswordField(
        label,
        validators=[
            DataRequired("Ange ett lösenord."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def confirm_password_field() -> PasswordField:
    return PasswordField(
        "Upprepa lösenordet",
        validators=[
            DataRequired("Upprepa lösenordet."),
            EqualTo("password", message="Lösenorden är inte lika."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(Form):
    password = new_password_field()
    confirm = confirm_password_field()


class InvitationAccountForm(Form):
    """The account a body's contact creates through the personal link of an invitation: the
    address is the invited one (not a field), the password follows the usual rule."""

    name = StringField(
        "Ditt namn",
        validators=[DataRequired("Ange ditt namn."), Length(max=200, message="Skriv högst 200 tecken.")],
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field("Välj lösenord")
    confirm = confirm_password_field()


class ForgotPasswordForm(Form):
    email = EmailField(
        "E-postadress",
        validators=[DataRequired("Ange din e-postadress."), Email("Ange en giltig e-postadress.")],
        render_kw={"autocomplete": "email"},
    )


class UserForm(Form):
    """An account as the admin fills it in: someone else's name and address."""

    name = StringField(
        "Namn", validators=[DataRequired("Ange namnet."), Length(max=200)], render_kw={"autocomplete": "off"}
    )
    email = EmailField(
        "E-postadress",
        validators=[
            DataRequired("Ange e-postadressen."),
            Email("Ange en giltig e-postadress."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
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
