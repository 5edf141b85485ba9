"""Where the focus goes, in a real browser (issue 19, items 2 and 3): fields for one's own data
say their purpose (autocomplete); after a refused submit the focus is on the error summary (also
after the skip link, and when the page is reached with a #fragment), on the answer page's
conflict box when a colleague saved the same field, and on a refusal; a confirmation after a
redirect to a part of a long page is shown there, announced and in view; an error-summary link
to a group of radio buttons reaches its first button. axe finds nothing in any of these states."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from remiss.auth.models import Role, TokenPurpose
from remiss.extensions import db
from remiss.rounds.models import Round
from tests import files
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import demo_account, focused, password_link, sign_in, sign_out, tab_to
from tests.factories import PASSWORD, make_round, make_user

pytestmark = pytest.mark.e2e

LONG_ROUND = "Riktlinje med många delar"


def summary_has_focus(page, text: str | None = None):
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    if text:
        expect(summary).to_contain_text(text)
    assert focused(page).in_viewport, "the error summary must be in view"
    return summary


def flash_in_view(page, text: str, role: str = "status"):
    """The message is announced (its role), has focus and is in the viewport."""
    message = page.locator(".flash").filter(has_text=text)
    expect(message).to_be_focused()
    expect(message).to_have_attribute("role", role)
    expect(message).to_be_in_viewport()
    return message


def demo_ids(app) -> dict[str, int]:
    with app.app_context():
        closed = db.session.scalar(sa.select(Round).where(Round.dnr == "1668/20"))
        open_ = db.session.scalar(sa.select(Round).where(Round.is_open))
        return {
            "closed": closed.id,
            "open": open_.id,
            "silent": next(r.id for r in closed.recipients if not r.has_submitted),
        }


def long_draft(app) -> int:
    """A draft round whose structure fills several screens: what the officer edits last is far
    below the top of the page."""
    with app.app_context():
        from remiss.auth.models import User

        officer = User.by_email(demo_account(Role.OFFICER).email)
        round_ = make_round(
            officer=officer,
            title=LONG_ROUND,
            dnr="88/26",
            recipients=["Socialnämnden Centrum", "Kriminalvården"],
            structure={f"Område {a}": [f"Insats nummer {m}" for m in range(1, 6)] for a in range(1, 7)},
        )
        db.session.commit()
        return round_.id


def test_fields_for_ones_own_data_say_their_purpose(page, live_server):
    page.goto("/auth/login")
    expect(page.get_by_label("E-postadress")).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("Lösenord", exact=True)).to_have_attribute("autocomplete", "current-password")

    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page.get_by_label("E-postadress")).to_have_attribute("autocomplete", "email")

    email = demo_account(Role.MANAGER).email
    page.goto(password_link(live_server.app, email, TokenPurpose.RESET))
    expect(page.get_by_label("Nytt lösenord")).to_have_attribute("autocomplete", "new-password")
    expect(page.get_by_label("Upprepa lösenordet")).to_have_attribute("autocomplete", "new-password")
    # The account the password is for, for the browser's password manager (not shown).
    username = page.locator("input[autocomplete=username]")
    expect(username).to_have_value(email)
    expect(username).to_be_hidden()
    assert_accessible(page, "set password, with the account's name for the password manager")


def test_a_refused_sign_in_and_a_refused_form_after_the_skip_link(page, live_server):
    officer = demo_account(Role.OFFICER)
    page.goto("/auth/login")
    page.get_by_label("E-postadress").fill(officer.email)
    page.get_by_label("Lösenord", exact=True).fill("fel lösenord")
    page.get_by_role("button", name="Logga in").click()
    summary_has_focus(page, "Fel e-postadress eller lösenord")
    assert page.title().startswith("Fel: Logga in")
    assert_accessible(page, "sign-in refused")
    # Its link leads to the e-mail field.
    summary_has_focus(page).get_by_role("link").click()
    expect(page.locator("#email")).to_be_focused()

    # The skip link puts #main in the address; the form's explicit address leaves it behind,
    # and the error summary has the focus, not <main>.
    page.goto("/auth/forgot")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    assert page.url.endswith("#main")
    tab_to(page, lambda f: f.id == "email")
    page.keyboard.type("inte en adress")
    page.keyboard.press("Enter")
    summary_has_focus(page, "Ange en giltig e-postadress.")
    assert "#" not in page.url


def test_refused_forms_of_the_office_focus_their_summary(page, live_server):
    sign_in(page, Role.OFFICER)
    page.goto("/rounds/new")

    # Empty.
    page.get_by_role("button", name="Skapa utkast").click()
    summary_has_focus(page, "Ange remissens titel.")
    assert page.title().startswith("Fel: Ny remiss")
    assert_accessible(page, "new round, empty, refused")

    # A deadline before the sending date.
    page.get_by_label("Titel").fill("Datumprov")
    page.get_by_label("Diarienummer").fill("12/26")
    page.get_by_label("Utskicksdag").fill("2027-01-10")
    page.get_by_label("Sista svarsdag").fill("2027-01-05")
    page.get_by_role("button", name="Skapa utkast").click()
    summary = summary_has_focus(page, "Sista svarsdag måste vara efter utskicksdagen.")
    summary.get_by_role("link", name="Sista svarsdag måste vara efter utskicksdagen.").click()
    expect(page.locator("#deadline")).to_be_focused()
    expect(page.locator("label[for=deadline]")).to_be_in_viewport()

    # Reached with a #fragment (as a form without an address did after the skip link): the
    # browser would focus the fragment's target after the page has loaded; the summary keeps it.
    page.evaluate("() => { const f = document.querySelector('main form'); f.action = f.action + '#main'; }")
    page.get_by_role("button", name="Skapa utkast").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("#main")
    summary_has_focus(page, "Sista svarsdag måste vara efter utskicksdagen.")


def test_the_csv_import_without_a_file_shows_the_swedish_summary(page, live_server):
    sign_in(page, Role.ADMIN)
    page.goto("/admin/organisations/")
    with page.expect_navigation():  # no browser bubble: the form is sent and refused in Swedish
        page.get_by_role("button", name="Importera").click()
    summary_has_focus(page, "Välj en CSV-fil.")
    assert page.title().startswith("Fel: Organisationer")
    assert_accessible(page, "organisations, import without a file")


def test_a_secrecy_marking_without_its_ground_is_refused_beside_the_field(page, live_server):
    ids = demo_ids(live_server.app)
    sign_in(page, Role.OFFICER)
    page.goto(f"/rounds/{ids['closed']}/publicity")
    control = page.locator(".secrecy-control").filter(has=page.locator(".secrecy-form")).nth(5)
    control_id = control.get_attribute("id")
    control.get_by_role("button", name=re.compile("^Sekretessmarkera")).click()
    summary = summary_has_focus(page, "Ange den rättsliga grunden")
    expect(page.locator(f"#{control_id} .error-summary")).to_have_count(1)  # beside the field
    summary.get_by_role("link").click()
    expect(page.locator(f"#{control_id}-ground")).to_be_focused()
    assert_accessible(page, "publicity, secrecy marking refused")


def test_an_error_summary_link_reaches_the_first_radio_button(page, live_server):
    ids = demo_ids(live_server.app)
    sign_in(page, Role.OFFICER)
    page.goto(f"/rounds/{ids['closed']}/recipients/{ids['silent']}/register")
    page.get_by_role("button", name="Registrera svaret").click()
    summary = summary_has_focus(page, "Ange hur svaret kom in")
    assert_accessible(page, "registering an answer, refused")
    summary.get_by_role("link", name=re.compile("Ange hur svaret kom in")).click()
    expect(page.locator("#channel-0")).to_be_focused()
    focus = focused(page)
    assert (focus.tag, focus.id) == ("INPUT", "channel-0"), focus
    expect(page.get_by_role("group", name="Hur svaret kom in")).to_be_in_viewport()
    summary.get_by_role("link", name=re.compile("ställningstagandet")).click()
    expect(page.locator("#position-1")).to_be_focused()  # Tillstyrker: the first choice shown


def test_confirmations_after_a_redirect_are_in_view_and_announced(page, live_server):
    round_id = long_draft(live_server.app)
    sign_in(page, Role.OFFICER)

    # Moving the last measure of the last focus area, far down the page.
    page.goto(f"/rounds/{round_id}/structure")
    page.get_by_role("button", name="Flytta upp insats 6:5").click()
    assert re.search(r"/structure#area-\d+$", page.url)
    flash_in_view(page, "Insats 6:5 flyttades uppåt och heter nu Insats 6:4.")
    # Shown in the focus area it concerns, under its heading.
    expect(page.locator("section.structure-area").last.locator(".flash")).to_have_count(1)
    assert_accessible(page, "structure, after moving a measure")

    # A refused upload (no file) on the round page: the refusal is an alert beside "Dokument".
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("button", name="Ladda upp").click()
    flash_in_view(page, "Välj en fil.", role="alert")
    assert page.title().startswith("Fel: ")

    # An upload: the confirmation is beside the document list, not two screens above it.
    page.get_by_label("Fil", exact=True).set_input_files(
        files=[{"name": "Missiv.pdf", "mimeType": "application/pdf", "buffer": files.pdf("Missiv")}]
    )
    page.get_by_role("button", name="Ladda upp").click()
    flash_in_view(page, "Missiv.pdf är uppladdad.")
    assert page.evaluate("() => scrollY") > 300, "the page opened at the document list"
    assert_accessible(page, "round page, after an upload")

    # Removing it again: "Ta bort" names the document.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ta bort dokumentet Missiv.pdf").click()
    flash_in_view(page, "Missiv.pdf är borttagen.")


def test_the_conflict_box_takes_the_focus(live_server, new_page):
    """Two people of one body save the same field: the second sees the conflict box, focused,
    before anything else (the text typed is not saved there yet)."""
    app = live_server.app
    ids = demo_ids(app)
    with app.app_context():
        make_user(
            Role.RESPONDENT, "Socialnämnden Centrum", email="bengt.centrum@example.goteborg.se", name="Bengt"
        )
        db.session.commit()
    sara, bengt = new_page(), new_page()
    sign_in(sara, Role.RESPONDENT)
    sign_in(bengt, "bengt.centrum@example.goteborg.se", PASSWORD)
    for person in (sara, bengt):
        person.goto(f"/answers/rounds/{ids['open']}/edit")

    sara.get_by_label("Övergripande synpunkter").fill("Saras helhet")
    sara.get_by_role("button", name="Spara utkast").click()
    expect(sara.get_by_text("Utkastet är sparat.")).to_be_visible()

    bengt.get_by_label("Övergripande synpunkter").fill("Bengts helhet")
    bengt.get_by_role("button", name="Spara utkast").click()
    conflict = bengt.locator("#conflicts")
    expect(conflict).to_be_focused()
    expect(conflict).to_have_attribute("role", "alert")
    expect(conflict).to_be_in_viewport()
    assert bengt.title().startswith("Fel: Svara: ")
    assert_accessible(bengt, "the answer form with a conflict")
    sign_out(sara)
