"""Drafting one answer together in real browsers (issue 12): Sara Centrum with JavaScript (the
draft saves itself), her colleague Bengt Berg of the same body with JavaScript turned off. An
open round of its own (measures 1:1, 1:2, 2:1).

- different fields are merged, and a colleague's text appears in place on Sara's page;
- the same field is offered side by side (axe-checked), the choice is saved, and no sequence of
  saves loses a colleague's text;
- the autosave's announced status, the warning on leaving, a failed autosave that retries, and a
  session that ended while typing: the text comes back after signing in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role
from remiss.extensions import db
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e

ROUND = "Förslag till handlingsplan för samverkan"
SARA = "sara.centrum@example.goteborg.se"
BENGT = "bengt.centrum@example.goteborg.se"
SAVED = re.compile(r"^Sparat \d\d:\d\d$")
WAIT = 20_000  # the autosave waits 3 s after typing; a retry doubles that


def comment_on(page, number: str):
    return page.get_by_label(f"Synpunkter på insats {number}", exact=True)


def autosaved(page, field, text: str):
    """Type ``text`` into ``field`` and wait until the autosave it sets off has been answered."""
    with page.expect_response(lambda response: response.url.endswith("/autosave"), timeout=WAIT) as saved:
        field.fill(text)
    return saved.value.json()


@pytest.fixture
def app(tmp_path):
    """The browser tests' app (real HTTP, CSRF on), with a round of its own rather than the demo
    data: an open round sent to Centrum, Sara and Bengt of Centrum."""
    from remiss import create_app
    from tests.conftest import TEST_DATABASE_URL, empty_schema
    from tests.factories import make_round, send

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e",
            "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'e2e.sqlite'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "WTF_CSRF_ENABLED": True,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
    )
    with app.app_context():
        empty_schema()
        db.create_all()
        officer = make_user(Role.OFFICER, email="handlaggare@example.goteborg.se", name="Hanna Handläggare")
        round_ = make_round(officer=officer, recipients=["Socialnämnden Centrum"], title=ROUND)
        send(round_)
        make_user(Role.RESPONDENT, "Socialnämnden Centrum", email=SARA, name="Sara Centrum")
        make_user(Role.RESPONDENT, "Socialnämnden Centrum", email=BENGT, name="Bengt Berg")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def open_answer(page) -> None:
    page.goto("/answers/")
    page.get_by_role("link", name=ROUND).click()
    page.get_by_role("link", name=re.compile("Fortsätt med utkastet|Börja svara")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Svara på remissen")


@pytest.fixture
def people(live_server, new_page):
    """Sara (JavaScript on) and Bengt (JavaScript off), both on Centrum's answer form."""
    sara = new_page()
    sign_in(sara, SARA, PASSWORD)
    bengt = new_page(java_script_enabled=False)
    sign_in(bengt, BENGT, PASSWORD)
    open_answer(sara)
    open_answer(bengt)
    return sara, bengt


def test_two_colleagues_write_one_answer_and_nothing_is_lost(people):
    sara, bengt = people
    saras_status = sara.locator("#autosave-status")
    expect(saras_status).to_have_attribute("aria-live", "polite")

    # Sara writes on 1:1; the draft saves itself and says so.
    autosaved(sara, comment_on(sara, "1:1"), "Saras synpunkt på 1:1")
    expect(saras_status).to_have_text(SAVED)
    assert_accessible(sara, "the answer form with the autosave status shown")

    # Bengt, without JavaScript and with the page loaded before, writes on 1:2 and saves.
    comment_on(bengt, "1:2").fill("Bengts synpunkt på 1:2")
    bengt.get_by_role("button", name="Spara utkast").click()
    expect(bengt.get_by_text("Utkastet är sparat.")).to_be_visible()
    expect(bengt.get_by_text(re.compile("Sara Centrum sparade ändringar i 1:1"))).to_be_visible()
    expect(comment_on(bengt, "1:1")).to_have_value("Saras synpunkt på 1:1")  # merged, not lost

    # Sara goes on writing elsewhere: Bengt's 1:2 appears in place on her page.
    autosaved(sara, comment_on(sara, "2:1"), "Saras synpunkt på 2:1")
    expect(saras_status).to_have_text(re.compile("^En kollega sparade ändringar i 1:2 – uppdaterat"))
    expect(comment_on(sara, "1:2")).to_have_value("Bengts synpunkt på 1:2")

    # Both write the overall comment: Sara's autosave first, then Bengt's save meets it.
    autosaved(sara, sara.get_by_label("Övergripande synpunkter"), "Saras helhet")
    expect(saras_status).to_have_text(SAVED)
    bengt.get_by_label("Övergripande synpunkter").fill("Bengts helhet")
    bengt.get_by_label("Övriga synpunkter på förslaget").fill("Bengts övriga")
    bengt.get_by_role("button", name="Spara utkast").click()
    conflict = bengt.locator("#conflicts")
    expect(conflict).to_contain_text("Du och en kollega har ändrat samma fält")
    field = bengt.locator("#conflict-comment")
    expect(field).to_contain_text("Saras helhet")
    expect(field).to_contain_text("Bengts helhet")
    expect(field).to_contain_text("Sparat av Sara Centrum")
    # (axe runs in the page's JavaScript: checked on Sara's conflict page below.)
    # Bengt writes a combination and chooses it.
    bengt.get_by_label("Sammanslagning av övergripande synpunkter").fill("Saras och Bengts helhet")
    field.get_by_label("En sammanslagning som jag skriver nedan").check()
    bengt.get_by_role("button", name="Spara utkast").click()
    expect(bengt.get_by_text("Utkastet är sparat.")).to_be_visible()
    expect(bengt.get_by_label("Övergripande synpunkter")).to_have_value("Saras och Bengts helhet")
    expect(bengt.get_by_label("Övriga synpunkter på förslaget")).to_have_value("Bengts övriga")

    # Sara's page still shows her old overall text; her next autosave brings the combination in
    # (she has not touched the field since), never saves her old text over it.
    autosaved(sara, comment_on(sara, "2:1"), "Saras synpunkt på 2:1, ändrad")
    expect(sara.get_by_label("Övergripande synpunkter")).to_have_value("Saras och Bengts helhet")

    # Now Sara types into a field Bengt has just changed: marked as a conflict, not overwritten.
    bengt.get_by_label("Övriga synpunkter på förslaget").fill("Bengts övriga, andra versionen")
    bengt.get_by_role("button", name="Spara utkast").click()
    expect(bengt.get_by_text("Utkastet är sparat.")).to_be_visible()
    autosaved(sara, sara.get_by_label("Övriga synpunkter på förslaget"), "Saras övriga")
    expect(saras_status).to_have_text(re.compile("en kollega har ändrat samma fält"))
    expect(sara.locator(".field--conflict")).to_contain_text("Bengts övriga, andra versionen")
    assert_accessible(sara, "the answer form with a field marked as a conflict")
    bengt.reload()
    expect(bengt.get_by_label("Övriga synpunkter på förslaget")).to_have_value(
        "Bengts övriga, andra versionen"
    )
    # Sara asks to choose: «Spara utkast» shows both side by side; she keeps her own.
    sara.get_by_role("button", name="Spara utkast").click()
    chooser = sara.locator("#conflict-other_comments")
    expect(chooser).to_contain_text("Saras övriga")
    expect(chooser).to_contain_text("Bengts övriga, andra versionen")
    assert_accessible(sara, "the conflict page")
    chooser.get_by_label("Min text").check()
    sara.get_by_role("button", name="Spara utkast").click()
    expect(sara.get_by_text("Utkastet är sparat.")).to_be_visible()
    bengt.reload()
    expect(bengt.get_by_label("Övriga synpunkter på förslaget")).to_have_value("Saras övriga")
    expect(comment_on(bengt, "1:1")).to_have_value("Saras synpunkt på 1:1")
    expect(comment_on(bengt, "1:2")).to_have_value("Bengts synpunkt på 1:2")
    expect(comment_on(bengt, "2:1")).to_have_value("Saras synpunkt på 2:1, ändrad")


def test_leaving_warns_a_failed_autosave_retries_and_an_ended_session_keeps_the_text(page, context):
    sign_in(page, SARA, PASSWORD)
    open_answer(page)
    saved_status = page.locator("#autosave-status")

    # Typed but not yet saved: leaving asks first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    comment_on(page, "1:1").fill("Osparad text")
    page.get_by_role("link", name="Tillbaka till remissen").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(page.get_by_role("heading", level=1)).to_contain_text("Svara på remissen")  # stayed

    # The network fails: the status says so, and the save is tried again.
    page.route("**/autosave", lambda route: route.abort())
    comment_on(page, "1:2").fill("Skrivet utan nät")
    expect(saved_status).to_have_text("Kunde inte spara – försöker igen", timeout=WAIT)
    page.unroute("**/autosave")
    expect(saved_status).to_have_text(SAVED, timeout=WAIT)

    # Signed out in another tab; the form is saved afterwards: sign in again, the text is back.
    other = context.new_page()
    other.goto("/answers/")
    other.get_by_role("button", name="Logga ut").click()
    other.close()
    page.get_by_label("Övergripande synpunkter").fill("Skrivet medan sessionen tog slut")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    page.get_by_label("E-postadress").fill(SARA)
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Det här är vad du skrev innan sessionen gick ut")).to_be_visible()
    expect(page.get_by_label("Övergripande synpunkter")).to_have_value("Skrivet medan sessionen tog slut")
    expect(comment_on(page, "1:2")).to_have_value("Skrivet utan nät")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()
    expect(page.get_by_label("Övergripande synpunkter")).to_have_value("Skrivet medan sessionen tog slut")
