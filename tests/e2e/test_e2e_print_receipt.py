"""The receipt of a submitted answer, printed (issue 16 §6): on paper the facts are legible and
nothing of the screen's navigation, skip link, buttons or footer is left; on screen the "Skriv
ut" button opens the browser's print dialogue."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from remiss.extensions import db
from remiss.rounds.models import Round
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

KIM = "kriminalvarden@example.kriminalvarden.se"  # the demo respondent of Kriminalvården


def test_the_receipt_prints_its_facts_without_the_screen_around_them(page, live_server, sign_in):
    with live_server.app.app_context():
        round_id = db.session.scalar(sa.select(Round.id).where(Round.dnr == "1370/21"))
    sign_in(page, KIM)
    page.goto(f"/answers/rounds/{round_id}/receipt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kvitto på inskickat svar")

    # On screen: the menu, the footer and the print button (shown by the script).
    menu = page.get_by_role("navigation", name="Huvudmeny")
    footer = page.locator(".site-footer")
    button = page.get_by_role("button", name="Skriv ut kvittot")
    for shown in (menu, footer, button):
        expect(shown).to_be_visible()
    assert_accessible(page, "the receipt with its print button")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert page.evaluate("() => window.printed") == 1

    # On paper: the facts, and nothing to click.
    page.emulate_media(media="print")
    sign_out = page.get_by_role("button", name="Logga ut")
    for gone in (menu, footer, button, sign_out, page.locator(".skip-link")):
        expect(gone).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    facts = page.locator("dl.receipt")
    expect(facts).to_be_visible()
    for term in ("Kvittonummer", "Inskickat", "Sista svarsdag", "Kanal"):
        expect(facts.locator("dt", has_text=term)).to_be_visible()
    expect(page.locator("dt", has_text="Beslut eller yttrande")).to_be_visible()
    colours = page.evaluate(
        "() => [getComputedStyle(document.body).color, getComputedStyle(document.querySelector('h1')).color]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(0, 0, 0)"], colours  # black on white
    # The skip link is not merely moved off the page: it is gone from the printed layout.
    assert page.evaluate("() => getComputedStyle(document.querySelector('.skip-link')).display") == "none"
    # Nothing pushes the printed page wider than the paper.
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    page.emulate_media(media="screen")
    expect(button).to_be_visible()
