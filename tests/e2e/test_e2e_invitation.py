"""Reaching every body (issue 16, its "done when"), in a real browser with the demo data: the
officer chooses the whole group of state authorities in one go – the police and the SiS, with nobody with
an account, and the prison service – and sends the round; the round page says the police has nobody
with an account, and the officer sends the invitation again; the police's contact follows the
link read from the real local SMTP server, creates an account bound to the police, opens a
document of the round, fills in the answer and submits it; the manager's overview shows the
round's progress and a body that is late in another round. axe checks every new page in each
state it is shown in."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role, User
from remiss.core.time import local_today
from remiss.demo import ACCOUNTS
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.organisations.models import Organisation
from tests import files
from tests.e2e.axe import assert_accessible
from tests.factories import make_round, send
from tests.mail import smtp_fixture  # noqa: F401

pytestmark = pytest.mark.e2e

TITLE = "Förslag till riktlinje för trygghet i kollektivtrafiken"
DNR = "3105/26"
POLICE = "Polismyndigheten Storgöteborg"
POLICE_EMAIL = "registrator.vast@example.polisen.se"
PRISON = "Kriminalvården"  # a demo account of its own
SIS = "Statens institutionsstyrelse"  # no account either
GROUP = "Statliga myndigheter"
LATE_BODY, LATE_DNR = "Socialnämnden Centrum", "0999/26"
DOCUMENT = "Riktlinje trygghet.pdf"
PASSWORD = "polisens eget lösenord 2026"
COMMENT = "Polisen tillstyrker delvis: tryggheten kräver fler väktare kvällstid."


def flash(page, text: str):
    return page.locator(".flash").filter(has_text=text)


def draft_round(app) -> None:
    """A draft with its structure and remissförslag, made by the demo officer (writing both is
    walked through in test_e2e_whole_path); the recipients are chosen in the browser."""
    with app.app_context():
        officer = User.by_email(next(a.email for a in ACCOUNTS if a.role is Role.OFFICER))
        today = local_today()
        round_ = make_round(
            officer=officer,
            title=TITLE,
            dnr=DNR,
            decision="Kommunstyrelsen 2026-09-30 § 512",
            sent_on=today,
            deadline=today + timedelta(days=21),
            structure={"Trygga hållplatser": ["Bättre belysning", "Fler väktare kvällstid"]},
        )
        document = documents.store(
            io.BytesIO(files.pdf("Riktlinjen")),
            DOCUMENT,
            kind=DocumentKind.DRAFT,
            allowed=documents.ROUND_DOCUMENT_TYPES,
        )
        document.round = round_
        db.session.add(document)
        # Another round, sent a month ago, that a body has let pass its deadline.
        late = make_round(
            officer=officer,
            title="Riktlinje för ett svar som dröjer",
            dnr=LATE_DNR,
            sent_on=today - timedelta(days=30),
            deadline=today - timedelta(days=3),
            recipients=[Organisation.by_name(LATE_BODY)],
        )
        send(late)
        db.session.commit()
        assert not Organisation.by_name(POLICE).has_active_account


def deliver(app) -> None:
    with app.app_context():
        run_due_jobs()


def personal_link(smtp, subject_start: str) -> str:
    [mail] = [m for m in smtp.to(POLICE_EMAIL) if m.subject.startswith(subject_start) and TITLE in m.subject]
    assert "Länken är personlig och gäller tills remissen stängs." in mail.text
    assert (
        "Kommunstyrelsen beslutade den 30 september 2026 (§ 512) att skicka förslaget på remiss."
        in " ".join(mail.text.split())
    )
    [link] = re.findall(r"http://127\.0\.0\.1:\d+/inbjudan/\S+", mail.text)
    return link


def test_a_body_without_an_account_answers_through_its_invitation(page, new_page, live_server, sign_in, smtp):
    app = live_server.app
    draft_round(app)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    # --- The officer adds the police and sends the round ---------------------------------------
    sign_in(page, Role.OFFICER)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Remisser").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Välj remissinstanser").click()
    page.get_by_role("button", name=f"Välj hela gruppen {GROUP}").click()
    expect(page.get_by_role("checkbox", name=POLICE)).to_be_checked()
    expect(page.get_by_role("checkbox", name=PRISON)).to_be_checked()
    expect(page.get_by_role("checkbox", name=SIS)).to_be_checked()
    page.get_by_role("button", name="Spara remissinstanserna").click()
    expect(flash(page, "3 remissinstanser lades till.")).to_be_visible()
    page.get_by_role("link", name=f"Tillbaka till remissen {DNR}").click()

    police_row = page.get_by_role("row", name=re.compile(f"^{POLICE}"))
    expect(police_row).to_contain_text("Inget konto än")
    expect(page.get_by_role("heading", name="2 remissinstanser utan konto")).to_be_visible()
    assert_accessible(page, "round page, a draft to a body without an account")
    page.get_by_role("button", name="Skicka remissen").click()
    expect(flash(page, "Remissen är skickad. Remissinstanserna är inbjudna.")).to_be_visible()
    assert asked[-1].startswith("Skicka remissen till 3 remissinstanser")
    round_url = page.url.split("#")[0]
    deliver(app)
    first_link = personal_link(smtp, "Remiss: ")

    # The invitation once more, with a fresh link (the button names the body to a screen reader).
    expect(police_row).to_contain_text("Inget konto än")
    assert_accessible(page, "round page, open, a body without an account")
    page.get_by_role("button", name=f"Skicka inbjudan igen till {POLICE}").click()
    expect(flash(page, f"Inbjudan till {POLICE} skickas igen till {POLICE_EMAIL}")).to_be_visible()
    assert_accessible(page, "round page, the invitation sent again")
    deliver(app)
    link = personal_link(smtp, "Inbjudan igen – remiss: ")
    assert link != first_link

    # --- The police's contact follows the link -------------------------------------------------
    police = new_page()
    police.goto(link)
    expect(police.get_by_role("heading", level=1)).to_have_text(f"Skapa konto för {POLICE}")
    expect(police.locator(".facts")).to_contain_text(POLICE_EMAIL)
    assert_accessible(police, "invitation: create an account, empty")
    police.get_by_role("button", name="Skapa konto och öppna remissen").click()
    summary = police.locator(".error-summary")
    expect(summary).to_contain_text("Ange ditt namn.")
    expect(summary).to_contain_text("Ange ett lösenord.")
    assert_accessible(police, "invitation: create an account, with errors")
    police.get_by_label("Ditt namn").fill("Polly Polis")
    police.get_by_label("Välj lösenord").fill(PASSWORD)
    police.get_by_label("Upprepa lösenordet").fill(PASSWORD)
    police.get_by_role("button", name="Skapa konto och öppna remissen").click()
    expect(police.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(flash(police, f"Ditt konto för {POLICE} är skapat och du är inloggad.")).to_be_visible()
    assert_accessible(police, "answer page, right after creating the account")

    # The round's document opens for the new account.
    with police.expect_download() as downloading:
        police.get_by_role("link", name=DOCUMENT).click()
    assert downloading.value.suggested_filename == DOCUMENT
    with open(downloading.value.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"

    # The answer, filled in and submitted.
    police.get_by_role("link", name="Börja svara").click()
    police.get_by_role("group", name="Ställningstagande till förslaget som helhet").get_by_label(
        "Tillstyrker delvis"
    ).check()
    police.get_by_label("Övergripande synpunkter").fill(COMMENT)
    police.get_by_role("button", name="Spara och förhandsgranska").click()
    expect(police.get_by_role("heading", level=1)).to_contain_text("Förhandsgranska svaret")
    police.on("dialog", lambda dialog: dialog.accept())
    police.get_by_role("button", name="Skicka in svaret").click()
    expect(police.get_by_role("heading", level=1)).to_have_text("Kvitto på inskickat svar")
    expect(police.locator(".receipt")).to_contain_text("Polly Polis")

    # The link now leads an anonymous visitor to sign in; a garbled one says so in Swedish.
    stranger = new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(flash(stranger, f"Det finns redan ett konto för {POLICE_EMAIL}.")).to_be_visible()
    stranger.goto(link[:-6] + "garbld")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Länken gäller inte")
    assert_accessible(stranger, "invitation: a garbled link")

    # --- The officer sees the body's account and its answer ------------------------------------
    page.goto(round_url)
    expect(police_row).not_to_contain_text("Inget konto än")
    expect(police_row).to_contain_text("Inskickat")
    expect(page.get_by_role("heading", name="1 remissinstans utan konto")).to_be_visible()  # SiS
    expect(page.locator("#historik")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Vem gjorde vad"))).to_contain_text(
        f"skapade kontot {POLICE_EMAIL} för {POLICE}"
    )
    assert_accessible(page, "round page, the body answered")

    # --- The manager's overview: the round's progress, and the body that is late -----------------
    manager = new_page()
    sign_in(manager, Role.MANAGER)
    manager.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt").click()
    open_rounds = manager.get_by_role("region", name="Öppna remisser")
    round_row = open_rounds.get_by_role("row", name=re.compile(re.escape(TITLE)))
    expect(round_row).to_contain_text("1 av 3 remissinstanser")
    late = manager.get_by_role("region", name="Sena svar")
    late_row = late.get_by_role("row", name=re.compile(re.escape(LATE_BODY)))
    expect(late_row).to_contain_text(LATE_DNR)
    expect(late_row).to_contain_text("3 dagar")
    assert_accessible(manager, "the manager's overview, a round answered in part and a late body")
