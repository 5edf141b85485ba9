"""The accessibility statement and its form, and the admin's list of reports, in a real browser
(issue 19, item 6): every state has no axe violation, focus goes to the error summary after a
refused report and from its link to the field, and the confirmation after the redirect is in
view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from remiss.accessibility.operations import report_problem
from remiss.auth.models import Role
from remiss.extensions import db
from tests.e2e.axe import assert_accessible
from tests.e2e.pages import STATEMENT_PAGES, focused

pytestmark = pytest.mark.e2e

IN_VIEW = """(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight;
}"""


@pytest.mark.parametrize("who, path, what", STATEMENT_PAGES, ids=[what for _, _, what in STATEMENT_PAGES])
def test_the_pages_have_no_axe_violations(page, sign_in, who, path, what):
    if who is not None:
        sign_in(page, who)
    response = page.goto(path)
    assert response.status == 200
    assert_accessible(page, what)


def test_reporting_a_problem_without_signing_in(page, live_server):
    page.goto("/")  # the login page: the footer leads to the form
    page.get_by_role("link", name="Rapportera brist i tillgängligheten").click()
    expect(page.get_by_role("heading", name="Rapportera brist i tillgängligheten")).to_be_visible()

    # Sent empty: the summary has focus, the title says so, its link leads to the field.
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page).to_have_title("Fel: Tillgänglighetsredogörelse – Remisstjänsten, Göteborgs Stad")
    # The title is there once the page is parsed; app.js (deferred) moves focus a moment later.
    expect(page.locator(".error-summary")).to_be_focused()
    assert "error-summary" in focused(page).classes
    assert page.evaluate(IN_VIEW, ".error-summary")
    assert_accessible(page, "statement, report with errors")
    page.get_by_role("link", name="Beskriv problemet du har stött på.").click()
    expect(page.locator("#problem")).to_be_focused()

    page.get_by_label("Beskriv problemet").fill("Knappen Skicka in syns inte när jag förstorar till 400 %.")
    page.get_by_label("Vilken sida eller vilket innehåll gäller det?").fill("Svara på remissen")
    page.get_by_label("Din e-postadress").fill("eva@example.se")
    page.get_by_role("button", name="Skicka rapporten").click()
    confirmation = page.get_by_role("status").filter(has_text="Vi svarar inom 5 arbetsdagar")
    expect(confirmation).to_be_visible()
    assert page.evaluate(IN_VIEW, ".flash--success")
    assert_accessible(page, "statement, after reporting")

    # Too many from one address: refused with the e-mail address to write to instead.
    live_server.app.config["ACCESSIBILITY_REPORTS_PER_ADDRESS"] = 1
    page.get_by_label("Beskriv problemet").fill("En rapport till")
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("heading", name="Rapporten kunde inte skickas")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page, "statement, report refused (too many)")


def test_the_admin_reads_and_handles_the_reports(page, sign_in, live_server):
    sign_in(page, Role.ADMIN)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Tillgänglighetsrapporter"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighetsrapporter")
    expect(page.get_by_text("Inga rapporter ännu.")).to_be_visible()
    assert_accessible(page, "reports, empty")

    with live_server.app.app_context():
        number = report_problem(
            problem="Tabellen går inte att rulla i sidled.", page="Sammanställningen", email="eva@example.se"
        ).id
        db.session.commit()
    page.reload()
    expect(page.get_by_role("cell", name="Tabellen går inte att rulla i sidled.")).to_be_visible()
    assert_accessible(page, "reports, one unhandled")

    page.get_by_role("button", name=f"Markera som hanterad rapport {number}").click()
    expect(page.get_by_text(f"Rapport {number} är markerad som hanterad.")).to_be_visible()
    assert page.evaluate(IN_VIEW, ".flash--success")
    assert_accessible(page, "reports, handled")
