"""Accounts from the city's identity provider: what the groups give (``oidc.sign_in``), the
admin's pages for the group mapping and for requiring the provider, and password sign-in where
the provider is required. The exchange with the provider itself: test_auth_oidc.py and
tests/e2e/test_e2e_oidc.py."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth import oidc
from remiss.auth.models import GroupMapping, Role, SignInSettings, User, UserToken
from remiss.extensions import db
from tests.factories import PASSWORD, make_organisation, make_user

ISSUER = "https://login.example.goteborg.se"
CONFIGURED = {"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "remisstjansten"}


def person(subject="anna", email="anna@goteborg.se", name="Anna Andersson", groups=("officers",)):
    return oidc.Identity(issuer=ISSUER, subject=subject, email=email, name=name, groups=list(groups))


@pytest.fixture
def mapped(ctx):
    """Groups: officers, managers, admins, and two committees' staff."""
    centrum = make_organisation("Socialnämnden Centrum")
    nordost = make_organisation("Socialnämnden Nordost")
    db.session.add_all(
        [
            GroupMapping(group="officers", role=Role.OFFICER),
            GroupMapping(group="managers", role=Role.MANAGER),
            GroupMapping(group="admins", role=Role.ADMIN),
            GroupMapping(group="sn-centrum", role=Role.RESPONDENT, organisation=centrum),
            GroupMapping(group="sn-nordost", role=Role.RESPONDENT, organisation=nordost),
        ]
    )
    db.session.commit()
    return {"centrum": centrum, "nordost": nordost}


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# What the groups give ---------------------------------------------------------------------------
def test_the_first_sign_in_creates_the_account_from_the_claims(mapped):
    user = oidc.sign_in(person(groups=["alla-anstallda", "sn-centrum"]))
    db.session.commit()
    assert (user.email, user.name, user.role) == ("anna@goteborg.se", "Anna Andersson", Role.RESPONDENT)
    assert user.organisation == mapped["centrum"]
    assert (user.oidc_issuer, user.oidc_subject, user.password_hash) == (ISSUER, "anna", None)
    assert user.sign_in_method == "Göteborgs Stads konto"
    assert user.last_login_at is not None
    assert actions() == ["user.created_by_provider"]
    event = db.session.scalar(sa.select(AuditEvent))
    assert event.sentence == (
        "skapade kontot anna@goteborg.se som remissinstans vid första inloggningen med Göteborgs Stads konto"
    )


def test_each_sign_in_refreshes_name_email_role_and_body(mapped):
    user = oidc.sign_in(person(groups=["sn-centrum"]))
    db.session.commit()
    again = oidc.sign_in(person(email="anna.a@goteborg.se", name="Anna Berg", groups=["sn-nordost"]))
    db.session.commit()
    assert again.id == user.id
    assert (again.email, again.name, again.organisation) == (
        "anna.a@goteborg.se",
        "Anna Berg",
        mapped["nordost"],
    )
    third = oidc.sign_in(person(groups=["managers"]))
    db.session.commit()
    assert (third.role, third.organisation_id) == (Role.MANAGER, None)
    assert actions().count("user.role_from_provider") == 2


def test_the_strongest_role_wins(mapped):
    assert oidc.sign_in(person(groups=["sn-centrum", "managers", "officers"])).role is Role.OFFICER
    assert oidc.sign_in(person(groups=["officers", "admins"])).role is Role.ADMIN


def test_groups_naming_two_bodies_give_neither(mapped):
    with pytest.raises(oidc.SignInRefused, match="flera organisationer"):
        oidc.sign_in(person(groups=["sn-centrum", "sn-nordost"]))
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_person_without_a_mapped_group_is_told_whom_to_ask_and_nothing_is_created(app, mapped):
    app.config["OIDC_ACCESS_CONTACT"] = "din chef eller Servicedesk (031-365 00 00)"
    with pytest.raises(oidc.SignInRefused) as refused:
        oidc.sign_in(person(groups=["alla-anstallda"]))
    assert "ger ingen behörighet i remisstjänsten" in refused.value.message
    assert "Be din chef eller Servicedesk (031-365 00 00)" in refused.value.message
    with pytest.raises(oidc.SignInRefused):
        oidc.sign_in(person(groups=[]))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert actions() == []


def test_a_person_whose_groups_no_longer_map_is_closed_at_the_next_sign_in_and_back_with_a_group(mapped):
    user = oidc.sign_in(person())
    db.session.commit()
    token = user.session_token
    with pytest.raises(oidc.SignInRefused, match="inte längre behörighet"):
        oidc.sign_in(person(groups=["alla-anstallda"]))
    db.session.commit()
    assert not user.active and user.deactivated_by_provider
    assert user.session_token != token  # every open session ends
    assert actions()[-1] == "user.deactivated_by_provider"

    again = oidc.sign_in(person(groups=["managers"]))
    db.session.commit()
    assert again.id == user.id and again.active and again.role is Role.MANAGER
    assert not again.deactivated_by_provider


def test_an_account_the_admin_closed_stays_closed(mapped):
    user = oidc.sign_in(person())
    user.active = False  # the admin's deactivation
    db.session.commit()
    with pytest.raises(oidc.SignInRefused, match="Kontot är inaktiverat"):
        oidc.sign_in(person())


def test_a_password_account_with_the_same_address_is_linked(mapped):
    existing = make_user(Role.OFFICER, email="anna@goteborg.se", name="Anna")
    db.session.commit()
    user = oidc.sign_in(person(email="ANNA@goteborg.se"))
    db.session.commit()
    assert user.id == existing.id
    assert user.oidc_subject == "anna"
    assert user.sign_in_method == "Göteborgs Stads konto och lösenord"
    assert "user.linked_to_provider" in actions()


def test_an_address_of_another_provider_person_is_refused(mapped):
    oidc.sign_in(person(subject="anna-1"))
    db.session.commit()
    with pytest.raises(oidc.SignInRefused, match="hör redan till ett annat konto"):
        oidc.sign_in(person(subject="anna-2"))
    other = oidc.sign_in(person(subject="anna-2", email="anna2@goteborg.se"))
    db.session.commit()
    with pytest.raises(oidc.SignInRefused, match="hör redan till ett annat konto"):
        oidc.sign_in(person(subject="anna-2", email="anna@goteborg.se"))
    assert other.email == "anna2@goteborg.se"


def test_no_email_claim_no_account(mapped):
    with pytest.raises(oidc.SignInRefused, match="ingen e-postadress"):
        oidc.sign_in(person(email=None))


# Passwords where the provider is required ------------------------------------------------------
def require_provider(app, on: bool = True) -> None:
    with app.app_context():
        SignInSettings.current().require_provider_for_city = on
        db.session.commit()


@pytest.fixture
def people(app):
    with app.app_context():
        make_user(Role.OFFICER, email="olle@goteborg.se")
        make_user(Role.RESPONDENT, "Kriminalvården", email="kim@kriminalvarden.se")
        make_user(Role.ADMIN, email="nodkonto@goteborg.se")
        linked = make_user(Role.MANAGER, email="chef@extern.example.se")
        linked.oidc_issuer, linked.oidc_subject = ISSUER, "chef"
        linked_admin = make_user(Role.ADMIN, email="admin@goteborg.se")
        linked_admin.oidc_issuer, linked_admin.oidc_subject = ISSUER, "admin"
        db.session.commit()


def sign_in_with_password(client, email: str):
    return client.post("/auth/login", data={"email": email, "password": PASSWORD})


REFUSED = "Konton i Göteborgs Stad loggar in med Göteborgs Stads konto, inte med lösenord."


def test_with_the_provider_required_city_accounts_cannot_use_a_password(app, client, people):
    app.config.update(CONFIGURED)
    require_provider(app)
    for email in ("olle@goteborg.se", "OLLE@goteborg.se", "chef@extern.example.se", "admin@goteborg.se"):
        response = sign_in_with_password(client, email)
        assert response.status_code == 403, email
        assert REFUSED in response.text
    # Nor can they get a password link.
    client.post("/auth/forgot", data={"email": "olle@goteborg.se"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(UserToken.id))) == 0


@pytest.mark.parametrize("email", ["kim@kriminalvarden.se", "nodkonto@goteborg.se"])
def test_external_bodies_and_the_break_glass_admin_keep_their_passwords(app, client, people, email):
    app.config.update(CONFIGURED)
    require_provider(app)
    response = sign_in_with_password(client, email)
    assert response.status_code == 302, response.text


def test_without_the_requirement_or_without_the_provider_passwords_work_as_before(app, client, people):
    app.config.update(CONFIGURED)
    assert sign_in_with_password(client, "olle@goteborg.se").status_code == 302
    client.post("/auth/logout")
    require_provider(app)
    app.config.update({"OIDC_ISSUER": None})  # the provider is gone: nobody is locked out
    assert sign_in_with_password(client, "olle@goteborg.se").status_code == 302


def test_login_throttling_holds_for_provider_accounts_too(app, client, people):
    """A provider account has no password: every try fails and counts, like any account's."""
    app.config.update(CONFIGURED)
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"] + 1):
        response = client.post(
            "/auth/login", data={"email": "chef@extern.example.se", "password": "gissning"}
        )
    assert "För många misslyckade inloggningsförsök" in response.text
    with app.app_context():
        assert User.by_email("chef@extern.example.se").locked_until is not None


# The admin's pages -----------------------------------------------------------------------------
def test_the_admin_maps_groups_to_roles_and_bodies(app, client, login_as):
    login_as(Role.ADMIN)
    with app.app_context():
        centrum_id = make_organisation("Socialnämnden Centrum").id
        db.session.commit()
    page = client.get("/admin/groups/")
    assert page.status_code == 200
    assert "Inloggning med Göteborgs Stads konto är inte inställd" in page.text

    response = client.post(
        "/admin/groups/new", data={"group": "sn-centrum", "role": "respondent", "organisation_id": 0}
    )
    assert response.status_code == 400
    assert "måste peka ut en organisation" in response.text
    response = client.post(
        "/admin/groups/new", data={"group": "officers", "role": "officer", "organisation_id": centrum_id}
    )
    assert response.status_code == 400
    assert "Bara grupper med rollen remissinstans" in response.text

    response = client.post(
        "/admin/groups/new",
        data={
            "group": " sn-centrum ",
            "role": "respondent",
            "organisation_id": centrum_id,
            "description": "Nämnd",
        },
        follow_redirects=True,
    )
    assert (
        "Gruppen sn-centrum ger nu behörighet som remissinstans för Socialnämnden Centrum." in response.text
    )
    response = client.post(
        "/admin/groups/new", data={"group": "sn-centrum", "role": "officer", "organisation_id": 0}
    )
    assert "Gruppen finns redan" in response.text

    with app.app_context():
        mapping = db.session.scalar(sa.select(GroupMapping))
        assert (mapping.group, mapping.role, mapping.organisation_id) == (
            "sn-centrum",
            Role.RESPONDENT,
            centrum_id,
        )
        mapping_id = mapping.id
    assert client.get(f"/admin/groups/{mapping_id}/edit").status_code == 200
    response = client.post(
        f"/admin/groups/{mapping_id}/edit",
        data={"group": "slk-chefer", "role": "manager", "organisation_id": 0},
        follow_redirects=True,
    )
    assert "Gruppen slk-chefer är sparad" in response.text
    with app.app_context():
        mapping = db.session.get(GroupMapping, mapping_id)
        assert (mapping.group, mapping.role, mapping.organisation_id) == ("slk-chefer", Role.MANAGER, None)

    response = client.post(f"/admin/groups/{mapping_id}/delete", follow_redirects=True)
    assert "Gruppen slk-chefer är borttagen" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(GroupMapping.id))) == 0
        assert [e for e in actions() if e.startswith("group_mapping")] == [
            "group_mapping.saved",
            "group_mapping.saved",
            "group_mapping.removed",
        ]


def test_the_admin_requires_the_provider_for_city_accounts(app, client, login_as):
    login_as(Role.ADMIN)
    assert 'name="require_provider_for_city"' in client.get("/admin/groups/").text
    client.post("/admin/groups/settings", data={"require_provider_for_city": "y"})
    with app.app_context():
        assert SignInSettings.provider_required()
    checkbox = re.search(r"<input[^>]*require_provider_for_city[^>]*>", client.get("/admin/groups/").text)
    assert "checked" in checkbox.group(0)
    client.post("/admin/groups/settings", data={})
    with app.app_context():
        assert not SignInSettings.provider_required()
        assert actions().count("sign_in.settings_changed") == 2


def test_the_admins_list_shows_how_each_account_signs_in(app, client, login_as):
    login_as(Role.ADMIN, name="Alva Admin")
    with app.app_context():
        linked = make_user(Role.OFFICER, name="Olle Stad", password="")
        linked.oidc_issuer, linked.oidc_subject = ISSUER, "olle"
        make_user(Role.RESPONDENT, "Kriminalvården", name="Kim Extern")
        db.session.commit()
    page = client.get("/admin/users/").text
    assert '<th scope="col">Inloggning</th>' in page
    rows = {row.split("</td>")[0].split("<td>")[-1]: row for row in page.split("<tr>")[2:]}
    assert "Göteborgs Stads konto" in rows["Olle Stad"] and "Aktivt" in rows["Olle Stad"]
    assert "Ny inbjudningslänk" not in rows["Olle Stad"]
    assert "Lösenord" in rows["Kim Extern"]
    assert "Lösenord" in rows["Alva Admin"]
    assert "Grupper från Göteborgs Stads konto" in page
