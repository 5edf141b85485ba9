"""Signing in through the city's identity provider, at the routes, against the real provider
(tests/oidc_provider.py) for discovery and its published keys. The ID token the provider would
return from its token endpoint is crafted here: signed with the provider's own key (so that
only the one thing the test changes is wrong), or with another key."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from authlib.integrations.flask_client import FlaskOAuth2App

from remiss.auth.models import GroupMapping, Role, User
from remiss.extensions import db
from tests import oidc_provider as provider_fixtures
from tests.factories import make_organisation
from tests.oidc_provider import signing_key

# The provider's fixtures (tests/oidc_provider.py), for the tests here.
oidc_provider = provider_fixtures.oidc_provider

CITY_BUTTON = "Logga in med Göteborgs Stads konto"
FAILED = "Inloggningen med Göteborgs Stads konto kunde inte slutföras"


@pytest.fixture
def city(app, oidc_provider):
    """The app with the provider configured and one group mapped to officers."""
    app.config.update(oidc_provider.app_config())
    with app.app_context():
        db.session.add(GroupMapping(group="slk-remiss-handlaggare", role=Role.OFFICER))
        db.session.commit()
    return oidc_provider


def start(client) -> dict[str, str]:
    """Follow "Logga in med Göteborgs Stads konto" to the provider; the authorization request."""
    response = client.get("/auth/oidc/login")
    assert response.status_code == 302
    return {key: values[0] for key, values in parse_qs(urlsplit(response.location).query).items()}


def token_endpoint_returns(monkeypatch, id_token: str) -> None:
    """What the provider's token endpoint answers to the code (the code is not checked here)."""

    def fetch_access_token(self, redirect_uri=None, **kwargs):
        return {"access_token": "an-access-token", "token_type": "Bearer", "id_token": id_token}

    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", fetch_access_token)


def anna(nonce: str, **changes) -> dict:
    claims = {
        "sub": "anna",
        "nonce": nonce,
        "email": "Anna.Andersson@goteborg.se",
        "name": "Anna Andersson",
        "groups": ["slk-remiss-handlaggare"],
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


# Without configuration nothing changes ---------------------------------------------------------
def test_without_the_provider_configured_only_passwords_are_offered(app, client):
    page = client.get("/auth/login").text
    assert CITY_BUTTON not in page
    assert "Logga in med lösenord" not in page
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_with_the_provider_the_sign_in_page_offers_it_first(app, client, city):
    page = client.get("/auth/login?next=/rounds/").text
    assert CITY_BUTTON in page
    assert page.index(CITY_BUTTON) < page.index('type="password"')
    assert "/auth/oidc/login?next=/rounds/" in page


def test_the_authorization_request_uses_pkce_state_and_nonce(app, client, city):
    request = start(client)
    assert client.get("/auth/oidc/login").location.startswith(city.issuer + "/auth?")
    assert request["response_type"] == "code"
    assert request["client_id"] == city.client_id
    assert request["redirect_uri"] == "http://localhost/auth/oidc/callback"
    assert request["scope"] == "openid email profile groups"
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) >= 43
    assert request["state"] and request["nonce"]


# The ID token ----------------------------------------------------------------------------------
def test_a_valid_id_token_signs_in_and_creates_the_account(app, client, city, monkeypatch):
    request = start(client)
    token_endpoint_returns(monkeypatch, city.id_token(anna(request["nonce"])))
    response = client.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    assert response.status_code == 302, response.text
    assert response.location == "/"
    with app.app_context():
        user = User.by_email("anna.andersson@goteborg.se")
        assert (user.role, user.oidc_subject, user.oidc_issuer) == (Role.OFFICER, "anna", city.issuer)
    assert "Du är inloggad som Anna Andersson." in client.get("/rounds/", follow_redirects=True).text


@pytest.mark.parametrize(
    "what, claims",
    [
        ("expired", lambda nonce: anna(nonce, iat=int(time.time()) - 3600, exp=int(time.time()) - 600)),
        ("tampered nonce", lambda nonce: anna(nonce + "x")),
        ("no nonce", lambda nonce: anna(None)),
        ("another audience", lambda nonce: anna(nonce, aud="another-client")),
        ("another issuer", lambda nonce: anna(nonce, iss="http://127.0.0.1:1/evil")),
        ("issued in the future", lambda nonce: anna(nonce, iat=int(time.time()) + 3600)),
    ],
)
def test_an_id_token_the_provider_signed_but_not_for_this_sign_in_is_refused(
    app, client, city, monkeypatch, what, claims
):
    request = start(client)
    token_endpoint_returns(monkeypatch, city.id_token(claims(request["nonce"])))
    response = client.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    assert response.status_code == 400, what
    assert FAILED in response.text
    assert accounts(app) == 0
    assert client.get("/rounds/").status_code == 302  # not signed in


def test_an_id_token_signed_with_another_key_is_refused(app, client, city, monkeypatch):
    request = start(client)
    forged = city.id_token(anna(request["nonce"]), key=signing_key())  # the provider's key id, not its key
    token_endpoint_returns(monkeypatch, forged)
    response = client.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    assert response.status_code == 400
    assert FAILED in response.text
    assert accounts(app) == 0


def test_an_unsigned_id_token_is_refused(app, client, city, monkeypatch):
    request = start(client)
    header, payload, _ = city.id_token(anna(request["nonce"])).split(".")
    token_endpoint_returns(monkeypatch, "eyJhbGciOiJub25lIn0." + payload + ".")
    response = client.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    assert response.status_code == 400
    assert accounts(app) == 0


def test_a_tampered_or_missing_state_is_refused(app, client, city, monkeypatch):
    request = start(client)
    token_endpoint_returns(monkeypatch, city.id_token(anna(request["nonce"])))
    for query in (f"code=c&state={request['state']}x", "code=c", f"code=c&state={request['state'][:-1]}"):
        response = client.get(f"/auth/oidc/callback?{query}")
        assert response.status_code == 400, query
        assert FAILED in response.text
    assert accounts(app) == 0
    # A state is good for one callback only.
    assert client.get(f"/auth/oidc/callback?code=c&state={request['state']}").status_code == 302
    client.post("/auth/logout")
    assert client.get(f"/auth/oidc/callback?code=c&state={request['state']}").status_code == 400


def test_a_state_from_another_browser_is_refused(app, city, monkeypatch):
    """Login CSRF: a callback URL made in the attacker's browser does not work in the victim's."""
    attacker, victim = app.test_client(), app.test_client()
    request = start(attacker)
    start(victim)
    token_endpoint_returns(monkeypatch, city.id_token(anna(request["nonce"])))
    response = victim.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    assert response.status_code == 400
    assert accounts(app) == 0


def test_an_error_from_the_provider_is_shown_in_swedish(app, client, city):
    request = start(client)
    response = client.get(f"/auth/oidc/callback?error=access_denied&state={request['state']}")
    assert response.status_code == 400
    assert FAILED in response.text


@pytest.mark.parametrize("target, lands_on", [("/rounds/", "/rounds/"), ("//evil.example/", "/")])
def test_the_next_page_is_kept_through_the_provider_but_only_on_this_site(
    app, client, city, monkeypatch, target, lands_on
):
    response = client.get(f"/auth/oidc/login?next={target}")
    request = {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}
    token_endpoint_returns(monkeypatch, city.id_token(anna(request["nonce"])))
    assert client.get(f"/auth/oidc/callback?code=c&state={request['state']}").location == lands_on


def test_a_committee_member_gets_the_body_of_the_group(app, client, city, monkeypatch):
    with app.app_context():
        centrum = make_organisation("Socialnämnden Centrum")
        db.session.add(GroupMapping(group="sn-centrum", role=Role.RESPONDENT, organisation=centrum))
        db.session.commit()
        centrum_id = centrum.id
    request = start(client)
    token_endpoint_returns(
        monkeypatch, city.id_token(anna(request["nonce"], groups=["alla-anstallda", "sn-centrum"]))
    )
    assert client.get(f"/auth/oidc/callback?code=c&state={request['state']}").status_code == 302
    with app.app_context():
        user = User.by_email("anna.andersson@goteborg.se")
        assert (user.role, user.organisation_id) == (Role.RESPONDENT, centrum_id)


# Signing out -------------------------------------------------------------------------------------
def test_signing_out_ends_the_session_here_and_sends_the_browser_to_the_provider(
    app, client, city, monkeypatch
):
    request = start(client)
    id_token = city.id_token(anna(request["nonce"]))
    token_endpoint_returns(monkeypatch, id_token)
    client.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    with app.app_context():
        before = User.by_email("anna.andersson@goteborg.se").session_token

    response = client.post("/auth/logout")
    assert response.status_code == 200
    assert "Du är utloggad ur remisstjänsten" in response.text
    end_session = city.issuer + "/session/end?"
    assert f'<meta http-equiv="refresh" content="0; url={end_session}' in response.text
    link = response.text.split(f'href="{end_session}', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = {k: v[0] for k, v in parse_qs(link).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://localhost/auth/oidc/signed-out"
    with app.app_context():
        assert User.by_email("anna.andersson@goteborg.se").session_token != before
    assert client.get("/rounds/").status_code == 302  # signed out here already

    back = client.get(f"/auth/oidc/signed-out?state={query['state']}", follow_redirects=True)
    assert "Du är utloggad, även från Göteborgs Stads konto." in back.text


def test_signing_out_without_end_session_or_after_a_password_sign_in_stays_here(
    app, client, city, monkeypatch, login_as
):
    login_as(Role.OFFICER)
    response = client.post("/auth/logout")
    assert response.status_code == 302 and response.location == "/auth/login"

    app.config["OIDC_END_SESSION"] = False
    request = start(client)
    token_endpoint_returns(monkeypatch, city.id_token(anna(request["nonce"])))
    client.get(f"/auth/oidc/callback?code=c&state={request['state']}")
    response = client.post("/auth/logout")
    assert response.status_code == 302 and response.location == "/auth/login"


def test_an_unreachable_provider_is_a_swedish_message(app, client):
    app.config.update({"OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "x", "OIDC_TIMEOUT_SECONDS": 2})
    response = client.get("/auth/oidc/login")
    assert response.status_code == 503
    assert "Göteborgs Stads inloggning svarar inte just nu" in response.text
