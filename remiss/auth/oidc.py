"""Signing in through the city's identity provider (OpenID Connect).

The authorization code flow with PKCE (S256), a ``state`` and a ``nonce``, through Authlib's
Flask client: Authlib keeps state, nonce and code verifier in the session, checks the returned
``state``, exchanges the code, and checks the ID token's signature (the provider's published
keys), issuer, audience, expiry and nonce. Claims missing from the ID token are read from the
userinfo endpoint.

Who gets in, and as what, is decided here from the person's groups (``GroupMapping``): the first
sign-in creates the account, every sign-in refreshes name, e-mail, role and body, and a person
whose groups no longer map is deactivated at that sign-in. Configured by the ``OIDC_*`` settings
(``REMISS_OIDC_*``); without an issuer and a client id nothing here is offered."""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, url_for

from remiss.audit.models import record
from remiss.auth.models import GroupMapping, Role, SignInSettings, User, normalise_email
from remiss.core.errors import DomainError
from remiss.core.time import utcnow
from remiss.extensions import db

log = logging.getLogger(__name__)

PROVIDER_ACCOUNT = "Göteborgs Stads konto"
_CLIENT = "city"
_EXTENSION = "remiss_oidc"
_lock = threading.Lock()

# The strongest role wins when a person's groups map to several.
ROLE_ORDER = (Role.ADMIN, Role.OFFICER, Role.MANAGER, Role.RESPONDENT)

FAILED = (
    "Inloggningen med Göteborgs Stads konto kunde inte slutföras. Försök igen från början; "
    "kvarstår felet, kontakta systemförvaltaren."
)


class SignInFailed(DomainError):
    """The exchange with the provider failed or was tampered with (state, token, signature)."""


class SignInRefused(DomainError):
    """The provider vouched for the person, but the tracker gives them no access."""


@dataclass(frozen=True)
class Identity:
    """What the provider says about the person signing in."""

    issuer: str
    subject: str
    email: str | None
    name: str | None
    groups: list[str] = field(default_factory=list)
    id_token: str | None = None


@dataclass(frozen=True)
class Access:
    role: Role
    organisation_id: int | None


# Configuration and the client --------------------------------------------------------------------
def is_configured(app=None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


@functools.cache
def _provider_errors() -> tuple[type[Exception], ...]:
    """What talking to the provider may raise: Authlib's errors, the JOSE library's (a token's
    signature or claims) and the HTTP client's. Authlib and requests are imported on first use,
    not at every start-up (a tenth of it), and most installations never use them."""
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    return (OAuthError, JoseError, RequestException)


def client():
    """Authlib's client for the provider, one per app, made on first use."""
    app = current_app._get_current_object()
    oauth = app.extensions.get(_EXTENSION)
    if oauth is None:
        with _lock:
            oauth = app.extensions.get(_EXTENSION)
            if oauth is None:
                from authlib.integrations.flask_client import OAuth

                config = app.config
                oauth = OAuth(app)
                oauth.register(
                    _CLIENT,
                    client_id=config["OIDC_CLIENT_ID"],
                    client_secret=config.get("OIDC_CLIENT_SECRET"),
                    server_metadata_url=config["OIDC_ISSUER"].rstrip("/")
                    + "/.well-known/openid-configuration",
                    client_kwargs={
                        "scope": config["OIDC_SCOPES"],
                        "code_challenge_method": "S256",
                        "default_timeout": config["OIDC_TIMEOUT_SECONDS"],
                    },
                )
                app.extensions[_EXTENSION] = oauth
    return oauth.create_client(_CLIENT)


def _absolute(endpoint: str) -> str:
    """An absolute URL of this site as the provider knows it: BASE_URL, then the path."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint)


def redirect_uri() -> str:
    return _absolute("auth.oidc_callback")


def post_logout_redirect_uri() -> str:
    return _absolute("auth.oidc_signed_out")


# The flow ---------------------------------------------------------------------------------------
def authorize_redirect():
    """The response that sends the browser to the provider (state, nonce and PKCE verifier are
    kept in the session)."""
    try:
        return client().authorize_redirect(redirect_uri())
    except (*_provider_errors(), ValueError, RuntimeError) as error:
        log.warning("OpenID Connect: could not start signing in: %r", error)
        raise SignInFailed(
            "Göteborgs Stads inloggning svarar inte just nu. Försök igen om en stund."
        ) from error


def finish() -> Identity:
    """Complete the flow on the callback: check state, exchange the code, validate the ID token
    and read the claims. Raises ``SignInFailed`` on anything amiss."""
    config = current_app.config
    oidc = client()
    try:
        token = oidc.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise SignInFailed(FAILED)
        wanted = (config["OIDC_EMAIL_CLAIM"], config["OIDC_NAME_CLAIM"], config["OIDC_GROUPS_CLAIM"])
        if any(name not in claims for name in wanted) and oidc.load_server_metadata().get(
            "userinfo_endpoint"
        ):
            extra = dict(oidc.userinfo(token=token))
            if extra.get("sub") != claims["sub"]:
                raise SignInFailed(FAILED)
            for name, value in extra.items():
                claims.setdefault(name, value)
    except SignInFailed:
        raise
    except (*_provider_errors(), ValueError, KeyError, TypeError) as error:
        log.warning("OpenID Connect: sign-in refused: %r", error)
        raise SignInFailed(FAILED) from error
    groups = claims.get(config["OIDC_GROUPS_CLAIM"]) or []
    if isinstance(groups, str):
        groups = [groups]
    email = claims.get(config["OIDC_EMAIL_CLAIM"])
    name = claims.get(config["OIDC_NAME_CLAIM"])
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=normalise_email(email) if isinstance(email, str) and email.strip() else None,
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        groups=[str(group) for group in groups if str(group).strip()],
        id_token=token.get("id_token"),
    )


def end_session_url(id_token: str | None) -> tuple[str, str] | None:
    """Where to send the browser to end the provider's session too (RP-initiated logout), and
    the ``state`` sent with it; None when the provider offers no end_session_endpoint, logout
    there is switched off, or the person did not sign in through the provider."""
    if not id_token or not is_configured() or not current_app.config["OIDC_END_SESSION"]:
        return None
    try:
        oidc = client()
        if not oidc.load_server_metadata().get("end_session_endpoint"):
            return None
        result = oidc.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri(), id_token_hint=id_token
        )
    except (*_provider_errors(), ValueError, RuntimeError) as error:
        log.warning("OpenID Connect: no end-session URL: %r", error)
        return None
    return result["url"], result["state"]


# Access from groups ----------------------------------------------------------------------------
def access_for(groups: list[str]) -> Access | None:
    """The role and body the person's groups give, or None. Of several mapped groups the
    strongest role wins; a committee member whose groups name two bodies gets neither."""
    mappings = GroupMapping.for_groups(groups)
    if not mappings:
        return None
    role = min((m.role for m in mappings), key=ROLE_ORDER.index)
    if role is not Role.RESPONDENT:
        return Access(role, None)
    bodies = {m.organisation_id for m in mappings if m.role is Role.RESPONDENT}
    if len(bodies) != 1:
        raise SignInRefused(
            "Dina grupper i Göteborgs Stads konto pekar ut flera organisationer, så remisstjänsten "
            f"vet inte vilken du svarar för. Be {_contact()} att rätta grupperna."
        )
    return Access(role, bodies.pop())


def _contact() -> str:
    return current_app.config["OIDC_ACCESS_CONTACT"]


def no_access_message() -> str:
    return (
        "Ditt konto i Göteborgs Stad ger ingen behörighet i remisstjänsten, och inget konto har "
        f"skapats. Be {_contact()} att lägga till dig i en grupp som ger behörighet i remisstjänsten."
    )


def lost_access_message() -> str:
    return (
        "Ditt konto i Göteborgs Stad ger inte längre behörighet i remisstjänsten, så ditt konto i "
        f"remisstjänsten är avstängt. Be {_contact()} om behörighet om du fortfarande behöver den."
    )


def sign_in(identity: Identity, now: datetime | None = None) -> User:
    """The account for ``identity``, created or brought up to date from its claims, or
    ``SignInRefused`` with the Swedish message to show. A person who no longer has a mapped
    group has their account deactivated here; the caller commits in both cases."""
    now = now or utcnow()
    user = db.session.scalar(
        db.select(User).where(User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject)
    )
    if user is None and identity.email:
        user = User.by_email(identity.email)
        if user is not None and user.signs_in_with_provider:
            # The address belongs to another person at the provider.
            raise SignInRefused(
                f"E-postadressen {identity.email} hör redan till ett annat konto i remisstjänsten. "
                "Kontakta systemförvaltaren."
            )

    access = access_for(identity.groups)
    if access is None:
        if user is not None and user.signs_in_with_provider and user.active:
            user.active = False
            user.deactivated_by_provider = True
            user.rotate_session_token()
            record("user.deactivated_by_provider", user, actor=None, email=user.email)
            db.session.flush()
            raise SignInRefused(lost_access_message())
        raise SignInRefused(no_access_message())

    if not identity.email:
        raise SignInRefused(
            "Göteborgs Stads konto lämnade ingen e-postadress, så inget konto kan skapas. "
            "Kontakta systemförvaltaren."
        )
    if user is not None and not user.active and not user.deactivated_by_provider:
        raise SignInRefused("Kontot är inaktiverat. Kontakta systemförvaltaren.")
    same_address = db.select(User.id).where(User.email == identity.email)
    if user is not None:
        same_address = same_address.where(User.id != user.id)
    if db.session.scalar(same_address) is not None:
        raise SignInRefused(
            f"E-postadressen {identity.email} hör redan till ett annat konto i remisstjänsten. "
            "Kontakta systemförvaltaren."
        )

    name = identity.name or identity.email
    if user is None:
        user = User(
            name=name,
            email=identity.email,
            role=access.role,
            organisation_id=access.organisation_id,
            oidc_issuer=identity.issuer,
            oidc_subject=identity.subject,
        )
        db.session.add(user)
        db.session.flush()
        record("user.created_by_provider", user, actor=user, email=user.email, role=access.role.label.lower())
    else:
        if not user.signs_in_with_provider:
            user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
            record("user.linked_to_provider", user, actor=user, email=identity.email)
        if (user.role, user.organisation_id) != (access.role, access.organisation_id):
            record(
                "user.role_from_provider",
                user,
                actor=user,
                email=identity.email,
                role=access.role.label.lower(),
            )
        if not user.active:
            record("user.reactivated_by_provider", user, actor=user, email=identity.email)
        user.name = name
        user.email = identity.email
        user.role = access.role
        user.organisation_id = access.organisation_id
        user.active = True
        user.deactivated_by_provider = False
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


# Passwords where the provider is required ------------------------------------------------------
def is_city_address(email: str) -> bool:
    domain = normalise_email(email).rpartition("@")[2]
    return any(
        domain == city or domain.endswith("." + city)
        for city in (d.lower() for d in current_app.config["OIDC_CITY_EMAIL_DOMAINS"])
    )


def provider_required_for(email: str) -> bool:
    """Whether ``email`` must sign in through the provider (no password): the admin has required
    the provider for city accounts, the provider is configured, and the account is linked to
    the provider or the address is the city's. The break-glass accounts are exempt: admins not
    linked to the provider keep their password."""
    if not is_configured() or not SignInSettings.provider_required():
        return False
    user = User.by_email(email)
    if user is not None and user.signs_in_with_provider:
        return True
    if user is not None and user.is_admin:
        return False
    return is_city_address(email)


PROVIDER_ONLY = (
    "Konton i Göteborgs Stad loggar in med Göteborgs Stads konto, inte med lösenord. "
    "Välj ”Logga in med Göteborgs Stads konto”."
)
