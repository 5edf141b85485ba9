"""The personal link in a round's invitation (``rounds.models.InvitationLink``): whoever follows
it lands on the round's answer page – signed in already, through the sign-in page when the
address has an account, or after creating the body's account here when it has none.

What the link may do is decided at each use by the link's and the round's named checks
(``InvitationLink.refusal``: the round takes answers, the body is still invited, the address is
still its contact); the account is made by ``rounds.operations.create_account_through_invitation``.
The token is never logged (``remiss.auth.RedactPasswordLinks``) and only its hash is stored.

Wrong tokens are not counted or slowed down: a token is 256 random bits, so guessing is
hopeless, and a refused request changes nothing in the database."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError

from remiss.answers.views import bp
from remiss.auth import oidc
from remiss.auth.forms import InvitationAccountForm
from remiss.auth.models import User
from remiss.core.errors import DomainError
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.rounds import operations
from remiss.rounds.models import InvitationLink

NOT_FOUND = (
    "Länken är ogiltig. Kontrollera att hela länken från e-postmeddelandet kom med, eller be "
    "handläggaren av remissen skicka inbjudan igen."
)


def _answer_page(link: InvitationLink) -> str:
    return url_for("answers.round", round_id=link.round_id)


def _refused(heading: str, message: str, status: int, link: InvitationLink | None = None, **extra):
    return (
        render_template(
            "answers/invitation_refused.html", heading=heading, message=message, link=link, **extra
        ),
        status,
    )


def _to_sign_in(link: InvitationLink, account: User):
    """The address has an account: sign in with it (the form knows the address), then the
    round's answer page."""
    flash(
        f"Det finns redan ett konto för {account.email}. Logga in för att svara på remissen."
        + ("" if account.password_hash else " Har du inget lösenord än, välj ”Glömt lösenordet?”."),
        "info",
    )
    return redirect(url_for("auth.login", email=account.email, next=_answer_page(link)))


def _unless_usable(link: InvitationLink | None):
    """The page that says why the link does not work now, or None when it does."""
    if link is None:
        return _refused("Länken gäller inte", NOT_FOUND, 404)
    if link.refusal is not None:
        return _refused("Länken gäller inte längre", link.refusal, 410, link)
    return None


def _signed_in_as_someone_else(link: InvitationLink):
    """Someone else is signed in: a person of the invited body goes on to the answer page (the
    body can answer); anyone else is told to sign out first."""
    if current_user.is_respondent and current_user.organisation_id == link.organisation_id:
        flash(
            f"Du är inloggad som {current_user.name}. Inbjudan gällde {link.email}; logga ut och "
            "öppna länken igen om den adressen ska logga in eller få ett konto.",
            "info",
        )
        return redirect(_answer_page(link))
    return _refused(
        "Du är inloggad som någon annan",
        f"Du är inloggad som {current_user.name} ({current_user.email}), men inbjudan gäller "
        f"{link.email}. Logga ut och öppna länken igen för att använda den.",
        409,
        link,
    )


def _existing_account(link: InvitationLink, account: User):
    """Where an address with an account goes: its own answer page when signed in as it, the
    sign-in page when it belongs to the body, a page saying why not otherwise. A deactivated
    account stays so: the link never makes it anew."""
    if not account.active:
        return _refused("Kontot är avstängt", operations.account_exists(account).message, 403, link)
    if current_user.is_authenticated:
        if current_user.id == account.id:
            return redirect(_answer_page(link))
        return _signed_in_as_someone_else(link)
    if account.organisation_id != link.organisation_id:
        return _refused(
            "Adressen har redan ett konto",
            f"Det finns redan ett konto för {account.email}, men det hör inte till "
            f"{link.organisation.name}. Kontakta handläggaren av remissen.",
            409,
            link,
        )
    return _to_sign_in(link, account)


@bp.route("/inbjudan/<token>", methods=["GET", "POST"])
def invitation(token: str):
    link = InvitationLink.find(token)
    if (refused := _unless_usable(link)) is not None:
        return refused
    account = User.by_email(link.email)
    if account is not None:
        return _existing_account(link, account)
    if current_user.is_authenticated:
        return _signed_in_as_someone_else(link)
    if oidc.provider_required_for(link.email):
        return _refused("Logga in med Göteborgs Stads konto", oidc.PROVIDER_ONLY, 403, link, provider=True)
    form = InvitationAccountForm()
    if form.validate_on_submit():
        try:
            user = operations.create_account_through_invitation(
                link, name=form.name.data, password=form.password.data, now=utcnow()
            )
            db.session.commit()
        except operations.AccountExists as exists:
            db.session.rollback()
            return _existing_account(link, exists.account)
        except IntegrityError:
            # Created a moment ago by another request with the same link.
            db.session.rollback()
            account = User.by_email(link.email)
            if account is None:
                return _refused("Kontot kunde inte skapas", "Försök igen om en stund.", 409, link)
            return _existing_account(link, account)
        except DomainError as error:
            db.session.rollback()
            return _refused("Kontot kunde inte skapas", error.message, 409, link)
        session.clear()  # a fresh session: nothing from before signing in carries over
        login_user(user)
        flash(
            f"Ditt konto för {link.organisation.name} är skapat och du är inloggad. "
            "Här svarar ni på remissen.",
            "success",
        )
        return redirect(_answer_page(link))
    status = 422 if form.is_submitted() else 200
    return render_template("answers/invitation.html", form=form, link=link, round_=link.round), status
