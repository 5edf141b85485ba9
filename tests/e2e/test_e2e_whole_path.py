"""The whole path of a round in a real browser, as the people who use the tracker walk it: an
officer creates a round from nothing, uploads its draft, pastes its structure, picks recipients
and sends it; two people of Socialnämnden Centrum write one answer together; Kriminalvården gets
an extension and still answers late; the officer registers an answer that came by post and writes
the office's assessment; a manager downloads the Excel file, which is read back here.

Every page on the way is checked with axe in each state it is shown in (empty form, form with
errors, lists with data).

The clock: the round is created and sent today with a deadline 20 days ahead (a round whose
deadline has passed cannot be sent). Then 30 days pass: ``let_days_pass`` moves every moment the
round has lived through (its sending date, its deadline, when it opened, when the invitations
went out) 30 days back, which is what the database would hold had the test waited a month. From
there on everything happens on today's real date: Kriminalvården is granted an extension to 3
days ago, which the model accepts (an extension only has to end after the round's deadline), the
answers submitted today are late by 10 days (Socialnämnden Centrum, on the round's deadline) and
by 3 days (Kriminalvården, on its extension), while the answer that came by post 12 days ago is on
time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from remiss.answers.models import Channel
from remiss.auth.models import Role, User
from remiss.core.time import format_date, local_today
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Round
from tests import files
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

TITLE = "Förslag till handlingsplan mot ensamhet bland äldre"
DNR = "2417/26"
COLLEAGUE = ("sam.centrum@example.goteborg.se", "Sam Centrum", "sams eget lösenord 2026")

STRUCTURE = """Fokusområde 1: Förebyggande arbete
Insats 1:1 Fler träffpunkter i stadsdelarna
Insats 1:2 Uppsökande verksamhet

Fokusområde 2: Uppföljning
Insats 2:1 Följa upp insatserna årligen"""

SARA_COMMENT = "Nämnden ser positivt på förslaget men saknar finansiering."
SARA_ON_1_1 = "Träffpunkterna bör ligga nära kollektivtrafik."
SAM_ON_2_1 = "Följ upp årligen med brukarenkät; formeln =SUMMA(A1) ska stå som text."
SAM_OTHER = "Samråd med pensionärsråden."
KV_COMMENT = "Kriminalvården avstyrker eftersom förslaget inte rör myndighetens uppdrag."
POST_COMMENT = "Inkom med post: nämnden tillstyrker."
ASSESSMENT = "Remissinstanserna är i huvudsak positiva. Finansieringen utreds vidare."
ASSESSMENT_1_1 = "Träffpunkternas placering ses över med trafiknämnden."


def iso(day: dt.date) -> str:
    return day.isoformat()


def long(day: dt.date) -> str:
    """A date in a sentence (a flash message): ``5 januari 2027``."""
    return format_date(day, "long")


def confirm_dialogs(page) -> list[str]:
    """Accept every confirmation the page asks for; the questions asked are returned."""
    asked: list[str] = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def flash(page, text: str):
    return page.locator(".flash").filter(has_text=text)


def let_days_pass(app, days: int) -> None:
    """As if ``days`` had passed since the round was sent: every date and moment of its life so
    far moves that many days back."""
    back = dt.timedelta(days=days)
    with app.app_context():
        round_ = db.session.scalars(sa.select(Round).where(Round.dnr == DNR)).one()
        round_.sent_on -= back
        round_.deadline -= back
        round_.opened_at -= back
        for recipient in round_.recipients:
            recipient.invited_at -= back
        db.session.commit()


def add_colleague(app) -> None:
    """A second account of Socialnämnden Centrum, made the way the admin's invitation ends up
    (the invitation flow itself is walked in test_e2e_accessibility.test_admin_accounts)."""
    email, name, password = COLLEAGUE
    with app.app_context():
        user = User(
            email=email,
            name=name,
            role=Role.RESPONDENT,
            organisation=Organisation.by_name("Socialnämnden Centrum"),
        )
        user.set_password(password)
        db.session.add(user)
        db.session.commit()


def test_the_whole_path_of_a_round(page, new_page, live_server, sign_in, tmp_path):
    today = local_today()
    sent_on, deadline = today - dt.timedelta(days=30), today - dt.timedelta(days=10)
    planned_sent_on, planned_deadline = today, today + dt.timedelta(days=20)
    extended, received_by_post = today - dt.timedelta(days=3), today - dt.timedelta(days=12)
    add_colleague(live_server.app)
    asked = confirm_dialogs(page)

    # --- The officer creates the round from nothing ----------------------------------------------
    sign_in(page, Role.OFFICER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Hanna Handläggare")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Remisser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remisser")
    assert_accessible(page, "rounds list, with the demo rounds")
    page.get_by_role("link", name="Ny remiss").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny remiss")
    assert_accessible(page, "round form, empty")

    page.get_by_label("Diarienummer").fill("2417-26")
    page.get_by_label("Utskicksdag").fill(iso(planned_deadline))
    page.get_by_label("Sista svarsdag").fill(iso(planned_sent_on))
    page.get_by_role("button", name="Skapa utkast").click()
    expect(page.get_by_role("heading", name="Formuläret innehåller fel")).to_be_visible()
    errors = page.locator(".error-summary")
    expect(errors).to_contain_text("Ange remissens titel.")
    expect(errors).to_contain_text("Ange diarienumret som nummer/år, t.ex. 1668/20.")
    expect(errors).to_contain_text("Sista svarsdag måste vara efter utskicksdagen.")
    assert_accessible(page, "round form, with errors")

    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Diarienummer").fill(DNR)
    page.get_by_label("Beslut om remiss").fill("Kommunstyrelsen 2026-09-30 § 512")
    page.get_by_label("Beskrivning").fill("Synpunkter önskas på fokusområdena och insatserna.")
    expect(page.get_by_label("Ansvarig handläggare")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Utskicksdag").fill(iso(planned_sent_on))
    page.get_by_label("Sista svarsdag").fill(iso(planned_deadline))
    page.get_by_role("button", name="Skapa utkast").click()
    expect(flash(page, "Remissen är skapad som utkast.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page, "round page, a new draft")

    # The draft document, through the file input; first without a file.
    upload = page.get_by_role("group", name="Ladda upp dokument")
    upload.get_by_role("button", name="Ladda upp").click()
    expect(flash(page, "Välj en fil.")).to_be_visible()
    assert_accessible(page, "round page, upload without a file")
    upload.get_by_label("Typ av dokument").select_option(label="Remissförslag")
    upload.get_by_label("Fil").set_input_files(
        files=[{"name": "Handlingsplan ensamhet.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}]
    )
    upload.get_by_role("button", name="Ladda upp").click()
    expect(flash(page, "Handlingsplan ensamhet.pdf är uppladdad.")).to_be_visible()
    expect(page.get_by_role("link", name="Handlingsplan ensamhet.pdf")).to_be_visible()

    # The structure, pasted: a preview, a line that cannot be read, then saved.
    page.get_by_role("link", name="Redigera struktur").click()
    expect(page.get_by_text("Remissen har ännu inga fokusområden")).to_be_visible()
    assert_accessible(page, "structure, empty")
    page.get_by_role("link", name="Klistra in innehållsförteckning").click()
    assert_accessible(page, "paste structure, empty")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_text("Klistra in fokusområden och insatser eller frågor.").first).to_be_visible()
    assert_accessible(page, "paste structure, nothing pasted")
    page.get_by_label("Innehållsförteckning").fill("Insats 3:1 Utan fokusområde\n" + STRUCTURE)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Några rader kunde inte läsas")).to_be_visible()
    expect(page.get_by_text("Rad 1: insats 3:1 står inte under något fokusområde.")).to_be_visible()
    assert_accessible(page, "paste structure, a line that cannot be read")
    page.get_by_label("Innehållsförteckning").fill(STRUCTURE)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning")).to_be_visible()
    expect(page.get_by_text("2 fokusområden och 3 insatser läggs till.")).to_be_visible()
    assert_accessible(page, "paste structure, preview")
    page.get_by_role("button", name="Spara strukturen").click()
    expect(flash(page, "2 fokusområden och 3 insatser är tillagda.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fokusområde 2: Uppföljning")).to_be_visible()
    expect(page.get_by_role("cell", name="Insats 2:1", exact=True)).to_be_visible()
    assert_accessible(page, "structure, with data")

    # Recipients: a whole group, then one organisation; first nothing chosen.
    page.get_by_role("link", name=f"Tillbaka till remissen {DNR}").click()
    page.get_by_role("link", name="Välj remissinstanser").click()
    chosen = page.get_by_role("region", name=re.compile("^Valda:"))
    expect(chosen.get_by_role("heading")).to_have_text("Valda: 0 remissinstanser")
    assert_accessible(page, "recipients, none yet")
    page.get_by_role("button", name="Välj hela gruppen Socialnämnderna").click()
    page.get_by_role("checkbox", name="Kriminalvården").check()
    expect(chosen.get_by_role("heading")).to_have_text("Valda: 5 remissinstanser")
    page.get_by_role("button", name="Spara remissinstanserna").click()
    expect(flash(page, "5 remissinstanser lades till.")).to_be_visible()
    expect(chosen.get_by_role("listitem")).to_have_count(5)
    assert_accessible(page, "recipients, five chosen")

    # Send it, confirming the question.
    page.get_by_role("link", name=f"Tillbaka till remissen {DNR}").click()
    expect(page.get_by_role("table", name="5 remissinstanser, 0 har svarat")).to_be_visible()
    assert_accessible(page, "round page, ready to send")
    page.get_by_role("button", name="Skicka remissen").click()
    expect(flash(page, "Remissen är skickad. Remissinstanserna är inbjudna.")).to_be_visible()
    assert asked[-1].startswith("Skicka remissen till 5 remissinstanser?")
    round_url = page.url.split("#")[0]
    assert_accessible(page, "round page, open")

    # The invitations it queued, and the preview of every message.
    page.get_by_role("link", name="E-post och påminnelser").click()
    expect(page.get_by_role("table", name=re.compile(r"Meddelanden för remissen \(5 st\)"))).to_be_visible()
    assert_accessible(page, "e-mail log, with the invitations")
    page.get_by_role("link", name="Förhandsgranska meddelandena").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Förhandsgranska e-post")
    assert_accessible(page, "e-mail preview")

    # A month passes. Kriminalvården asks for more time: an extension that ends too early is
    # refused first.
    let_days_pass(live_server.app, 30)
    page.goto(round_url)
    expect(page.locator(".facts")).to_contain_text(iso(sent_on))
    page.get_by_role("link", name="Anstånd för Kriminalvården").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anstånd för Kriminalvården")
    assert_accessible(page, "extension form, empty")
    page.get_by_role("button", name="Ge anstånd").click()
    expect(page.locator(".error-summary")).to_contain_text("Ange det nya datumet (ÅÅÅÅ-MM-DD).")
    expect(page.locator(".error-summary")).to_contain_text("Ange skälet till anståndet.")
    assert_accessible(page, "extension form, with errors")
    page.get_by_label("Ny sista svarsdag").fill(iso(deadline))
    page.get_by_label("Skäl").fill("Myndighetens beslut fattas i ledningsgruppen.")
    page.get_by_role("button", name="Ge anstånd").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Anståndet måste gå ut efter remissens sista svarsdag."
    )
    expect(page.get_by_label("Skäl")).to_have_value("Myndighetens beslut fattas i ledningsgruppen.")
    assert_accessible(page, "extension form, refused by the rule")
    page.get_by_label("Ny sista svarsdag").fill(iso(extended))
    page.get_by_role("button", name="Ge anstånd").click()
    expect(flash(page, f"Kriminalvården har anstånd till {long(extended)}.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Kriminalvården"))).to_contain_text(
        "Ej påbörjat – anstånd till"
    )

    # --- Socialnämnden Centrum: Sara starts the answer --------------------------------------------
    sara = new_page()
    sign_in(sara, Role.RESPONDENT)
    expect(sara.get_by_role("heading", level=1)).to_have_text("Våra remisser")
    expect(sara.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Ej påbörjat")
    assert_accessible(sara, "respondent's rounds, a new one")
    sara.get_by_role("link", name=TITLE).click()
    expect(sara.get_by_role("link", name="Handlingsplan ensamhet.pdf")).to_be_visible()
    assert_accessible(sara, "respondent's round page, not started")
    sara.get_by_role("link", name="Börja svara").click()
    expect(sara.get_by_role("heading", level=1)).to_contain_text("Svara på remissen")
    assert_accessible(sara, "answer form, empty")

    whole = sara.get_by_role("group", name="Ställningstagande till förslaget som helhet")
    whole.get_by_label("Tillstyrker delvis").check()
    sara.get_by_label("Övergripande synpunkter").fill(SARA_COMMENT)
    sara.get_by_role("group", name="Ställningstagande till insats 1:1").get_by_label("Tillstyrker").check()
    sara.get_by_label("Synpunkter på insats 1:1").fill(SARA_ON_1_1)
    sara.get_by_label("Paragraf (§)").fill("§ 88")
    # A program renamed .pdf as the decision file: refused, and nothing she typed is lost.
    sara.get_by_label("Beslut eller yttrande som fil").set_input_files(
        files=[{"name": "beslut.pdf", "mimeType": "application/pdf", "buffer": files.exe()}]
    )
    sara.get_by_role("button", name="Spara utkast").click()
    expect(sara.locator(".error-summary")).to_contain_text("är inte en fil av tillåten typ")
    expect(sara.get_by_label("Synpunkter på insats 1:1")).to_have_value(SARA_ON_1_1)
    assert_accessible(sara, "answer form, with errors")
    sara.get_by_role("button", name="Spara utkast").click()
    expect(flash(sara, "Utkastet är sparat.")).to_be_visible()
    assert_accessible(sara, "answer form, a saved draft")

    # --- Sam, her colleague, continues in his own browser and submits ------------------------------
    sam = new_page()
    email, name, password = COLLEAGUE
    sign_in(sam, email, password)
    sam.get_by_role("link", name=TITLE).click()
    expect(sam.get_by_text("Status: Utkast")).to_be_visible()
    assert_accessible(sam, "respondent's round page, a draft")
    sam.get_by_role("link", name="Fortsätt med utkastet").click()
    expect(sam.get_by_text("av Sara Centrum")).to_be_visible()
    expect(sam.get_by_label("Övergripande synpunkter")).to_have_value(SARA_COMMENT)
    expect(sam.get_by_label("Synpunkter på insats 1:1")).to_have_value(SARA_ON_1_1)
    assert_accessible(sam, "answer form, a colleague's draft")
    sam.get_by_role("group", name="Ställningstagande till insats 2:1").get_by_label("Avstyrker").check()
    sam.get_by_label("Synpunkter på insats 2:1").fill(SAM_ON_2_1)
    sam.get_by_label("Övriga synpunkter på förslaget").fill(SAM_OTHER)
    sam.get_by_label("Beslutat av").fill("Socialnämnden Centrum")
    sam.get_by_label("Beslutsdatum").fill(iso(today - dt.timedelta(days=1)))
    sam.get_by_role("button", name="Spara och förhandsgranska").click()
    expect(sam.get_by_role("heading", level=1)).to_contain_text("Förhandsgranska svaret")
    expect(sam.get_by_text("markeras som 10 dagar för sent")).to_be_visible()
    expect(sam.get_by_role("row", name=re.compile("Insats 2:1"))).to_contain_text("Avstyrker")
    assert_accessible(sam, "answer preview")
    sam_asked = confirm_dialogs(sam)
    sam.get_by_role("button", name="Skicka in svaret").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Kvitto på inskickat svar")
    assert sam_asked == ["Skicka in svaret till stadsledningskontoret? Det går inte att ändra efteråt."]
    receipt = sam.locator(".receipt")
    expect(receipt).to_contain_text("Sam Centrum")
    expect(receipt).to_contain_text("Inskickat för sent, 10 dagar")
    expect(receipt).to_contain_text(re.compile(r"R-\d{8}-[0-9A-F]{8}"))
    assert_accessible(sam, "receipt")

    # Sara sees that it is submitted and can no longer change it.
    sara.goto("/answers/")
    expect(sara.get_by_role("row", name=re.compile(TITLE))).to_contain_text("Inskickat för sent, 10 dagar")
    assert_accessible(sara, "respondent's rounds, submitted")
    sara.get_by_role("link", name=TITLE).click()
    expect(sara.get_by_role("link", name="Börja svara")).to_have_count(0)
    expect(sara.get_by_role("table", name="Inskickade versioner")).to_contain_text("Tillstyrker delvis")
    assert_accessible(sara, "respondent's round page, submitted")

    # --- Kriminalvården answers after its extension ran out ---------------------------------------
    kim = new_page()
    sign_in(kim, "kriminalvarden@example.kriminalvarden.se")
    expect(kim.get_by_role("row", name=re.compile(TITLE))).to_contain_text(
        f"Ej påbörjat – anstånd till {iso(extended)}"
    )
    kim.get_by_role("link", name=TITLE).click()
    expect(kim.get_by_text(f"remissens sista svarsdag är {iso(deadline)}")).to_be_visible()
    assert_accessible(kim, "respondent's round page, with an extension")
    kim.get_by_role("link", name="Börja svara").click()
    kim.get_by_role("group", name="Ställningstagande till förslaget som helhet").get_by_label(
        "Avstyrker"
    ).check()
    kim.get_by_label("Övergripande synpunkter").fill(KV_COMMENT)
    kim.get_by_role("button", name="Spara och förhandsgranska").click()
    expect(kim.get_by_text("markeras som 3 dagar för sent")).to_be_visible()
    assert_accessible(kim, "answer preview, late")
    confirm_dialogs(kim)
    kim.get_by_role("button", name="Skicka in svaret").click()
    expect(kim.locator(".receipt")).to_contain_text("Inskickat för sent, 3 dagar")
    assert_accessible(kim, "receipt, late with an extension")

    # --- The officer registers an answer that came by post ----------------------------------------
    page.goto(round_url)
    expect(page.get_by_role("table", name="5 remissinstanser, 2 har svarat")).to_be_visible()
    assert_accessible(page, "round page, two answers")
    page.get_by_role("link", name="Registrera svar från Socialnämnden Hisingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrera svar från Socialnämnden Hisingen")
    expect(page.get_by_label("Mottaget datum")).to_have_value(iso(today))
    assert_accessible(page, "register an answer, empty")
    page.get_by_role("button", name="Registrera svaret").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Ange ställningstagandet till förslaget som helhet."
    )
    expect(page.locator(".error-summary")).to_contain_text("Ange hur svaret kom in: E-post eller Post.")
    assert_accessible(page, "register an answer, with errors")
    page.get_by_label("Mottaget datum").fill(iso(received_by_post))
    page.get_by_role("group", name="Hur svaret kom in").get_by_label("Post", exact=True).check()
    page.get_by_role("group", name="Ställningstagande till förslaget som helhet").get_by_label(
        "Tillstyrker", exact=True
    ).check()
    page.get_by_label("Övergripande synpunkter").fill(POST_COMMENT)
    page.get_by_label("Beslutat av").fill("Socialnämnden Hisingen")
    page.get_by_label("Paragraf (§)").fill("§ 31")
    page.get_by_label("Beslut eller yttrande som fil").set_input_files(
        files=[
            {"name": "Protokollsutdrag SN Hisingen.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}
        ]
    )
    page.get_by_role("button", name="Registrera svaret").click()
    expect(
        flash(page, "Svaret från Socialnämnden Hisingen är registrerat som version 1 (post")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Protokollsutdrag SN Hisingen.pdf").first).to_be_visible()
    assert_accessible(page, "an answer's versions, registered by post")

    page.goto(round_url)
    recipients = page.get_by_role("table", name="5 remissinstanser, 3 har svarat")
    expect(recipients.get_by_role("row", name=re.compile("^Kriminalvården"))).to_contain_text(
        "Inskickat för sent, 3 dagar"
    )
    expect(recipients.get_by_role("row", name=re.compile("^Socialnämnden Hisingen"))).to_contain_text(
        iso(received_by_post)
    )
    assert_accessible(page, "round page, three answers")

    # --- The assessment --------------------------------------------------------------------------
    page.get_by_role("link", name="Sammanställning av remissvar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sammanställning av remissvar")
    expect(page.get_by_role("table", name=re.compile("Remissinstanser och deras svar"))).to_contain_text(
        SARA_COMMENT
    )
    assert_accessible(page, "summary, without assessment")
    page.get_by_role("link", name="Skriv stadsledningskontorets bedömning").click()
    assert_accessible(page, "assessment form")
    page.get_by_label("Stadsledningskontorets bedömning av förslaget som helhet").fill(ASSESSMENT)
    page.get_by_label("Bedömning av insats 1:1").fill(ASSESSMENT_1_1)
    page.get_by_role("button", name="Spara bedömningen").click()
    expect(flash(page, "Bedömningen är sparad.")).to_be_visible()
    expect(page.get_by_text(ASSESSMENT)).to_be_visible()
    assert_accessible(page, "summary, with assessment")

    # --- A manager downloads the Excel file ------------------------------------------------------
    manager = new_page()
    sign_in(manager, Role.MANAGER)
    assert_accessible(manager, "manager's start page, with the new round")
    manager.get_by_role("link", name=TITLE).first.click()
    expect(manager.get_by_role("button", name="Stäng remissen")).to_have_count(0)
    assert_accessible(manager, "round page, as a manager")
    manager.get_by_role("link", name="Sammanställning av remissvar").click()
    expect(manager.get_by_role("link", name="Skriv stadsledningskontorets bedömning")).to_have_count(0)
    assert_accessible(manager, "summary, as a manager")
    with manager.expect_download() as download_info:
        manager.get_by_role("link", name="Ladda ner som Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "sammanstallning.xlsx"
    download.save_as(path)

    workbook = load_workbook(path)
    summary = {
        row[0]: row[1] for row in workbook["Sammanfattning"].iter_rows(values_only=True) if row and row[0]
    }
    assert summary["Ärende"] == TITLE
    assert summary["Diarienummer"] == DNR
    assert summary["Inbjudna"] == 5
    assert summary["Svarat"] == 3
    assert summary["I tid"] == 1
    assert summary["För sent"] == 2
    assert summary["Inget svar"] == 2
    assert summary["Stadsledningskontorets bedömning"] == ASSESSMENT

    rows = list(workbook["Remissinstanser"].iter_rows(values_only=True))
    assert rows[0][:6] == ("Remissinstans", "Typ", "Status", "Inkom", "Dagar sent", "Ställningstagande")
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {
        "Socialnämnden Centrum",
        "Socialnämnden Hisingen",
        "Socialnämnden Nordost",
        "Socialnämnden Sydväst",
        "Kriminalvården",
    }
    centrum, hisingen, kv = (
        by_name["Socialnämnden Centrum"],
        by_name["Socialnämnden Hisingen"],
        by_name["Kriminalvården"],
    )
    assert centrum[2] == "Inskickat för sent, 10 dagar"
    assert centrum[3].date() == today
    assert centrum[4] == 10
    assert centrum[5] == "Tillstyrker delvis"
    assert centrum[6] == f"Socialnämnden Centrum {iso(today - dt.timedelta(days=1))} § 88"
    assert centrum[7] == SARA_COMMENT
    assert kv[2] == "Inskickat för sent, 3 dagar"
    assert kv[4] == 3
    assert kv[5] == "Avstyrker"
    assert kv[7] == KV_COMMENT
    assert hisingen[2] == "Inskickat"
    assert hisingen[3].date() == received_by_post
    assert hisingen[4] == 0
    assert hisingen[5] == "Tillstyrker"
    assert hisingen[6] == "Socialnämnden Hisingen § 31"
    assert hisingen[7] == POST_COMMENT
    assert by_name["Socialnämnden Nordost"][2] == "Ej påbörjat"
    assert by_name["Socialnämnden Nordost"][4] is None

    comments = [row for row in workbook["Synpunkter per insats"].iter_rows(values_only=True)][1:]
    by_item = {(row[1], row[3]): row for row in comments}
    assert by_item[("1:1", "Socialnämnden Centrum")][4:] == ("Tillstyrker", SARA_ON_1_1, ASSESSMENT_1_1)
    assert by_item[("2:1", "Socialnämnden Centrum")][4:6] == ("Avstyrker", SAM_ON_2_1)
    other = [row for row in workbook["Övriga synpunkter"].iter_rows(values_only=True)][1:]
    assert other == [("Socialnämnden Centrum", SAM_OTHER)]

    # What the database holds: one version each, the shared draft started by Sara and sent by Sam.
    with live_server.app.app_context():
        round_ = db.session.scalars(sa.select(Round).where(Round.dnr == DNR)).one()
        versions = {r.organisation.name: r.answer.versions for r in round_.recipients if r.answer}
        assert set(versions) == {"Socialnämnden Centrum", "Socialnämnden Hisingen", "Kriminalvården"}
        (centrum,) = versions["Socialnämnden Centrum"]
        assert (centrum.created_by.name, centrum.submitted_by.name) == ("Sara Centrum", "Sam Centrum")
        assert (centrum.channel, centrum.days_late, centrum.received_on) == (Channel.TRACKER, 10, today)
        (kv,) = versions["Kriminalvården"]
        assert (kv.channel, kv.days_late) == (Channel.TRACKER, 3)
        (hisingen,) = versions["Socialnämnden Hisingen"]
        assert (hisingen.channel, hisingen.days_late, hisingen.received_on) == (
            Channel.POST,
            0,
            received_by_post,
        )
        assert [d.original_name for d in hisingen.documents] == ["Protokollsutdrag SN Hisingen.pdf"]
