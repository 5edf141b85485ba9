"""The whole answer flow with the keyboard alone: a respondent signs in, opens the round, fills in
the answer, saves the draft, previews it, submits it (confirming the question) and reads the
receipt, using only Tab, Shift+Tab, the arrow keys, Space, Enter and typing. Every element the
focus reaches shows a visible focus indicator (``tab_to`` checks each stop)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role
from tests.e2e.pages import demo_account, focused, tab_to

pytestmark = pytest.mark.e2e

ROUND = "Förslag till Göteborgs Stads riktlinje för arbete med avhoppare"
COMMENT = "Nämnden stöder riktlinjen och vill delta i samverkan."
ON_QUESTION = "Socialtjänsten har redan rutiner för avhoppare."


def press(page, key: str) -> None:
    page.keyboard.press(key)


def test_answer_a_round_with_the_keyboard_only(page, live_server):
    account = demo_account(Role.RESPONDENT)  # Sara Centrum; her organisation has a draft begun
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    # Sign in.
    page.goto("/auth/login")
    tab_to(page, lambda f: f.id == "email")
    page.keyboard.type(account.email)
    tab_to(page, lambda f: f.id == "password")
    page.keyboard.type(account.password)
    tab_to(page, lambda f: f.tag == "BUTTON" and f.text == "Logga in")
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Våra remisser")

    # Open the round and continue the organisation's draft.
    tab_to(page, lambda f: f.tag == "A" and f.text == ROUND)
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    tab_to(page, lambda f: f.tag == "A" and f.text == "Fortsätt med utkastet")
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Svara på remissen")

    # The position on the whole: Tab into the radio group, Space picks the first, an arrow the next.
    tab_to(page, lambda f: f.id.startswith("position-"))
    press(page, "Space")
    press(page, "ArrowDown")
    whole = page.get_by_role("group", name="Ställningstagande till förslaget som helhet")
    expect(whole.get_by_label("Tillstyrker delvis")).to_be_checked()
    tab_to(page, lambda f: f.id == "comment")
    press(page, "Control+A")  # replace the draft's text
    page.keyboard.type(COMMENT)

    # The first question: answered in free text – Tab goes straight to its answer, no position
    # is offered for a question.
    tab_to(page, lambda f: f.id.startswith("m_") and f.id.endswith("_comment"), limit=10)
    question = focused(page).id.removesuffix("_comment")
    expect(page.locator(f"#{question}_position-0")).to_have_count(0)
    page.keyboard.type(ON_QUESTION)

    # Save the draft; the page comes back with the text kept.
    tab_to(page, lambda f: f.tag == "BUTTON" and f.text == "Spara utkast", limit=80)
    press(page, "Enter")
    expect(page.locator(".flash").filter(has_text="Utkastet är sparat.")).to_be_visible()
    expect(page.get_by_label("Övergripande synpunkter")).to_have_value(COMMENT)

    # Preview, then submit with the confirmation.
    tab_to(page, lambda f: f.tag == "BUTTON" and f.text == "Spara och förhandsgranska", limit=100)
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Förhandsgranska svaret")
    expect(page.get_by_text(ON_QUESTION)).to_be_visible()
    tab_to(page, lambda f: f.tag == "BUTTON" and f.text == "Skicka in svaret", limit=60)
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kvitto på inskickat svar")
    assert asked == ["Skicka in svaret till stadsledningskontoret? Det går inte att ändra efteråt."]
    expect(page.locator(".receipt")).to_contain_text(account.name)
    expect(page.get_by_text("Tillstyrker delvis").first).to_be_visible()

    # And back to the round with the keyboard: the submitted answer is there.
    tab_to(page, lambda f: f.tag == "A" and f.text == "Tillbaka till remissen")
    press(page, "Enter")
    expect(page.get_by_text("Status: Inskickat")).to_be_visible()
