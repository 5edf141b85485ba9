"""Choosing a round's recipients in one go, in a real browser (issue 16 §2), on the demo register
(18 bodies in five groups): the filter box narrows the list and says how many are shown; a whole
group is chosen with the keyboard; the chosen ones are listed as they are ticked; one save adds
and removes. Without JavaScript the group button asks the server, which ticks the group. axe
finds nothing in any state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role, User
from remiss.extensions import db
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import demo_account, sign_in, tab_to
from tests.factories import make_round

pytestmark = pytest.mark.e2e

SOCIAL = ["Socialnämnden Centrum", "Socialnämnden Hisingen", "Socialnämnden Nordost", "Socialnämnden Sydväst"]
TITLE = "Riktlinje för stöd till anhöriga"


def draft_round(app) -> int:
    """A draft of the demo officer's, sent to Kulturnämnden so far."""
    with app.app_context():
        officer = User.by_email(demo_account(Role.OFFICER).email)
        round_ = make_round(officer=officer, recipients=["Kulturnämnden"], title=TITLE, dnr="1400/26")
        db.session.commit()
        return round_.id


def flash(page, text: str):
    return page.locator(".flash").filter(has_text=text)


def chosen(page):
    return page.get_by_role("region", name=re.compile("^Valda:"))


def open_picker(page, round_id: int) -> None:
    sign_in(page, Role.OFFICER)
    page.goto(f"/rounds/{round_id}")
    page.get_by_role("link", name="Välj remissinstanser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj remissinstanser")


def test_filter_choose_a_group_by_keyboard_and_save(live_server, page):
    round_id = draft_round(live_server.app)
    open_picker(page, round_id)
    groups = page.get_by_role("group")
    expect(groups).to_have_count(5)
    expect(page.get_by_role("group", name=re.compile("^Socialnämnderna"))).to_be_visible()
    expect(page.get_by_role("checkbox", name="Kulturnämnden")).to_be_checked()
    expect(chosen(page).get_by_role("heading")).to_have_text("Valda: 1 remissinstans")
    assert_accessible(page, "choosing recipients, as the page opens")

    # The filter box (shown by the script) narrows the list and says how many are shown.
    status = page.locator("#recipient-announcement")
    expect(status).to_have_attribute("role", "status")
    search = page.get_by_label("Filtrera organisationerna")
    search.fill("social")
    for name in SOCIAL:
        expect(page.get_by_role("checkbox", name=name)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Kriminalvården")).to_be_hidden()
    expect(page.get_by_role("group", name=re.compile("^Statliga myndigheter"))).to_be_hidden()
    expect(status).to_have_text("Visar 4 av 18 organisationer.")
    search.press("Enter")  # nothing is sent from the filter box
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj remissinstanser")
    assert_accessible(page, "choosing recipients, filtered")

    # From the filter box, Tab to the group's button and press Enter: the group is ticked here.
    focus = tab_to(page, lambda f: f.tag == "BUTTON" and "Välj hela gruppen" in f.text)
    assert focus.text.endswith("Socialnämnderna")
    page.keyboard.press("Enter")
    for name in SOCIAL:
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(status).to_contain_text("Hela gruppen Socialnämnderna är markerad, 4 organisationer till.")
    expect(status).to_contain_text("Valda: 5 remissinstanser.")
    expect(chosen(page).get_by_role("heading")).to_have_text("Valda: 5 remissinstanser")
    assert page.url.endswith(f"/rounds/{round_id}/recipients")  # nothing was posted

    # Back to the whole list; one more by the space bar, and Kulturnämnden out.
    search.fill("")
    expect(status).to_have_text("Visar alla 18 organisationer.")
    page.get_by_role("checkbox", name="Kriminalvården").focus()
    page.keyboard.press("Space")
    page.get_by_role("checkbox", name="Kulturnämnden").focus()
    page.keyboard.press("Space")
    expect(status).to_have_text("Valda: 5 remissinstanser.")
    expected = ["Kriminalvården", *SOCIAL]
    expect(chosen(page).get_by_role("listitem")).to_have_text(expected)
    assert_accessible(page, "choosing recipients, a group and one more chosen")

    page.get_by_role("button", name="Spara remissinstanserna").click()
    expect(flash(page, "5 remissinstanser lades till, 1 togs bort.")).to_be_visible()
    expect(chosen(page).get_by_role("heading")).to_have_text("Valda: 5 remissinstanser")
    expect(chosen(page).get_by_role("listitem")).to_have_text(expected)
    assert_accessible(page, "choosing recipients, saved")

    page.get_by_role("link", name="Tillbaka till remissen 1400/26").click()
    expect(page.get_by_role("table", name="5 remissinstanser, 0 har svarat")).to_be_visible()


def test_a_body_that_has_begun_answering_is_shown_locked_with_its_reason(live_server, page):
    # The demo's open round: Centrum has a draft, the other social committees have answered.
    sign_in(page, Role.OFFICER)
    page.goto("/rounds/")
    page.get_by_role("link", name=re.compile("riktlinje för arbete med avhoppare", re.I)).click()
    page.get_by_role("link", name="Välj remissinstanser").click()
    centrum = page.get_by_role("checkbox", name="Socialnämnden Centrum")
    expect(centrum).to_be_checked()
    expect(centrum).to_be_disabled()
    expect(centrum).to_have_accessible_description("Har börjat svara och kan inte tas bort.")
    expect(page.get_by_role("checkbox", name="Socialnämnden Hisingen")).to_have_accessible_description(
        "Har svarat och kan inte tas bort."
    )
    assert_accessible(page, "choosing recipients of an open round, some locked")


def test_without_javascript_the_server_ticks_the_group(live_server, new_page):
    round_id = draft_round(live_server.app)
    page = new_page(java_script_enabled=False)
    open_picker(page, round_id)
    expect(page.get_by_label("Filtrera organisationerna")).to_be_hidden()
    page.get_by_role("button", name="Välj hela gruppen Statliga myndigheter").click()
    expect(
        page.get_by_text("Hela gruppen Statliga myndigheter är markerad. Spara för att lägga till den.")
    ).to_be_visible()
    assert page.url.endswith(f"/rounds/{round_id}/recipients#grupp-5")
    for name in (
        "Kriminalvården",
        "Polismyndigheten Storgöteborg",
        "Statens institutionsstyrelse",
        "Kulturnämnden",
    ):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(chosen(page).get_by_role("heading")).to_have_text("Valda: 4 remissinstanser")
    page.get_by_role("button", name="Spara remissinstanserna").click()
    expect(flash(page, "3 remissinstanser lades till.")).to_be_visible()
