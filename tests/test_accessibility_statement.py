"""The accessibility statement (issue 19, item 6) read as Digg's template asks for it, its
status rule, and its form for reporting problems: Swedish errors, the report recorded for the
admin and e-mailed through a real local SMTP server to the contact address, the limit on
anonymous reports, and the admin's list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from remiss import create_app
from remiss.accessibility import statement as statement_module
from remiss.accessibility.models import AccessibilityReport
from remiss.accessibility.operations import TooManyReports, report_problem
from remiss.accessibility.statement import (
    DIGG_REPORT_URL,
    KNOWN_SHORTCOMINGS,
    ComplianceStatus,
    Shortcoming,
    compliance_status,
)
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications.models import Message, MessageKind
from tests.mail import smtp_fixture  # noqa: F401

CONTACT = "remisstjansten@example.goteborg.se"
LAW = "lagen om tillgänglighet till digital offentlig service"
DIGG_TEXT = (
    "Myndigheten för digital förvaltning har ansvaret för tillsyn för lagen om tillgänglighet till "
    "digital offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du "
    "kontakta Myndigheten för digital förvaltning och påpeka det."
)
STATUS_PHRASES = [status.label for status in ComplianceStatus]
CONFIRMATION = "Vi svarar inom 5 arbetsdagar om du har lämnat en e-postadress."


# Reading a page as its headings and the text under each ------------------------------------
@dataclass
class Section:
    level: int
    heading: str
    text: str = ""
    parent: str | None = None


class Page(HTMLParser):
    """The ``<main>`` of a page: its sections (each heading with the text up to the next heading
    of any level), the whole text, and the attributes of links, forms and fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.text = ""
        self.links: list[dict] = []
        self.forms: list[dict] = []
        self.fields: dict[str, dict] = {}
        self._in_main = False
        self._heading: int | None = None
        self._heading_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._in_main = True
        if not self._in_main:
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._heading_text = int(tag[1]), ""
        elif tag == "a":
            self.links.append(attrs)
        elif tag == "form":
            self.forms.append(attrs)
        elif tag in ("input", "textarea", "select") and attrs.get("name"):
            self.fields[attrs["name"]] = {"tag": tag, **attrs}

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        if self._in_main and self._heading is not None and tag == f"h{self._heading}":
            heading = " ".join(self._heading_text.split())
            parents = [s.heading for s in self.sections if s.level < self._heading]
            self.sections.append(Section(self._heading, heading, parent=parents[-1] if parents else None))
            self._heading = None

    def handle_data(self, data):
        if not self._in_main:
            return
        if self._heading is not None:
            self._heading_text += data
            return
        self.text += data
        if self.sections:
            self.sections[-1].text += data

    @classmethod
    def of(cls, html: str) -> Page:
        page = cls()
        page.feed(html)
        page.text = " ".join(page.text.split())
        for section in page.sections:
            section.text = " ".join(section.text.split())
        return page

    def headings(self, level: int) -> list[str]:
        return [s.heading for s in self.sections if s.level == level]

    def section(self, heading: str) -> Section:
        found = [s for s in self.sections if s.heading == heading]
        assert len(found) == 1, f"one section «{heading}» expected, found {len(found)}"
        return found[0]

    def under(self, heading: str) -> str:
        """The text of a section and of its subsections."""
        start = self.sections.index(self.section(heading))
        level = self.sections[start].level
        text = [self.sections[start].text]
        for section in self.sections[start + 1 :]:
            if section.level <= level:
                break
            text.append(section.heading + " " + section.text)
        return " ".join(text)


def statement_page(client) -> Page:
    response = client.get("/accessibility")
    assert response.status_code == 200
    return Page.of(response.text)


def count_of(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# The statement, part by part ---------------------------------------------------------------
# Digg's template for a website, in its order (MDFFS 2019:2, 6 §).
TEMPLATE_SECTIONS = [
    "Hur tillgänglig är webbplatsen?",
    "Vad kan du göra om du inte kan använda delar av webbplatsen?",
    "Rapportera brister i webbplatsens tillgänglighet",
    "Tillsyn",
    "Teknisk information om webbplatsens tillgänglighet",
    "Innehåll som inte är tillgängligt",
    "Hur vi testat webbplatsen",
]
NOT_ACCESSIBLE_SUBSECTIONS = [
    "Bristande förenlighet med lagkraven",
    "Oskäligt betungande anpassning",
    "Innehållet omfattas inte av lagstiftningen",
]


def test_the_statement_has_every_part_of_diggs_template(client):
    page = statement_page(client)

    # Who is responsible for which service, and that it should be accessible.
    assert page.headings(1) == ["Tillgänglighetsredogörelse för Remisstjänsten"]
    intro = page.sections[0].text
    assert "Göteborgs Stad, genom stadsledningskontoret, står bakom Remisstjänsten" in intro
    assert "Vi vill att så många som möjligt ska kunna använda webbplatsen" in intro
    assert "lagen (2018:1937) om tillgänglighet till digital offentlig service" in intro

    # The template's sections, in its order; the three parts of what is not accessible.
    assert page.headings(2) == TEMPLATE_SECTIONS
    subsections = [s.heading for s in page.sections if s.parent == "Innehåll som inte är tillgängligt"]
    assert subsections == NOT_ACCESSIBLE_SUBSECTIONS

    # Exactly one of Digg's three status words, the one the known shortcomings call for.
    assert [phrase for phrase in STATUS_PHRASES if phrase in page.text] == ["delvis förenlig"]
    for heading in ("Hur tillgänglig är webbplatsen?", "Teknisk information om webbplatsens tillgänglighet"):
        assert f"Remisstjänsten är delvis förenlig med {LAW}" in page.section(heading).text

    # What is known not to be accessible: short under "Hur tillgänglig …", each with its WCAG
    # criterion under "Bristande förenlighet med lagkraven".
    summary = page.section("Hur tillgänglig är webbplatsen?").text
    shortcomings = page.section("Bristande förenlighet med lagkraven").text
    assert KNOWN_SHORTCOMINGS
    for shortcoming in KNOWN_SHORTCOMINGS:
        assert shortcoming.summary in summary
        assert f"{shortcoming.criterion_name} (WCAG {shortcoming.criterion}): {shortcoming.description}" in (
            shortcomings
        )

    # Other ways to get the content, with the e-mail address and the response time.
    other_ways = page.section("Vad kan du göra om du inte kan använda delar av webbplatsen?").text
    assert f"med e-post till {CONTACT}" in other_ways
    assert "Vi svarar inom 5 arbetsdagar." in other_ways

    # The feedback function: the form on this page, the e-mail address, the response time.
    report = page.under("Rapportera brister i webbplatsens tillgänglighet")
    assert f"skicka e-post till {CONTACT}" in report
    assert CONFIRMATION in report
    assert {"href": f"mailto:{CONTACT}"} in page.links
    assert "Rapportera brist i tillgängligheten" in page.headings(3)
    [form] = page.forms
    assert form == {"method": "post", "action": "/accessibility", "novalidate": None}
    assert page.fields["problem"]["tag"] == "textarea"
    assert page.fields["name"]["autocomplete"] == "name"
    assert page.fields["email"]["autocomplete"] == "email"
    assert page.fields["email"]["type"] == "email"
    assert "Skicka rapporten" in report

    # Supervision: Digg's text and the link to its form.
    assert DIGG_TEXT in page.section("Tillsyn").text
    assert DIGG_REPORT_URL == "https://www.digg.se/tdosanmalan"
    assert any(link.get("href") == DIGG_REPORT_URL for link in page.links)

    # The technical standard.
    technical = page.section("Teknisk information om webbplatsens tillgänglighet").text
    assert "EN 301 549" in technical and "WCAG) 2.1 på nivå AA" in technical

    # The exemptions: none claimed as a disproportionate burden; the bodies' own files are
    # third-party content, and the statement says how they are handled.
    assert "Vi åberopar inte undantaget" in page.section("Oskäligt betungande anpassning").text
    exempt = page.section("Innehållet omfattas inte av lagstiftningen").text
    for words in ("PDF- eller Word-format", "innehåll från tredje part", "(9 §)", "allmänna handlingar"):
        assert words in exempt

    # How it was tested, and when; when the service was published and the statement updated.
    tested = page.section("Hur vi testat webbplatsen").text
    assert "Vi har gjort en självskattning (intern testning) av Remisstjänsten." in tested
    assert "Senaste bedömningen gjordes den 6 december 2026." in tested
    for method in ("verktyget axe", "320 pixlar", "200 och 400 procents förstoring", "enbart tangentbord"):
        assert method in tested
    assert "Webbplatsen publicerades den 22 november 2026." in tested
    assert "Redogörelsen uppdaterades senast den 6 december 2026." in tested


def test_the_statement_is_the_same_for_a_signed_in_person_and_linked_from_every_page(client, login_as):
    login_as(Role.RESPONDENT)
    page = statement_page(client)
    assert page.headings(2) == TEMPLATE_SECTIONS
    start = client.get("/", follow_redirects=True).text
    assert 'href="/accessibility"' in start
    assert '<a href="/accessibility#rapportera">Rapportera brist i tillgängligheten</a>' in start
    assert 'id="rapportera"' in client.get("/accessibility").text


def test_dates_contact_and_response_time_come_from_the_configuration(app, client):
    app.config.update(
        ACCESSIBILITY_ASSESSED_ON=date(2027, 3, 1),  # instance/config.py may give a date
        SERVICE_PUBLISHED_ON="2027-01-15",  # the environment gives text
        STATEMENT_UPDATED_ON="2027-03-02",
        ACCESSIBILITY_CONTACT_EMAIL="tillganglighet@goteborg.se",
        ACCESSIBILITY_CONTACT_PHONE="",
        ACCESSIBILITY_RESPONSE_WORKING_DAYS=3,
    )
    page = statement_page(client)
    tested = page.section("Hur vi testat webbplatsen").text
    assert "Senaste bedömningen gjordes den 1 mars 2027." in tested
    assert "Webbplatsen publicerades den 15 januari 2027." in tested
    assert "Redogörelsen uppdaterades senast den 2 mars 2027." in tested
    assert {"href": "mailto:tillganglighet@goteborg.se"} in page.links
    assert CONTACT not in page.text
    assert "Vi svarar inom 3 arbetsdagar om du har lämnat en e-postadress." in page.text
    assert "kontaktcenter" not in page.text  # no phone number set, none shown


def test_a_date_that_is_not_a_date_stops_the_app_at_start():
    with pytest.raises(RuntimeError, match="ACCESSIBILITY_ASSESSED_ON must be a date"):
        create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "ACCESSIBILITY_ASSESSED_ON": "6/12"}
        )


# The status rule ----------------------------------------------------------------------------
def test_the_status_follows_the_list_of_shortcomings():
    some = Shortcoming("1.4.10", "Omflöde", "Kort.", "Längre.")
    assert compliance_status(()) is ComplianceStatus.FULL
    assert compliance_status((some,)) is ComplianceStatus.PARTIAL
    assert compliance_status() is (ComplianceStatus.PARTIAL if KNOWN_SHORTCOMINGS else ComplianceStatus.FULL)
    assert [status.label for status in ComplianceStatus] == [
        "helt förenlig",
        "delvis förenlig",
        "inte förenlig",
    ]


def test_with_nothing_known_the_statement_says_helt_forenlig_by_itself(client, monkeypatch):
    monkeypatch.setattr(statement_module, "KNOWN_SHORTCOMINGS", ())
    page = statement_page(client)
    assert [phrase for phrase in STATUS_PHRASES if phrase in page.text] == ["helt förenlig"]
    assert (
        f"Remisstjänsten är helt förenlig med {LAW}."
        in page.section("Teknisk information om webbplatsens tillgänglighet").text
    )
    assert (
        "Vi känner inte till någon brist mot lagkraven."
        in page.section("Bristande förenlighet med lagkraven").text
    )
    assert "inte är helt tillgängliga" not in page.text
    # The parts of the template are all still there.
    assert page.headings(2) == TEMPLATE_SECTIONS


def test_one_shortcoming_left_makes_it_delvis_forenlig(client, monkeypatch):
    left = Shortcoming("1.3.1", "Information och relationer", "Kort om det.", "Hela beskrivningen av det.")
    monkeypatch.setattr(statement_module, "KNOWN_SHORTCOMINGS", (left,))
    page = statement_page(client)
    assert [phrase for phrase in STATUS_PHRASES if phrase in page.text] == ["delvis förenlig"]
    assert "Kort om det." in page.section("Hur tillgänglig är webbplatsen?").text
    assert "Information och relationer (WCAG 1.3.1): Hela beskrivningen av det." in page.text


# The form: bad input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"problem": ""}, "problem", "Beskriv problemet du har stött på."),
        ({"problem": "   \n  "}, "problem", "Beskriv problemet du har stött på."),
        ({"problem": "x" * 5001}, "problem", "Beskrivningen får vara högst 5000 tecken."),
        (
            {"problem": "Knappen", "page": "p" * 501},
            "page",
            "Sidan eller innehållet får vara högst 500 tecken.",
        ),
        ({"problem": "Knappen", "name": "n" * 201}, "name", "Namnet får vara högst 200 tecken."),
        (
            {"problem": "Knappen", "email": "inte en adress"},
            "email",
            "Ange en giltig e-postadress, till exempel namn@example.se, eller lämna fältet tomt.",
        ),
        (
            {"problem": "Knappen", "email": "a@" + "b" * 260 + ".se"},
            "email",
            "E-postadressen får vara högst 254 tecken.",
        ),
    ],
    ids=["empty", "blank", "long-problem", "long-page", "long-name", "bad-email", "long-email"],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_recorded(app, client, data, field, message):
    response = client.post("/accessibility", data=data)
    assert response.status_code == 200
    html = response.text
    assert "<title>Fel: Tillgänglighetsredogörelse" in html
    # The summary comes first on the page (app.js moves focus to it) and leads to the field,
    # which says the same and keeps what was typed.
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)[0]
    assert html.index("error-summary") < html.index("<h1>")
    assert f'<a href="#{field}">{message}</a>' in summary
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    if data.get("email"):
        assert f'value="{data["email"]}"' in html
    with app.app_context():
        assert count_of(AccessibilityReport) == 0 and count_of(Message) == 0


# The form: a report recorded, e-mailed, confirmed --------------------------------------------
def test_a_report_is_recorded_mailed_to_the_contact_address_and_confirmed(app, client, smtp):
    response = client.post(
        "/accessibility",
        data={
            "problem": "Knappen Skicka in syns inte\nnär jag förstorar till 400 %. <script>x</script>",
            "page": "Svara på remissen",
            "name": "Eva Exempel",
            "email": "eva@example.se",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accessibility"

    # The confirmation after the redirect, with the response time, at the top of the page.
    page = client.get("/accessibility").text
    flash = re.search(r'<div class="flash flash--success" role="status"[^>]*>([^<]*)</div>', page)
    assert flash and CONFIRMATION in flash[1] and flash[1].startswith("Tack!")
    assert page.index("flash--success") < page.index("<h1>")

    with app.app_context():
        report = db.session.scalars(sa.select(AccessibilityReport)).one()
        number = report.id
        assert report.problem.startswith("Knappen Skicka in syns inte\nnär jag")
        assert (report.page, report.name, report.email) == (
            "Svara på remissen",
            "Eva Exempel",
            "eva@example.se",
        )
        assert report.user is None and not report.is_handled and report.wants_reply
        message = db.session.scalars(sa.select(Message)).one()
        assert message.kind is MessageKind.ACCESSIBILITY_REPORT
        assert message.to_address == CONTACT
        assert message.dedup_key == f"accessibility-report:{report.id}"
        assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html

        run_due_jobs(utcnow())

    [mail] = smtp.received
    text = mail.text.replace("\r\n", "\n")
    assert mail.rcpt_tos == [CONTACT]  # never to the address the visitor typed
    assert mail.subject == f"Rapporterad tillgänglighetsbrist i Remisstjänsten (rapport {number})"
    assert "Knappen Skicka in syns inte\nnär jag förstorar till 400 %." in text
    assert "Sida eller innehåll: Svara på remissen" in text
    assert "E-postadress: eva@example.se" in text
    assert "Inte inloggad." in text
    assert "lovar svar inom 5 arbetsdagar" in text
    assert "http://localhost/admin/accessibility-reports" in text
    assert '<a href="mailto:eva@example.se">eva@example.se</a>' in mail.html


def test_a_signed_in_persons_report_names_the_account(app, client, login_as, smtp):
    user = login_as(Role.RESPONDENT)
    response = client.post("/accessibility", data={"problem": "Tabellen går inte att rulla."})
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalars(sa.select(AccessibilityReport)).one()
        assert report.user_id == user.id and not report.wants_reply
        run_due_jobs(utcnow())
    [mail] = smtp.to(CONTACT)
    assert f"Inloggad som: {user.name} ({user.email}, Remissinstans)" in mail.text
    assert "E-postadress: ingen – personen vill inte ha svar" in mail.text
    assert "lovar svar" not in mail.text


# The limit on anonymous reports -----------------------------------------------------------
def test_anonymous_reports_are_limited_per_address_and_a_refusal_changes_nothing(app, client, login_as):
    app.config["ACCESSIBILITY_REPORTS_PER_ADDRESS"] = 2
    for n in range(2):
        assert client.post("/accessibility", data={"problem": f"Rapport {n}"}).status_code == 302
    response = client.post("/accessibility", data={"problem": "En rapport för mycket"})
    assert response.status_code == 429
    assert "Rapporten kunde inte skickas" in response.text
    assert "Vänta en stund och försök igen, eller skicka e-post till " + CONTACT in response.text
    assert "<title>Fel: Tillgänglighetsredogörelse" in response.text
    assert "En rapport för mycket" in response.text  # the text is kept for another try
    with app.app_context():
        assert count_of(AccessibilityReport) == 2 and count_of(Message) == 2

    # Another address is not held back, nor is a signed-in person (known by the account).
    other = app.test_client()
    other_response = other.post(
        "/accessibility", data={"problem": "Från en annan dator"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other_response.status_code == 302
    login_as(Role.OFFICER)
    assert client.post("/accessibility", data={"problem": "Inloggad"}).status_code == 302
    with app.app_context():
        assert count_of(AccessibilityReport) == 4


def test_the_limit_lasts_one_window(app, ctx):
    app.config.update(ACCESSIBILITY_REPORTS_PER_ADDRESS=1, ACCESSIBILITY_REPORT_WINDOW_SECONDS=3600)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    report_problem(problem="Första", address="192.0.2.1", now=now)
    with pytest.raises(TooManyReports):
        report_problem(problem="Andra", address="192.0.2.1", now=now + timedelta(minutes=59))
    report_problem(problem="Tredje", address="192.0.2.1", now=now + timedelta(hours=1))
    assert count_of(AccessibilityReport) == 2


# The admin's list -------------------------------------------------------------------------
def _reports(app, count: int) -> list[int]:
    start = utcnow() - timedelta(days=count)
    with app.app_context():
        ids = [
            report_problem(
                problem=f"Problem {n}", address=f"198.51.100.{n}", now=start + timedelta(days=n)
            ).id
            for n in range(count)
        ]
        db.session.commit()
    return ids


def test_the_admin_lists_the_reports_newest_first_in_pages_and_marks_them_handled(app, client, login_as):
    app.config["PAGE_SIZE"] = 2
    ids = _reports(app, 3)
    admin = login_as(Role.ADMIN)

    home = client.get("/admin/users/").text
    assert '<a href="/admin/accessibility-reports">Tillgänglighetsrapporter</a>' in home

    first = client.get("/admin/accessibility-reports").text
    assert "3 av 3 rapporter är inte hanterade." in first
    assert first.index("Problem 2") < first.index("Problem 1") and "Problem 0" not in first
    assert "Sida 1 av 2" in first
    second = client.get("/admin/accessibility-reports?page=2").text
    assert "Problem 0" in second and "Problem 1" not in second

    button = f'Markera som hanterad<span class="visually-hidden"> rapport {ids[0]}</span>'
    assert button in second
    response = client.post(f"/admin/accessibility-reports/{ids[0]}/handled?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/accessibility-reports?page=2"
    page = client.get(response.headers["Location"]).text
    assert f"Rapport {ids[0]} är markerad som hanterad." in page
    assert f"av {admin.name}" in page and button not in page
    assert "2 av 3 rapporter är inte hanterade." in page

    again = client.post(f"/admin/accessibility-reports/{ids[0]}/handled", follow_redirects=True)
    assert f"Rapport {ids[0]} är redan markerad som hanterad." in again.text
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like("accessibility.%"))
        ).all()
        assert [event.sentence for event in events] == [
            f"markerade rapport {ids[0]} om bristande tillgänglighet som hanterad"
        ]
        handled = db.session.get(AccessibilityReport, ids[0])
        assert handled.is_handled and handled.handled_by_id == admin.id
        assert db.session.scalars(
            sa.select(AccessibilityReport.id).where(AccessibilityReport.is_handled)
        ).all() == [ids[0]]
    assert client.post("/admin/accessibility-reports/999999/handled").status_code == 404


def test_an_empty_list_says_so(client, login_as):
    login_as(Role.ADMIN)
    assert "Inga rapporter ännu." in client.get("/admin/accessibility-reports").text


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.RESPONDENT])
def test_only_the_admin_sees_the_reports(app, client, login_as, role):
    _reports(app, 1)
    login_as(role)
    response = client.get("/admin/accessibility-reports")
    assert response.status_code == 403 and "Problem 0" not in response.text
    assert "Tillgänglighetsrapporter" not in client.get("/accessibility").text


def test_an_anonymous_visitor_is_sent_to_sign_in_for_the_reports(app, client):
    _reports(app, 1)
    response = client.get("/admin/accessibility-reports")
    assert response.status_code == 302 and "/auth/login?next=" in response.headers["Location"]
