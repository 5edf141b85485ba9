"""Every page the app has so far, in each of its states, in a real browser: it shows what a
person expects and axe finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role, TokenPurpose
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import demo_account, password_link, sign_out

pytestmark = pytest.mark.e2e


def test_login_pages(page, live_server):
    response = page.goto("/auth/login")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert_accessible(page, "login, empty")

    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    expect(page.get_by_text("Ange din e-postadress.").first).to_be_visible()
    assert_accessible(page, "login, with errors")

    page.get_by_label("E-postadress").fill(demo_account(Role.OFFICER).email)
    page.get_by_label("Lösenord", exact=True).fill("fel lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert").filter(has_text="Fel e-postadress eller lösenord")).to_be_visible()
    assert_accessible(page, "login, wrong password")

    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glömt lösenordet")
    assert_accessible(page, "forgot password, empty")
    page.get_by_label("E-postadress").fill("inte en adress")
    page.get_by_role("button", name="Skicka länk").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "forgot password, with errors")
    page.get_by_label("E-postadress").fill("okand@example.se")
    page.get_by_role("button", name="Skicka länk").click()
    expect(page.get_by_text("Om adressen har ett konto i remisstjänsten")).to_be_visible()
    assert_accessible(page, "login, after asking for a link")


def test_set_password_pages(page, live_server):
    link = password_link(live_server.app, demo_account(Role.MANAGER).email, TokenPurpose.RESET)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj ett nytt lösenord")
    assert_accessible(page, "set password, empty")
    page.get_by_label("Nytt lösenord").fill("kort")
    page.get_by_label("Upprepa lösenordet").fill("kort")
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.get_by_text("Lösenordet måste ha minst 12 tecken.").first).to_be_visible()
    assert_accessible(page, "set password, with errors")

    response = page.goto("/auth/password/not-a-token")
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("Länken gäller inte")
    assert_accessible(page, "set password, invalid link")


def test_public_and_error_pages(page, sign_in):
    page.goto("/accessibility")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighetsredogörelse för Remisstjänsten")
    assert_accessible(page, "accessibility statement, anonymous")

    response = page.goto("/finns-inte")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
    assert_accessible(page, "404, anonymous")

    sign_in(page, Role.OFFICER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Hanna Handläggare")
    assert_accessible(page, "start page, officer")
    response = page.goto("/admin/users/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Du saknar behörighet")).to_be_visible()
    assert_accessible(page, "403, officer")
    response = page.goto("/finns-inte")
    assert response.status == 404
    assert_accessible(page, "404, signed in")
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    assert_accessible(page, "accessibility statement, signed in")


@pytest.mark.parametrize("role, heading", [(Role.MANAGER, "Remisser"), (Role.RESPONDENT, "Våra remisser")])
def test_start_page(page, sign_in, role, heading):
    sign_in(page, role)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, f"start page, {role.value}")


def test_admin_accounts(page, sign_in):
    sign_in(page, Role.ADMIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Konton")
    expect(page.get_by_role("cell", name="Sara Centrum", exact=True)).to_be_visible()
    assert_accessible(page, "accounts list")

    page.get_by_role("link", name="Bjud in användare").click()
    assert_accessible(page, "account form, empty")
    page.get_by_role("button", name="Skapa konto och inbjudningslänk").click()
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    assert_accessible(page, "account form, with errors")

    page.get_by_label("Namn").fill("Rita Remissinstans")
    page.get_by_label("E-postadress").fill("rita@example.se")
    page.get_by_label("Roll").select_option(label="Remissinstans")
    page.get_by_label("Organisation").select_option(label="Kriminalvården")
    page.get_by_role("button", name="Skapa konto och inbjudningslänk").click()
    expect(page.get_by_text("Kontot för Rita Remissinstans är skapat.")).to_be_visible()
    expect(page.get_by_role("cell", name="Rita Remissinstans", exact=True)).to_be_visible()
    assert_accessible(page, "accounts list, after inviting")

    link = re.search(r"http://\S+/auth/password/\S+", page.locator(".flash--success").inner_text())[0]

    page.get_by_role("link", name="Ändra Rita Remissinstans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ändra Rita Remissinstans")
    assert_accessible(page, "account form, editing")
    sign_out(page)
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()

    # Rita follows the invitation link, chooses a password and signs in.
    page.goto(link.rstrip(".,"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen till remisstjänsten")
    assert_accessible(page, "invitation, choose a password")
    page.get_by_label("Nytt lösenord").fill("ritas eget lösenord")
    page.get_by_label("Upprepa lösenordet").fill("ritas eget lösenord")
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.get_by_text("Lösenordet är sparat.")).to_be_visible()
    sign_in(page, "rita@example.se", "ritas eget lösenord")
    expect(page.get_by_role("heading", level=1)).to_have_text("Våra remisser")


def test_admin_organisations(page, sign_in):
    sign_in(page, Role.ADMIN)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Organisationer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisationer")
    expect(page.get_by_role("cell", name="Kriminalvården", exact=True)).to_be_visible()
    assert_accessible(page, "organisations list")

    csv = "name,short_name,kind,group,email\nNy nämnd,NN,okänd,,inte-en-adress\n"
    page.get_by_label("CSV-fil").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    page.get_by_role("button", name="Importera").click()
    # Refused in the error summary beside the form (and under the field), which has the focus.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_text("Ingenting importerades.")).to_be_visible()
    expect(summary.get_by_text("Rad 2: typen ”okänd” är okänd")).to_be_visible()
    assert_accessible(page, "organisations list, import errors")

    page.get_by_role("link", name="Ny organisation").click()
    assert_accessible(page, "organisation form, empty")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    assert_accessible(page, "organisation form, with errors")

    page.get_by_role("link", name="Avbryt").click()
    page.get_by_role("link", name="Ändra Kriminalvården").click()
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Kriminalvården")
    assert_accessible(page, "organisation form, editing")
