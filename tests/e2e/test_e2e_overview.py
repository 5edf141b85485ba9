"""The manager's overview (issue 16 §4) in a real browser, on the demo data plus one open round
whose deadline has passed: the manager opens it from the menu, filters it, sees the late body
and its history, and axe finds nothing in any state (with the filter's errors too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from remiss.answers.models import Answer, Channel, Position
from remiss.auth.models import Role, User
from remiss.core.time import local_today
from remiss.extensions import db
from remiss.organisations.models import Organisation
from tests.e2e.axe import assert_accessible
from tests.factories import make_round, send

pytestmark = pytest.mark.e2e

LATE_ROUND = "Förslag till program för trygghet i skolan"


@pytest.fixture
def late_round(live_server):
    """An open round sent to Kriminalvården and Socialnämnden Centrum with its deadline three
    days ago: Centrum answered in time, Kriminalvården has not answered."""
    app = live_server.app
    today = local_today()
    with app.app_context():
        officer = db.session.scalar(db.select(User).where(User.role == Role.OFFICER).order_by(User.id))
        bodies = [Organisation.by_name(n) for n in ("Kriminalvården", "Socialnämnden Centrum")]
        round_ = make_round(
            officer,
            title=LATE_ROUND,
            dnr="0777/26",
            sent_on=today - timedelta(days=30),
            deadline=today - timedelta(days=3),
            recipients=bodies,
        )
        send(round_)
        centrum = round_.recipient_for(bodies[1].id)
        centrum.answer = Answer()
        centrum.answer.start_draft().position = Position.ASSENT
        centrum.answer.submit(by=None, channel=Channel.EMAIL, received_on=today - timedelta(days=4))
        db.session.commit()
        return round_.id


def test_the_manager_follows_rounds_and_late_bodies(page, sign_in, late_round):
    sign_in(page, Role.MANAGER)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link", name="Översikt")).to_have_attribute("aria-current", "page")

    # The open rounds with their progress, the late round among them.
    rounds = page.get_by_role("table", name="öppna remisser")
    expect(rounds.get_by_role("row").filter(has_text=LATE_ROUND)).to_contain_text("1 av 2 remissinstanser")
    late = page.get_by_role("table", name="har inte svarat i tid")
    expect(late.get_by_role("row").filter(has_text="Kriminalvården")).to_contain_text("3 dagar")
    assert_accessible(page, "overview, no filter")

    # Filter on the body's name and kind: only Kriminalvården's rows remain.
    page.get_by_label("Remissinstansens namn").fill("kriminal")
    page.get_by_label("Typ av remissinstans").select_option(label="Myndighet")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_label("Remissinstansens namn")).to_have_value("kriminal")
    late = page.get_by_role("table", name="1 remissinstans har inte svarat i tid")
    expect(late.get_by_role("row").filter(has_text="Kriminalvården")).to_contain_text(LATE_ROUND)
    bodies = page.get_by_role("table", name="1 remissinstans, flest sena svar först")
    expect(bodies.get_by_role("row")).to_have_count(2)
    expect(page.get_by_text("Socialnämnden Centrum")).to_have_count(0)
    assert_accessible(page, "overview, filtered on a body")

    # A date that cannot be read is refused in Swedish, with the error summary.
    # (The browser's date field takes only valid dates; a typed address can hold anything.)
    page.goto("/overview/?q=kriminal&kind=myndighet&sent_from=2026-13-40&sent_to=1999-01-01")
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    expect(page.get_by_text("Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2022-01-25.").first).to_be_visible()
    expect(page.get_by_text("Ange ett datum mellan 2000-01-01 och 2099-12-31.").first).to_be_visible()
    assert_accessible(page, "overview, filter with errors")

    # The late body's own page: its rounds, on time or not.
    page.get_by_role("table", name="har inte svarat i tid").get_by_role("link", name="Kriminalvården").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kriminalvården")
    row = page.get_by_role("row").filter(has_text=LATE_ROUND)
    expect(row).to_contain_text("Inte svarat, 3 dagar efter sista svarsdagen")
    assert_accessible(page, "overview, one body's rounds")

    # The Excel file, with the same filters.
    menu.get_by_role("link", name="Översikt").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner översikten som Excel").click()
    assert download.value.suggested_filename.endswith(f"{local_today().isoformat()}.xlsx")
