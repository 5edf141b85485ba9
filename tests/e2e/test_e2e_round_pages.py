"""The pages around a finished round, with the demo data (a closed round with 15 answers and an
open one), in a real browser and checked with axe in each state: the officer's publicity and
secrecy controls, the summary and the assessment, the feedback and its finalising, the e-mail log
and reminder settings; the public register as anyone sees it; the respondent's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

CLOSED = (
    "Förslag till Göteborgs Stads handlingsplan för att stoppa nyrekrytering, gängkriminalitet "
    "och utvecklingen av parallella samhällen"
)
OPEN = "Förslag till Göteborgs Stads riktlinje för arbete med avhoppare"


def flash(page, text: str):
    return page.locator(".flash").filter(has_text=text)


def test_a_closed_round_from_summary_to_public_feedback(page, new_page, sign_in):
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    sign_in(page, Role.OFFICER)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Remisser").click()
    page.get_by_role("link", name=CLOSED).click()
    expect(page.get_by_role("table", name="16 remissinstanser, 15 har svarat")).to_be_visible()
    assert_accessible(page, "round page, closed with 15 answers")

    # An answer's versions; reopening it without a reason is refused.
    page.get_by_role("link", name="Läs svaret från Kriminalvården").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kriminalvården")
    assert_accessible(page, "an answer's versions")
    page.get_by_role("button", name="Öppna svaret för rättelse").click()
    expect(flash(page, "Ange skälet, t.ex. vem som bad om rättelsen.")).to_be_visible()
    assert_accessible(page, "an answer's versions, reopening refused")
    page.go_back()
    page.go_back()

    # Publicity: a sent round is in the public register by default; the officer can keep it out
    # and put it back; a marking without its ground is refused.
    page.get_by_role("link", name="Offentlighet och sekretess").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offentlighet och sekretess")
    assert_accessible(page, "publicity and secrecy")
    box = page.get_by_label("Visa remissen i det offentliga remissregistret")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(flash(page, "Remissen visas inte längre i det offentliga remissregistret.")).to_be_visible()
    page.get_by_label("Visa remissen i det offentliga remissregistret").check()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(flash(page, "Remissen visas nu i det offentliga remissregistret.")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Sekretessmarkera")).first.click()
    expect(page.locator(".field--error .error-message").first).to_be_visible()
    assert_accessible(page, "publicity and secrecy, a marking without its ground")

    # The summary with every answer, and the assessment.
    page.get_by_role("link", name="Remisser", exact=True).click()
    page.get_by_role("link", name=CLOSED).click()
    page.get_by_role("link", name="Sammanställning av remissvar").click()
    expect(page.get_by_role("table", name="Remissinstanser och deras svar (16 st)")).to_be_visible()
    assert_accessible(page, "summary, 15 answers")
    page.get_by_role("link", name="Skriv stadsledningskontorets bedömning").click()
    assert_accessible(page, "assessment form, the demo round")
    page.get_by_label("Stadsledningskontorets bedömning av förslaget som helhet").fill(
        "Handlingsplanen får brett stöd; insatserna prioriteras om."
    )
    page.get_by_role("button", name="Spara bedömningen").click()
    expect(flash(page, "Bedömningen är sparad.")).to_be_visible()

    # The feedback: a preview of one body's, then made final (which asks first).
    page.get_by_role("link", name="Tillbaka till remissen").click()
    page.get_by_role("link", name="Återkoppling till remissinstanserna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Återkoppling")
    assert_accessible(page, "feedback, before it is final")
    page.get_by_role("link", name="Socialnämnden Centrum").click()
    assert_accessible(page, "feedback of one body, preview")
    page.go_back()
    page.get_by_role("button", name="Markera bedömningen som slutlig och skicka återkoppling").click()
    expect(flash(page, "Bedömningen är slutlig.")).to_be_visible()
    assert asked and asked[-1].startswith("Markera bedömningen som slutlig?")
    assert_accessible(page, "feedback, final")

    # The e-mail it queued.
    page.get_by_role("link", name="i det offentliga remissregistret").wait_for()
    page.go_back()
    page.goto(page.url.split("/feedback")[0] + "/messages")
    expect(page.get_by_role("table", name=re.compile(r"Meddelanden för remissen"))).to_be_visible()
    assert_accessible(page, "e-mail log, with feedback messages")

    # The public register, as anyone sees it.
    visitor = new_page()
    visitor.goto("/register/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Remissregister")
    assert_accessible(visitor, "public register")
    visitor.get_by_label("Sök på rubrik, diarienummer eller organisation").fill("finns inte alls")
    visitor.get_by_role("button", name="Sök").click()
    expect(visitor.get_by_text("Inga remisser matchar sökningen.")).to_be_visible()
    assert_accessible(visitor, "public register, nothing found")
    visitor.get_by_label("Sök på rubrik, diarienummer eller organisation").fill("1668/20")
    visitor.get_by_role("button", name="Sök").click()
    visitor.get_by_role("link", name=CLOSED).click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("handlingsplan")
    assert_accessible(visitor, "public round page, with answers")
    visitor.get_by_role("link", name="Läs stadsledningskontorets bedömning insats för insats").click()
    assert_accessible(visitor, "public feedback page")

    # The respondent's pages, with data: its closed round, its receipt, its feedback.
    sara = new_page()
    sign_in(sara, Role.RESPONDENT)
    expect(sara.get_by_role("table", name=re.compile("Stängda och avslutade remisser"))).to_contain_text(
        CLOSED
    )
    assert_accessible(sara, "respondent's rounds, open and closed")
    sara.get_by_role("link", name=CLOSED).click()
    assert_accessible(sara, "respondent's closed round")
    sara.get_by_role("link", name="Kvitto på inskickat svar").click()
    expect(sara.get_by_role("heading", level=1)).to_have_text("Kvitto på inskickat svar")
    assert_accessible(sara, "respondent's receipt of a demo answer")
    sara.goto(page.url.split("/messages")[0] + "/feedback")
    expect(sara.get_by_role("heading", level=1)).to_contain_text("Återkoppling")
    assert_accessible(sara, "respondent's feedback")


def test_an_open_round_for_officer_and_respondent(page, new_page, sign_in):
    sign_in(page, Role.OFFICER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Hanna Handläggare")
    page.get_by_role("link", name=OPEN).first.click()
    page.get_by_role("link", name="E-post och påminnelser").click()
    assert_accessible(page, "e-mail log, an open round")
    page.get_by_role("link", name="Ändra påminnelsedagar").click()
    assert_accessible(page, "reminder settings")
    page.get_by_label("Påminnelser, antal dagar före sista svarsdag").fill("fjorton")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    assert_accessible(page, "reminder settings, with errors")
    page.get_by_role("link", name="Avbryt").click()
    page.get_by_role("link", name="Förhandsgranska meddelandena").click()
    assert_accessible(page, "e-mail preview, an open round")

    # Socialnämnden Centrum has a draft in the open round.
    sara = new_page()
    sign_in(sara, Role.RESPONDENT)
    sara.get_by_role("link", name=OPEN).click()
    expect(sara.get_by_text("Status: Utkast")).to_be_visible()
    sara.get_by_role("link", name="Fortsätt med utkastet").click()
    expect(sara.get_by_label("Övergripande synpunkter")).to_have_value("Utkast: nämnden bereder ärendet.")
    assert_accessible(sara, "answer form, the demo draft")
    sara.get_by_role("link", name="Tillbaka till remissen").click()
    sara.get_by_role("link", name="Förhandsgranska och skicka in").click()
    expect(
        sara.get_by_text("Ange ert ställningstagande till förslaget som helhet innan ni skickar in.")
    ).to_be_visible()
    assert_accessible(sara, "answer preview, no position yet")
