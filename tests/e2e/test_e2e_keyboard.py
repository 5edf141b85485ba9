"""The keyboard alone: signing in and out with Tab, Space and Enter, with a visible focus indicator
on everything that takes focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role
from tests.e2e.pages import Focus, demo_account, focused, tab_to

pytestmark = pytest.mark.e2e


def test_sign_in_and_out_with_the_keyboard_only(page, live_server):
    account = demo_account(Role.OFFICER)
    page.goto("/auth/login")

    # The first Tab reaches the skip link, which becomes visible and jumps past the header.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip.text == "Hoppa till innehållet", skip
    assert skip.in_viewport, "the skip link must become visible when it has focus"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # Submitting the empty form moves focus to the error summary; its link leads to the field.
    tab_to(page, lambda f: f.id == "email")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()  # moved by a deferred script
    tab_to(page, lambda f: f.text == "Ange din e-postadress.")
    page.keyboard.press("Enter")
    expect(page.locator("#email")).to_be_focused()

    page.keyboard.type(account.email)
    tab_to(page, lambda f: f.id == "password")
    page.keyboard.type(account.password)
    tab_to(page, lambda f: f.id == "remember")
    page.keyboard.press("Space")
    assert page.get_by_label("Kom ihåg mig").is_checked()
    tab_to(page, lambda f: f.tag == "BUTTON" and f.text == "Logga in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Välkommen, {account.name}")

    # Every link and button on the start page shows where the focus is; then sign out.
    tab_to(page, lambda f: f.text == "Logga ut")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()


def test_the_focus_indicator_is_visible(page, live_server):
    """What tab_to checks on every stop, shown once on its own: a thick outline of its own colour."""
    page.goto("/auth/login")
    tab_to(page, lambda f: f.id == "email")
    focus: Focus = focused(page)
    assert focus.outline_style == "solid"
    assert focus.outline_width >= 3
    assert focus.outline_color == "rgb(255, 191, 71)"
