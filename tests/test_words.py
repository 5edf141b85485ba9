"""The language pass of issue 16 §6 and issue 19 §4 as a reader meets it: the decision named for
what the body is, dates that keep to one format per context and never break in a table or a
facts list, one full stop, a favicon, and a receipt that prints."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.core.time import format_date
from remiss.demo import ACCOUNTS, load_demo
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds.models import Recipient, Round
from tests.factories import make_organisation

OPEN_DNR = "1370/21"  # riktlinje-avhoppare: open, Kriminalvården and Polisen have answered
CLOSED_DNR = "1668/20"  # handlingsplan-nyrekrytering: closed, 15 of 16 answered
DNRS = (OPEN_DNR, CLOSED_DNR)
STATIC = Path(__file__).resolve().parent.parent / "static"
KIM = "kriminalvarden@example.kriminalvarden.se"  # the demo respondent of Kriminalvården
SARA = "centrum@example.goteborg.se"  # the demo respondent of Socialnämnden Centrum


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo()
        db.session.commit()
        ids = {
            dnr: db.session.scalar(sa.select(Round.id).where(Round.dnr == dnr))
            for dnr in (OPEN_DNR, CLOSED_DNR)
        }
    assert all(ids.values()), ids
    return ids


def sign_in(app, who: str):
    """A new test client signed in as the demo account with that e-mail or role."""
    account = next(a for a in ACCOUNTS if who in (a.email, a.role))
    client = app.test_client()
    response = client.post("/auth/login", data={"email": account.email, "password": account.password})
    assert response.status_code == 302, response.text
    return client


def recipient_id(app, round_id: int, organisation: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(Recipient.id)
            .join(Organisation)
            .where(Recipient.round_id == round_id, Organisation.name == organisation)
        )


# The decision: a committee's, or any other body's ------------------------------------------------
def test_the_decision_is_named_for_what_the_body_is(factories):
    committee = make_organisation("Socialnämnden Centrum")
    police = make_organisation("Polisen", kind=OrganisationKind.AUTHORITY)
    company = make_organisation("Framtiden AB", kind=OrganisationKind.COMPANY)
    assert committee.decision_label == "Nämndens beslut"
    assert police.decision_label == "Beslut eller yttrande"
    assert company.decision_label == "Beslut eller yttrande"


def test_the_prison_service_is_not_asked_for_a_committee_decision(app, demo):
    """Kriminalvården's receipt and its answer as the office reads it say "Beslut eller
    yttrande"; Socialnämnden Centrum's answer says "Nämndens beslut"."""
    round_id = demo[OPEN_DNR]
    receipt = sign_in(app, KIM).get(f"/answers/rounds/{round_id}/receipt")
    assert receipt.status_code == 200
    assert "<dt>Beslut eller yttrande</dt><dd>Kriminalvården region Väst, yttrande</dd>" in receipt.text
    assert "Nämndens beslut" not in receipt.text

    officer = sign_in(app, Role.OFFICER)
    prison = recipient_id(app, round_id, "Kriminalvården")
    page = officer.get(f"/rounds/{round_id}/recipients/{prison}/versions").text
    assert "<h3>Beslut eller yttrande</h3>" in page and "Nämndens beslut" not in page
    centrum = recipient_id(app, demo[CLOSED_DNR], "Socialnämnden Centrum")
    page = officer.get(f"/rounds/{demo[CLOSED_DNR]}/recipients/{centrum}/versions").text
    assert "<h3>Nämndens beslut</h3>" in page and "Beslut eller yttrande</h3>" not in page


def test_the_answer_form_asks_each_body_for_its_own_kind_of_decision(app, demo):
    """Centrum (a committee, not yet answered) is asked for "Nämndens beslut", on its own form and
    on the officer's form for a paper answer; Kriminalvården, its answer opened for correction,
    for "Beslut eller yttrande"."""
    round_id = demo[OPEN_DNR]
    officer = sign_in(app, Role.OFFICER)
    centrum = recipient_id(app, round_id, "Socialnämnden Centrum")
    assert "<h2>Nämndens beslut</h2>" in officer.get(f"/rounds/{round_id}/recipients/{centrum}/register").text
    page = sign_in(app, SARA).get(f"/answers/rounds/{round_id}/edit").text
    assert "<h2>Nämndens beslut</h2>" in page

    prison = recipient_id(app, round_id, "Kriminalvården")
    officer.post(f"/rounds/{round_id}/recipients/{prison}/reopen", data={"reason": "Ny bilaga."})
    page = sign_in(app, KIM).get(f"/answers/rounds/{round_id}/edit").text
    assert "<h2>Beslut eller yttrande</h2>" in page and "Nämndens beslut" not in page


# One full stop -----------------------------------------------------------------------------------
def test_a_reason_ending_in_a_full_stop_is_not_followed_by_another(app, demo):
    """The notice that an answer is open for correction quotes the officer's reason inside its
    own sentence: "(mejl 2026-12-06)." stays one full stop."""
    round_id = demo[OPEN_DNR]
    prison = recipient_id(app, round_id, "Kriminalvården")
    officer = sign_in(app, Role.OFFICER)
    response = officer.post(
        f"/rounds/{round_id}/recipients/{prison}/reopen",
        data={"reason": "Fel bilaga enligt Kim (mejl 2026-12-06)."},
    )
    assert response.status_code == 302
    page = sign_in(app, KIM).get(f"/answers/rounds/{round_id}").text
    assert "Fel bilaga enligt Kim (mejl 2026-12-06)</span>. Nästa inskickade svar" in page
    assert not re.search(r"(?<!\.)\.(?:</span>)?\.(?!\.)", page.replace("...", "")), "two full stops"


# Dates -------------------------------------------------------------------------------------------
ISO = r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?"
LONG = (
    r"\d{1,2} (?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4}"
)
DATE_ONLY = re.compile(rf"^(?:{ISO}|{LONG})$")
LONG_ONLY = re.compile(rf"^{LONG}$")
CELLS = {"td", "th", "dd"}
VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}


class DateCells(HTMLParser):
    """Every date that is a value of its own in a table cell or a facts list (a text node that is
    nothing but the date): whether it sits in an element with class ``nowrap``, and its form."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[tuple[str, bool]] = []  # (date, nowrap)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, "nowrap" in classes))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if not DATE_ONLY.match(text):
            return
        tags = [t for t, _ in self.stack]
        if not CELLS & set(tags):
            return
        cell = max(i for i, t in enumerate(tags) if t in CELLS)
        self.found.append((text, any(nowrap for _, nowrap in self.stack[cell:])))


def date_cells(html: str) -> list[tuple[str, bool]]:
    parser = DateCells()
    parser.feed(html)
    return parser.found


def test_the_date_check_sees_what_it_should():
    found = date_cells(
        '<table><tr><td class="nowrap">2027-01-05</td><td>2027-01-06 14:30</td>'
        "<td>Utkast – anstånd till 2027-01-07</td></tr></table>"
        '<dl><dd><span class="nowrap">2027-01-08</span> (anstånd)</dd><dd>5 januari 2027</dd></dl>'
        "<p>Sista svarsdag är 2027-01-09.</p>"
    )
    assert found == [
        ("2027-01-05", True),
        ("2027-01-06 14:30", False),
        ("2027-01-08", True),
        ("5 januari 2027", False),
    ]


def test_dates_in_tables_and_facts_lists_are_iso_and_never_break(app, demo):
    """Every page with a table or facts list of dates, for each role: each date is ISO
    (``2027-01-05``) and carries ``nowrap``; long dates ("5 januari 2027") belong in sentences."""
    open_id, closed_id = demo[OPEN_DNR], demo[CLOSED_DNR]
    prison = recipient_id(app, open_id, "Kriminalvården")
    pages = {
        Role.OFFICER: [
            "/rounds/start",
            "/rounds/",
            f"/rounds/{open_id}",
            f"/rounds/{closed_id}",
            f"/rounds/{closed_id}/summary",
            f"/rounds/{open_id}/messages",
            f"/rounds/{open_id}/recipients/{prison}/versions",
        ],
        Role.MANAGER: ["/rounds/", f"/rounds/{closed_id}/summary"],
        KIM: [
            "/answers/",
            f"/answers/rounds/{open_id}",
            f"/answers/rounds/{open_id}/receipt",
        ],
    }
    seen = 0
    problems = []
    for who, urls in pages.items():
        client = sign_in(app, who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            for text, nowrap in date_cells(response.text):
                seen += 1
                if not nowrap:
                    problems.append(f"{url}: {text!r} can break (no class nowrap)")
                if LONG_ONLY.match(text):
                    problems.append(f"{url}: {text!r} in a table or facts list (use ISO)")
    assert seen > 40, seen  # the check looked at real dates
    assert not problems, "\n".join(problems)


def test_sentences_say_dates_in_words(app, demo):
    """A flash message is a sentence: the extension granted says "10 februari 2031", not ISO."""
    open_id = demo[OPEN_DNR]
    centrum = recipient_id(app, open_id, "Socialnämnden Centrum")
    officer = sign_in(app, Role.OFFICER)
    with app.app_context():
        until = db.session.get(Round, open_id).deadline.replace(day=1)
    until = date(until.year + (until.month // 12), until.month % 12 + 1, 10)
    response = officer.post(
        f"/rounds/{open_id}/recipients/{centrum}/extension",
        data={"extended_deadline": until.isoformat(), "reason": "Nämnden sammanträder senare."},
        follow_redirects=True,
    )
    assert f"Socialnämnden Centrum har anstånd till {format_date(until, 'long')}." in response.text


def test_reminder_days_are_said_as_a_sentence(app, demo):
    officer = sign_in(app, Role.OFFICER)
    page = officer.get(f"/rounds/{demo[OPEN_DNR]}/messages").text
    assert re.search(r"Påminnelser skickas (\d+ och \d+ dagar|\d+ dagar|1 dag) före", page), page


# The favicon -------------------------------------------------------------------------------------
def test_the_favicon_is_there(client):
    with client.get("/favicon.ico") as icon:
        if icon.status_code in (301, 302, 303, 307, 308):
            icon = client.get(icon.headers["Location"])
        assert icon.status_code == 200
        assert icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
        icon.close()
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    for url in ("/auth/login", "/register/"):
        page = client.get(url).text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page, url
        assert '<link rel="icon" href="/static/favicon.ico"' in page, url


# The printable receipt ---------------------------------------------------------------------------
def test_the_receipt_page_prints(app, demo):
    """The print stylesheet is linked for print only; the "Skriv ut" button is hidden until the
    script shows it (it needs JavaScript to open the print dialogue)."""
    page = sign_in(app, KIM).get(f"/answers/rounds/{demo[OPEN_DNR]}/receipt")
    assert page.status_code == 200
    html = page.text
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    assert re.search(r'<p class="print-action" data-print hidden><button type="button"[^>]*>Skriv ut', html)
    assert '<script src="/static/js/print.js" defer></script>' in html
    assert "<dt>Kvittonummer</dt>" in html and "<dt>Sista svarsdag</dt>" in html
    css = (STATIC / "css" / "print.css").read_text(encoding="utf-8")
    for hidden in (".site-nav", ".skip-link", ".site-footer", "button", ".button", ".print-action"):
        assert hidden in css.split("display: none")[0], hidden
    script = (STATIC / "js" / "print.js").read_text(encoding="utf-8")
    assert "window.print()" in script and "hidden = false" in script


# docs/domain.md --------------------------------------------------------------------------------
def test_the_domain_notes_point_to_files_that_exist():
    """Every repository path the domain notes name (``remiss/demo/rounds/`` …) is in the tree."""
    root = STATIC.parent
    text = (root / "docs" / "domain.md").read_text(encoding="utf-8")
    paths = [p for p in re.findall(r"`([\w.-]+/[\w./-]*)`", text) if not re.fullmatch(r"\d+/\d+", p)]
    assert "remiss/demo/rounds/" in paths and "remiss/demo/organisations.csv" in paths
    assert "tests/test_glossary.py" in paths
    missing = [p for p in paths if not (root / p).exists()]
    assert not missing, missing
    for name in re.findall(r"`([\w-]+\.json)`", text):
        assert (root / "remiss" / "demo" / "rounds" / name).exists(), name
