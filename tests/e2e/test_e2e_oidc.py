"""Signing in through the city's identity provider, in the browser, against a real OpenID
provider (``oidc-provider`` on loopback, tests/oidc_provider.py): the admin maps groups in the
tracker; the first sign-in creates the account with its role and body; a changed group shows at
the next sign-in; a person without a mapped group is refused; a tampered ``state`` is refused;
signing out ends the provider's session too."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from remiss import create_app
from remiss.auth.models import GroupMapping, Role, User
from remiss.demo import ACCOUNTS, ORGANISATIONS_CSV
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.organisations.service import import_organisations
from tests import oidc_provider as provider_fixtures
from tests.conftest import TEST_DATABASE_URL, empty_schema
from tests.e2e.axe import assert_accessible
from tests.oidc_provider import PEOPLE

# The provider's fixtures (tests/oidc_provider.py), for the tests here.
oidc_provider = provider_fixtures.oidc_provider
provider_people = provider_fixtures.provider_people

pytestmark = pytest.mark.e2e

CITY_BUTTON = "Logga in med Göteborgs Stads konto"


@pytest.fixture
def app(tmp_path, oidc_provider):
    """The e2e app (tests/e2e/conftest.py) with the provider configured, holding Göteborg's
    register of bodies and the demo accounts (no rounds: signing in needs none)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "e2e",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'e2e.sqlite'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": True,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        **oidc_provider.app_config(),
    }
    app = create_app(config)
    with app.app_context():
        empty_schema()
        db.create_all()
        assert import_organisations(ORGANISATIONS_CSV.read_text(encoding="utf-8")).ok
        for demo in ACCOUNTS:
            body = Organisation.by_name(demo.organisation) if demo.organisation else None
            user = User(email=demo.email, name=demo.name, role=demo.role, organisation=body)
            user.set_password(demo.password)
            db.session.add(user)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def map_group(app, group: str, role: Role, organisation: str | None = None) -> None:
    with app.app_context():
        body = Organisation.by_name(organisation) if organisation else None
        db.session.add(GroupMapping(group=group, role=role, organisation=body))
        db.session.commit()


def account(app, email: str) -> User | None:
    with app.app_context():
        user = User.by_email(email)
        if user is not None:
            db.session.expunge(user)
        return user


def sign_in_at_provider(page, login: str) -> None:
    """From the tracker's sign-in page through the provider's own login form."""
    page.goto("/auth/login")
    page.get_by_role("link", name=CITY_BUTTON).click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("vad som helst")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_load_state()


def test_the_first_sign_in_creates_the_account_the_admins_mapping_gives(
    app, live_server, new_page, provider_people, sign_in
):
    # The admin maps the committee's group to its body, in the tracker.
    admin = new_page()
    sign_in(admin, Role.ADMIN)
    admin.goto("/admin/users/")
    admin.get_by_role("link", name="Grupper från Göteborgs Stads konto").click()
    admin.get_by_label("Grupp i Göteborgs Stads konto").fill("sn-centrum-remissvar")
    admin.get_by_label("Roll i remisstjänsten").select_option(label="Remissinstans")
    admin.get_by_label("Organisation (bara för remissinstanser)").select_option(label="Socialnämnden Centrum")
    admin.get_by_label("Beskrivning").fill("Nämndsekreterare, Centrum")
    admin.get_by_role("button", name="Lägg till gruppen").click()
    expect(admin.get_by_role("status")).to_contain_text("Gruppen sn-centrum-remissvar ger nu behörighet")
    expect(admin.get_by_role("row", name=re.compile("sn-centrum-remissvar"))).to_contain_text(
        "Socialnämnden Centrum"
    )
    assert_accessible(admin, "group mappings")

    # The sign-in page offers the city's account first.
    page = new_page()
    page.goto("/auth/login")
    assert_accessible(page, "sign-in page with the city's account")
    links_and_fields = page.locator("a.button, input[type=email]").all()
    assert links_and_fields[0].inner_text() == CITY_BUTTON
    assert account(app, PEOPLE["sven"]["email"]) is None

    sign_in_at_provider(page, "sven")
    expect(page.get_by_role("status")).to_contain_text("Du är inloggad som Sven Svensson.")
    expect(page.get_by_role("link", name="Våra remisser")).to_be_visible()
    sven = account(app, PEOPLE["sven"]["email"])
    assert sven.role is Role.RESPONDENT
    assert sven.name == "Sven Svensson"
    with app.app_context():
        assert db.session.get(Organisation, sven.organisation_id).name == "Socialnämnden Centrum"
    assert sven.oidc_subject == "sven" and sven.oidc_issuer == app.config["OIDC_ISSUER"]
    assert sven.password_hash is None

    # The admin sees how the new account signs in.
    admin.goto("/admin/users/")
    expect(admin.get_by_role("row", name=re.compile("Sven Svensson"))).to_contain_text(
        "Göteborgs Stads konto"
    )
    expect(admin.get_by_role("row", name=re.compile("Systemförvaltare"))).to_contain_text("Lösenord")


def test_a_changed_group_shows_at_the_next_sign_in_and_a_lost_one_closes_the_account(
    app, live_server, page, provider_people
):
    map_group(app, "sn-centrum-remissvar", Role.RESPONDENT, "Socialnämnden Centrum")
    map_group(app, "slk-remiss-chefer", Role.MANAGER)
    sign_in_at_provider(page, "sven")
    expect(page.get_by_role("link", name="Våra remisser")).to_be_visible()

    people = {**PEOPLE, "sven": {**PEOPLE["sven"], "groups": ["slk-remiss-chefer"], "name": "Sven Chef"}}
    provider_people.people(people)
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad, även från Göteborgs Stads konto.")

    sign_in_at_provider(page, "sven")
    expect(page.get_by_role("status")).to_contain_text("Du är inloggad som Sven Chef.")
    expect(page.get_by_role("link", name="Remisser", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Våra remisser")).to_have_count(0)
    sven = account(app, PEOPLE["sven"]["email"])
    assert (sven.role, sven.organisation_id, sven.name) == (Role.MANAGER, None, "Sven Chef")

    # No mapped group any more: refused at the next sign-in, and the account is closed.
    provider_people.people({**people, "sven": {**people["sven"], "groups": ["alla-anstallda"]}})
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    sign_in_at_provider(page, "sven")
    expect(page.get_by_role("alert")).to_contain_text("ger inte längre behörighet i remisstjänsten")
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    sven = account(app, PEOPLE["sven"]["email"])
    assert not sven.active and sven.deactivated_by_provider


def test_a_person_without_a_mapped_group_is_told_whom_to_ask_and_gets_no_account(
    app, live_server, page, provider_people
):
    map_group(app, "slk-remiss-handlaggare", Role.OFFICER)
    sign_in_at_provider(page, "nora")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ditt konto i Göteborgs Stad ger ingen behörighet i remisstjänsten")
    expect(alert).to_contain_text("Be remisstjänstens systemförvaltare på stadsledningskontoret")
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    assert account(app, PEOPLE["nora"]["email"]) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.oidc_subject.is_not(None))) == 0
    assert_accessible(page, "refused: no mapped group")


def test_a_tampered_state_is_refused(app, live_server, page, provider_people):
    """The browser is sent to the provider with another ``state`` than the one the tracker keeps
    in its session; the provider returns it as it got it, and the tracker refuses the code."""
    map_group(app, "slk-remiss-handlaggare", Role.OFFICER)

    def tamper(route):
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        assert "state=" in location and "code_challenge_method=S256" in location and "nonce=" in location
        route.fulfill(
            response=response,
            headers={**response.headers, "location": re.sub(r"state=[^&]+", "state=forged-state", location)},
        )

    page.route(re.compile(r".*/auth/oidc/login.*"), tamper)
    sign_in_at_provider(page, "anna")
    assert "/auth/oidc/callback?" in page.url and "state=forged-state" in page.url
    expect(page.get_by_role("alert")).to_contain_text(
        "Inloggningen med Göteborgs Stads konto kunde inte slutföras"
    )
    expect(page.get_by_role("button", name="Logga ut")).to_have_count(0)
    assert account(app, PEOPLE["anna"]["email"]) is None

    # Untouched, the same way in works: the refusal was the state's doing.
    page.unroute(re.compile(r".*/auth/oidc/login.*"))
    page.goto("/auth/login")
    page.get_by_role("link", name=CITY_BUTTON).click()
    expect(page.get_by_role("status")).to_contain_text("Du är inloggad som Anna Andersson.")


def test_signing_out_ends_the_providers_session_too(app, live_server, page, provider_people):
    map_group(app, "slk-remiss-handlaggare", Role.OFFICER)
    sign_in_at_provider(page, "anna")
    expect(page.get_by_role("link", name="Remisser", exact=True)).to_be_visible()
    anna = account(app, PEOPLE["anna"]["email"])

    page.get_by_role("button", name="Logga ut").click()
    # The provider asks (its own page), then sends the browser back to the tracker.
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("status")).to_contain_text("Du är utloggad, även från Göteborgs Stads konto.")
    assert account(app, anna.email).session_token != anna.session_token
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/login"))

    # Signing in again asks the provider's login form: its session is gone.
    page.goto("/auth/login")
    page.get_by_role("link", name=CITY_BUTTON).click()
    expect(page.locator("input[name=login]")).to_be_visible()
