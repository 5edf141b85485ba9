"""The assessment written beside the comments (issue 15 items 1–3), in a real browser with the
demo round 1668/20 and checked with axe in each state: themes defined, a group of similar
answers tagged once, one comment tagged, the comments filtered by theme, the assessment written
under a measure, and two officers saving the same text at once (the second sees both)."""

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
SAME_TEXT = "Vi vill att handlingsplanen beskriver samverkans omfattning"


def flash(page, text: str):
    return page.locator(".flash").filter(has_text=text)


def open_work_page(page):
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Remisser").click()
    page.get_by_role("link", name=CLOSED).click()
    page.get_by_role("link", name="Sammanställning av remissvar").click()
    page.get_by_role("link", name="Skriv bedömningen bredvid synpunkterna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Fokusområde 1: Ett samordnat arbete med helhetsperspektiv"
    )


def test_tag_group_and_assess_beside_the_comments(page, new_page, sign_in):
    sign_in(page, Role.OFFICER)
    open_work_page(page)
    assert_accessible(page, "beside the comments, no themes yet")

    # Themes for the round.
    for name in ("Sekretess och informationsdelning", "Otydlig ansvarsfördelning"):
        page.get_by_label("Nytt tema").fill(name)
        page.get_by_role("button", name="Lägg till tema").click()
        expect(flash(page, f"Temat ”{name}” är tillagt.")).to_be_visible()
    assert_accessible(page, "beside the comments, two themes")

    # The four social committees' identical comments on 1:1 are one group, tagged once.
    measure = page.locator("section.summary-measure").filter(
        has=page.get_by_role("heading", name=re.compile("^Insats 1:1"))
    )
    group = measure.locator(".similar-group")
    expect(group.get_by_role("heading")).to_have_text(
        "Likartade synpunkter från 4 remissinstanser (100 % lika)"
    )
    expect(group.get_by_text(SAME_TEXT)).to_have_count(4)
    group.locator("summary", has_text="Teman för hela gruppen").click()
    group.get_by_label("Otydlig ansvarsfördelning").check()
    assert_accessible(page, "beside the comments, a group's themes open")
    group.get_by_role("button", name="Spara teman").click()
    expect(flash(page, "Temana är sparade för 4 synpunkter.")).to_be_visible()
    measure = page.locator("section.summary-measure").filter(
        has=page.get_by_role("heading", name=re.compile("^Insats 1:1"))
    )
    expect(measure.get_by_text("Teman: Otydlig ansvarsfördelning", exact=True)).to_have_count(4)
    expect(measure.get_by_role("link", name="Otydlig ansvarsfördelning (4)")).to_be_visible()

    # One comment on its own: Kriminalvården's on 1:1.
    single = measure.locator("li").filter(has_text="Kriminalvården")
    single.locator("summary", has_text="Teman för synpunkten från Kriminalvården").click()
    single.get_by_label("Sekretess och informationsdelning").check()
    single.get_by_role("button", name="Spara teman").click()
    expect(flash(page, "Temana är sparade.")).to_be_visible()

    # The comments behind a count, one click away; the counts stay those of all.
    page.get_by_role("link", name="Otydlig ansvarsfördelning (4)").click()
    expect(page.locator("section.summary-measure strong", has_text="Kriminalvården")).to_have_count(0)
    expect(page.locator("section.summary-measure strong", has_text="Socialnämnden Hisingen")).to_have_count(1)
    expect(page.get_by_role("combobox", name="Tema")).to_have_value(re.compile(r"\d+"))
    assert_accessible(page, "beside the comments, filtered by a theme")
    page.get_by_role("link", name="Visa alla synpunkter").click()

    # Two officers write the assessment of 1:1 at once: the second sees both texts.
    other = new_page()
    sign_in(other, Role.OFFICER)
    open_work_page(other)
    label = "Stadsledningskontorets bedömning av insats 1:1"
    page.get_by_label(label).fill("Samverkan beskrivs tydligare i den reviderade planen.")
    page.get_by_role("button", name="Spara bedömningen").first.click()
    expect(flash(page, "Bedömningen är sparad.")).to_be_visible()
    expect(page.get_by_label(label)).to_have_value("Samverkan beskrivs tydligare i den reviderade planen.")
    assert_accessible(page, "beside the comments, assessment saved")

    other.get_by_label(label).fill("Ansvar och mandat förtydligas.")
    other.get_by_label("Stadsledningskontorets bedömning av insats 1:2").fill(
        "Juridiska förutsättningar beskrivs."
    )
    other.get_by_role("button", name="Spara bedömningen").first.click()
    expect(other.get_by_role("alert")).to_contain_text("En kollega har ändrat samma text")
    conflict = other.locator(".merge")
    expect(conflict).to_contain_text("Samverkan beskrivs tydligare i den reviderade planen.")
    expect(conflict).to_contain_text("Ansvar och mandat förtydligas.")
    assert_accessible(other, "beside the comments, the same text changed by two")
    other.get_by_label(label).fill(
        "Samverkan beskrivs tydligare i den reviderade planen. Ansvar och mandat förtydligas."
    )
    other.get_by_role("button", name="Spara bedömningen").first.click()
    expect(flash(other, "Bedömningen är sparad.")).to_be_visible()
    expect(other.get_by_label("Stadsledningskontorets bedömning av insats 1:2")).to_have_value(
        "Juridiska förutsättningar beskrivs."
    )

    # The draft as a whole and the other comments.
    other.get_by_role("link", name="Förslaget som helhet och övriga synpunkter").click()
    expect(other.get_by_text("Vi saknar ett anhörigperspektiv")).to_be_visible()
    assert_accessible(other, "beside the comments, the draft as a whole")

    # The report's page, its opening drafted from the facts.
    page.get_by_role("link", name="Tillbaka till sammanställningen").click()
    expect(page.get_by_role("table", name=re.compile("^Teman och hur många"))).to_be_visible()
    assert_accessible(page, "summary with themes, one focus area")
    page.get_by_role("link", name="Redigera redovisningens inledning").click()
    expect(page.get_by_label("Inledning")).to_have_value(
        re.compile("Kommunstyrelsen beslutade 2021-10-27 § 820")
    )
    assert_accessible(page, "the report's opening")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner redovisningen (Word)").click()
    assert download.value.suggested_filename.startswith("Redovisning av remissvar 1668-20")
