"""The manager's overview (issue 16 §4): each section's content against the world of
``tests/overview_data.py``, the model's checks in Python and SQL, the filters and bad filter
input, who may see it, the page per body, and the Excel file read back cell by cell."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from remiss.auth.models import Role
from remiss.core.time import local_today
from remiss.extensions import db
from remiss.rounds.models import Recipient
from tests import overview_data as world
from tests.overview_data import CENTRUM, COMPANY, KRIM, KULTUR, NORDOST, POLISEN


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def ids(app, today):
    with app.app_context():
        return world.build(today)


def iso(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, anchor: str) -> str:
    """The HTML of one section of the overview: from its heading to the next."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start)
    return page[start : end if end != -1 else len(page)]


def rows(fragment: str) -> list[str]:
    """The text of each body row of the tables in ``fragment``."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", fragment, re.S)
    return [text_of(row) for body in bodies for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def caption(fragment: str) -> str:
    return text_of(re.search(r"<caption>(.*?)</caption>", fragment, re.S).group(1))


def overview(client, query: str = "") -> str:
    response = client.get(f"/overview/{query}")
    assert response.status_code == 200, response.status_code
    return response.text


# Each section's content -------------------------------------------------------------------------


def test_open_rounds_with_their_progress(client, login_as, ids, today):
    login_as(Role.MANAGER)
    part = section(overview(client), "oppna")
    assert caption(part).startswith("5 öppna remisser")
    assert rows(part) == [
        f"1668/20 Handlingsplan mot nyrekrytering {iso(today, -60)} {iso(today, -20)} "
        "3 av 4 remissinstanser 1 Olle Officer",
        f"1370/21 Riktlinje för avhoppare {iso(today, -30)} {iso(today, -1)} "
        "1 av 4 remissinstanser 2 Olle Officer",
        f"1111/26 Svar i dag {iso(today, -40)} {iso(today, 0)} 0 av 1 remissinstans 0 Olle Officer",
        f"2222/26 Kulturplan {iso(today, -10)} {iso(today, 7)} 1 av 3 remissinstanser 0 Olle Officer",
        f"3333/26 Program för idrott {iso(today, -5)} {iso(today, 8)} 0 av 2 remissinstanser 0 Olle Officer",
    ]
    # Dates are ISO and never break.
    assert f'<td class="nowrap">{iso(today, -20)}</td>' in part
    assert f'href="/rounds/{ids["R1"]}"' in part


def test_bodies_late_across_all_open_rounds(client, login_as, ids, today):
    login_as(Role.MANAGER)
    part = section(overview(client), "sena")
    assert caption(part).startswith("3 remissinstanser har inte svarat i tid")
    assert rows(part) == [
        f"{KRIM} 1668/20 Handlingsplan mot nyrekrytering {iso(today, -2)} (anstånd) 2 dagar Ej påbörjat",
        f"{COMPANY} 1370/21 Riktlinje för avhoppare {iso(today, -1)} 1 dag Ej påbörjat",
        f"{KRIM} 1370/21 Riktlinje för avhoppare {iso(today, -1)} 1 dag Ej påbörjat",
    ]
    # Not late: an answer received late (Polisen), an extension still running (Kulturnämnden),
    # the closed round's missing answer, a draft round's recipients.
    assert POLISEN not in part and KULTUR not in part and "Gammal remiss" not in part
    assert f'class="nowrap">{iso(today, -2)} (anstånd)</td>' in part


def test_answers_due_in_the_coming_week(client, login_as, ids, today):
    login_as(Role.MANAGER)
    part = section(overview(client), "veckan")
    assert caption(part) == f"4 remissinstanser ska svara senast {text_of(_long(today + timedelta(days=7)))}"
    assert rows(part) == [
        f"{NORDOST} 1111/26 Svar i dag {iso(today, 0)} i dag Ej påbörjat",
        f"{KULTUR} 1370/21 Riktlinje för avhoppare {iso(today, 3)} (anstånd) 3 dagar Utkast",
        f"{KULTUR} 2222/26 Kulturplan {iso(today, 7)} 7 dagar Ej påbörjat",
        f"{POLISEN} 2222/26 Kulturplan {iso(today, 7)} 7 dagar Ej påbörjat",
    ]
    # Eight days ahead is not this week; an answer already received is not due.
    assert "Program för idrott" not in part
    assert not any(row.startswith(NORDOST + " 2222/26") for row in rows(part))


def _long(day: date) -> str:
    from remiss.core.time import format_date

    return format_date(day, "long")


def test_each_body_history_of_answering(client, login_as, ids):
    login_as(Role.MANAGER)
    part = section(overview(client), "instanser")
    assert caption(part).startswith("6 remissinstanser, flest sena svar först")
    # Remisser, i tid, sent, inte svarat, väntar, dagar sent snitt, max
    assert rows(part) == [
        f"{POLISEN} 3 0 2 0 1 6,5 10",
        f"{NORDOST} 3 1 1 0 1 5 5",
        f"{KRIM} 2 0 0 2 0 – –",
        f"{COMPANY} 2 0 0 1 1 – –",
        f"{KULTUR} 3 0 0 1 2 – –",
        f"{CENTRUM} 3 2 0 0 1 – –",
    ]
    assert f'href="/overview/bodies/{ids[POLISEN]}"' in part


def test_the_page_per_body_lists_its_rounds(client, login_as, ids, today):
    login_as(Role.OFFICER)
    response = client.get(f"/overview/bodies/{ids[POLISEN]}")
    assert response.status_code == 200
    page = response.text
    facts = text_of(re.search(r'<dl class="facts">(.*?)</dl>', page[page.index("<h2") :], re.S).group(1))
    assert facts == (
        "Remisser 3 Svar i tid 0 Svar sent 2 Inte svarat, fast sista svarsdagen har passerat 0 "
        "Väntar, sista svarsdagen har inte passerat 1 Dagar sent, snitt 6,5 Dagar sent, max 10"
    )
    assert caption(page) == "3 remisser, senast skickad först"
    assert rows(page) == [
        f"2222/26 Kulturplan {iso(today, -10)} {iso(today, 7)} Väntar på svar",
        f"1668/20 Handlingsplan mot nyrekrytering {iso(today, -60)} {iso(today, -10)} (anstånd) "
        f"{iso(today, -7)} Sent, 3 dagar",
        f"0101/25 Gammal remiss {iso(today, -400)} {iso(today, -370)} {iso(today, -360)} Sent, 10 dagar",
    ]
    centrum = text_of(client.get(f"/overview/bodies/{ids[CENTRUM]}").text)
    # Corrected after the deadline, the answer still came in on time; the draft round is not counted.
    assert (
        f"Handlingsplan mot nyrekrytering {iso(today, -60)} {iso(today, -20)} {iso(today, -25)} I tid"
        in centrum
    )
    assert "Utkast till plan" not in centrum
    krim = rows(client.get(f"/overview/bodies/{ids[KRIM]}").text)
    assert krim[0].endswith("Inte svarat, 1 dag efter sista svarsdagen")
    assert krim[1].endswith("Inte svarat, 2 dagar efter sista svarsdagen")
    assert client.get("/overview/bodies/999999").status_code == 404


def test_plurals_are_right(client, login_as, ids):
    login_as(Role.MANAGER)
    body = text_of(overview(client, f"?q={KRIM}"))
    assert "1 öppen remiss" not in body and "2 öppna remisser" in body
    assert "1 remissinstans, flest sena svar först" in body
    assert "2 remissinstanser har inte svarat i tid" in body
    assert "1 remissinstanser" not in body and "1 dagar" not in body


# The model's checks: the same answer in Python and in SQL ---------------------------------------


def test_the_recipient_checks_agree_in_python_and_sql(app, ids, today):
    with app.app_context():
        recipients = db.session.scalars(sa.select(Recipient)).all()
        assert len(recipients) == 18

        def in_sql(condition):
            return set(db.session.scalars(sa.select(Recipient.id).where(condition)))

        checks = {
            "is_invited": (Recipient.is_invited, lambda r: r.is_invited),
            "answered_on_time": (Recipient.answered_on_time, lambda r: r.answered_on_time),
            "answered_late": (Recipient.answered_late, lambda r: r.answered_late),
            "due within 7": (Recipient.is_due_within(today, 7), lambda r: r.is_due_within(today, 7)),
            "due within 0": (Recipient.is_due_within(today, 0), lambda r: r.is_due_within(today, 0)),
            "overdue": (Recipient.is_overdue(today), lambda r: r.is_overdue(today)),
        }
        for name, (condition, check) in checks.items():
            assert in_sql(condition) == {r.id for r in recipients if check(r)}, name
        assert len(in_sql(Recipient.answered_late)) == 3
        assert len(in_sql(Recipient.is_due_within(today, 7))) == 4
        days = dict(db.session.execute(sa.select(Recipient.id, Recipient.days_answered_late)).all())
        received = dict(db.session.execute(sa.select(Recipient.id, Recipient.first_received_on)).all())
        for recipient in recipients:
            assert days[recipient.id] == recipient.days_answered_late, recipient
            assert received[recipient.id] == recipient.first_received_on, recipient
        assert sorted(d for d in days.values() if d) == [3, 5, 10]


# Filters ----------------------------------------------------------------------------------------


def test_filter_by_the_dates_rounds_were_sent(client, login_as, ids, today):
    login_as(Role.MANAGER)
    page = overview(client, f"?sent_from={iso(today, -35)}&sent_to={iso(today, -3)}")
    assert [row.split()[0] for row in rows(section(page, "oppna"))] == ["1370/21", "2222/26", "3333/26"]
    assert [row.split(" 1370/21")[0] for row in rows(section(page, "sena"))] == [COMPANY, KRIM]
    bodies = {row.rsplit(" ", 7)[0]: row.rsplit(" ", 7)[1:] for row in rows(section(page, "instanser"))}
    # Polisen's late answers were to rounds sent before the period.
    assert bodies[POLISEN] == ["1", "0", "0", "0", "1", "–", "–"]
    assert bodies[CENTRUM] == ["2", "1", "0", "0", "1", "–", "–"]
    # The chosen dates stay in the form, in the Excel link and in the links to each body.
    assert f'value="{iso(today, -35)}"' in page
    assert f"/overview/export?sent_from={iso(today, -35)}&amp;sent_to={iso(today, -3)}" in page
    assert f"/overview/bodies/{ids[POLISEN]}?sent_from={iso(today, -35)}" in page
    body = client.get(f"/overview/bodies/{ids[POLISEN]}?sent_from={iso(today, -35)}&sent_to={iso(today, -3)}")
    assert [row.split()[0] for row in rows(body.text)] == ["2222/26"]


def test_filter_by_group_kind_and_name(client, login_as, ids):
    login_as(Role.MANAGER)

    def bodies(query):
        return [row.rsplit(" ", 7)[0] for row in rows(section(overview(client, query), "instanser"))]

    assert bodies("?group=Statliga+myndigheter") == [POLISEN, KRIM]
    assert bodies("?kind=namnd") == [NORDOST, KULTUR, CENTRUM]
    assert bodies("?kind=bolag") == [COMPANY]
    # Case-insensitive, Swedish letters too, on the name or the short name.
    assert bodies("?q=KRIMINALV%C3%85RDEN") == [KRIM]
    assert bodies("?q=socialn%C3%A4mnden") == [NORDOST, CENTRUM]
    assert bodies("?q=framtiden") == [COMPANY]
    # A LIKE wildcard is a character like any other.
    assert rows(section(overview(client, "?q=%25"), "instanser")) == [
        "Ingen remissinstans som matchar filtret har fått någon remiss."
    ]
    page = overview(client, "?group=Socialn%C3%A4mnderna")
    # The open rounds of those bodies, counted for those bodies only.
    assert [row.split(" remissinst")[0][-6:] for row in rows(section(page, "oppna"))] == [
        "2 av 2",
        "1 av 1",
        "0 av 1",
        "1 av 1",
        "0 av 1",
    ]
    assert "Siffrorna gäller de remissinstanser som matchar filtret." in page
    assert rows(section(page, "sena")) == ["Inga sena svar bland dem som matchar filtret."]


BAD_INPUT = [
    ("sent_from=2026-13-01", "sent_from", "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2022-01-25."),
    ("sent_from=31%2F12%2F2026", "sent_from", "Ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2022-01-25."),
    ("sent_to=1999-12-31", "sent_to", "Ange ett datum mellan 2000-01-01 och 2099-12-31."),
    ("sent_to=9999-12-31", "sent_to", "Ange ett datum mellan 2000-01-01 och 2099-12-31."),
    ("sent_from=2001-05-01&sent_to=2001-04-30", "sent_to", "Slutdatumet får inte vara före startdatumet."),
    ("kind=kommun", "kind", "Välj ett värde i listan."),
    ("group=Finns+inte", "group", "Välj ett värde i listan."),
    ("q=" + "a" * 201, "q", "Namnet får vara högst 200 tecken."),
]


@pytest.mark.parametrize("query, field, message", BAD_INPUT)
def test_bad_filter_input_is_refused_in_swedish_and_left_out(client, login_as, ids, query, field, message):
    login_as(Role.MANAGER)
    page = overview(client, f"?{query}&kind=myndighet" if "kind=" not in query else f"?{query}")
    assert "Formuläret innehåller fel" in page
    assert f'<p class="error-message" id="{field}-error"><span>{message}</span>' in page
    assert f'<a href="#{field}">{message}</a>' in page
    if "kind=" not in query:
        # The refused filter is left out; the good one still applies.
        assert [row.rsplit(" ", 7)[0] for row in rows(section(page, "instanser"))] == [POLISEN, KRIM]
    # The Excel file is not made from a filter with errors: back to the page, which says why.
    response = client.get(f"/overview/export?{query}")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert "Filtret innehåller fel. Rätta det och ladda ner filen igen." in follow.text
    assert message in follow.text


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "sent_from",
                "sent_to",
                "group",
                "kind",
                "q",
                "sida_remisser",
                "sida_sena",
                "sida_instanser",
                "page",
            ]
        ),
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                ["0001-01-01", "2026-02-30", "+10000-01-01", "-1", "99999999999999999999", "\x00"]
            ),
        ),
    )
)
def test_hostile_filter_input_never_fails(app, ids, values):
    from remiss.auth.models import User
    from tests.http import signed_in_client

    with app.app_context():
        officer_id = db.session.scalar(sa.select(User.id).where(User.email == "olle@example.se"))
    client = signed_in_client(app, str(officer_id))
    for url in ("/overview/", f"/overview/bodies/{ids[KRIM]}", "/overview/export"):
        response = client.get(url, query_string=values)
        assert response.status_code in (200, 302), (url, values, response.status_code)


# Who may see it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [(Role.MANAGER, 200), (Role.OFFICER, 200), (Role.RESPONDENT, 403), (Role.ADMIN, 403), (None, 302)],
)
def test_managers_and_officers_only(client, login_as, ids, role, status):
    if role is not None:
        login_as(role)
    for url in ("/overview/", f"/overview/bodies/{ids[KRIM]}", "/overview/export"):
        response = client.get(url)
        assert response.status_code == status, url
        if role is None:
            assert "/auth/login?next=" in response.headers["Location"]
        if status == 403:
            assert KRIM not in response.text


@pytest.mark.parametrize(
    "role, shown", [(Role.MANAGER, True), (Role.OFFICER, True), (Role.RESPONDENT, False)]
)
def test_the_menu_offers_the_overview_to_managers_and_officers(client, login_as, role, shown):
    login_as(role)
    page = client.get("/accessibility").text
    assert ('href="/overview/">Översikt</a>' in page) is shown
    if shown:
        assert 'href="/overview/" aria-current="page"' in client.get("/overview/").text


# The Excel file ---------------------------------------------------------------------------------


def workbook(client, query: str = ""):
    response = client.get(f"/overview/export{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    return load_workbook(io.BytesIO(response.data)), response


def cells(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_excel_read_back_cell_by_cell(client, login_as, ids, today):
    login_as(Role.MANAGER)
    book, response = workbook(client)
    assert f"remisser {today.isoformat()}.xlsx" in response.headers["Content-Disposition"]
    assert book.sheetnames == [
        "Urval",
        "Öppna remisser",
        "Sena svar",
        "Svar inom en vecka",
        "Per remissinstans",
    ]
    d = lambda n: today + timedelta(days=n)  # noqa: E731

    selection = cells(book["Urval"])
    assert selection[0] == ["Översikt över remisser", None]
    assert selection[1][0] == "Uttagen" and selection[1][1].date() == today

    rounds = cells(book["Öppna remisser"])
    assert rounds[0] == [
        "Diarienummer",
        "Titel",
        "Utskick",
        "Sista svarsdag",
        "Svar",
        "Remissinstanser",
        "Sena",
        "Handläggare",
    ]
    assert [r[:2] + [r[2].date(), r[3].date()] + r[4:] for r in rounds[1:]] == [
        ["1668/20", "Handlingsplan mot nyrekrytering", d(-60), d(-20), 3, 4, 1, "Olle Officer"],
        ["1370/21", "Riktlinje för avhoppare", d(-30), d(-1), 1, 4, 2, "Olle Officer"],
        ["1111/26", "Svar i dag", d(-40), d(0), 0, 1, 0, "Olle Officer"],
        ["2222/26", "Kulturplan", d(-10), d(7), 1, 3, 0, "Olle Officer"],
        ["3333/26", "Program för idrott", d(-5), d(8), 0, 2, 0, "Olle Officer"],
    ]
    assert book["Öppna remisser"]["C2"].number_format == "yyyy-mm-dd"

    late = cells(book["Sena svar"])
    assert late[0] == [
        "Remissinstans",
        "Diarienummer",
        "Remiss",
        "Sista svarsdag",
        "Anstånd",
        "Dagar sent",
        "Svar",
        "Kontakt",
    ]
    assert [r[:3] + [r[3].date()] + r[4:7] for r in late[1:]] == [
        [KRIM, "1668/20", "Handlingsplan mot nyrekrytering", d(-2), "Ja", 2, "Ej påbörjat"],
        [COMPANY, "1370/21", "Riktlinje för avhoppare", d(-1), None, 1, "Ej påbörjat"],
        [KRIM, "1370/21", "Riktlinje för avhoppare", d(-1), None, 1, "Ej påbörjat"],
    ]
    assert all(r[7].endswith("@example.goteborg.se") for r in late[1:])

    due = cells(book["Svar inom en vecka"])
    assert due[0] == [
        "Remissinstans",
        "Diarienummer",
        "Remiss",
        "Sista svarsdag",
        "Anstånd",
        "Dagar kvar",
        "Svar",
    ]
    assert [r[:3] + [r[3].date()] + r[4:] for r in due[1:]] == [
        [NORDOST, "1111/26", "Svar i dag", d(0), None, 0, "Ej påbörjat"],
        [KULTUR, "1370/21", "Riktlinje för avhoppare", d(3), "Ja", 3, "Utkast"],
        [KULTUR, "2222/26", "Kulturplan", d(7), None, 7, "Ej påbörjat"],
        [POLISEN, "2222/26", "Kulturplan", d(7), None, 7, "Ej påbörjat"],
    ]

    bodies = cells(book["Per remissinstans"])
    assert bodies[0] == [
        "Remissinstans",
        "Typ",
        "Grupp",
        "Remisser",
        "Svar i tid",
        "Svar sent",
        "Inte svarat",
        "Väntar",
        "Dagar sent, snitt",
        "Dagar sent, max",
    ]
    assert bodies[1:] == [
        [POLISEN, "Myndighet", "Statliga myndigheter", 3, 0, 2, 0, 1, 6.5, 10],
        [NORDOST, "Nämnd", "Socialnämnderna", 3, 1, 1, 0, 1, 5, 5],
        [KRIM, "Myndighet", "Statliga myndigheter", 2, 0, 0, 2, 0, None, None],
        [COMPANY, "Bolag", "Bolag", 2, 0, 0, 1, 1, None, None],
        [KULTUR, "Nämnd", None, 3, 0, 0, 1, 2, None, None],
        [CENTRUM, "Nämnd", "Socialnämnderna", 3, 2, 0, 0, 1, None, None],
    ]


def test_excel_keeps_a_name_beginning_with_equals_as_text(client, login_as, ids):
    login_as(Role.OFFICER)
    book, _ = workbook(client, "?kind=bolag")
    for sheet_name, column in (("Sena svar", "A"), ("Per remissinstans", "A")):
        sheet = book[sheet_name]
        names = [cell for cell in sheet[column][1:] if cell.value is not None]
        assert names, sheet_name
        for cell in names:
            assert cell.value == COMPANY and cell.data_type == "s", (sheet_name, cell.coordinate)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_excel_follows_the_filters(client, login_as, ids, today):
    login_as(Role.MANAGER)
    book, _ = workbook(client, f"?group=Statliga+myndigheter&sent_from={iso(today, -100)}")
    selection = dict((r[0], r[1]) for r in cells(book["Urval"])[1:])
    assert selection["Grupp"] == "Statliga myndigheter"
    assert selection["Skickade från och med"].date() == today - timedelta(days=100)
    assert selection["Skickade till och med"] is None
    assert selection["Typ av remissinstans"] == "Alla"
    assert [r[0] for r in cells(book["Per remissinstans"])[1:]] == [POLISEN, KRIM]
    # Polisen's late answer to the old round (sent before the period) is left out.
    assert cells(book["Per remissinstans"])[1][3:] == [2, 0, 1, 0, 1, 3, 3]


def test_the_office_reads_the_same_lateness_everywhere(ctx, ids, today):
    """One rule for "late": the answer's first receipt. A correction the office asked for after
    the deadline leaves the status, the summary and the overview saying "on time"."""
    from remiss.rounds.models import Round
    from remiss.summary.compile import compile_summary

    round_ = db.session.scalar(sa.select(Round).where(Round.dnr == "1668/20"))
    centrum = round_.recipient_for(ids[CENTRUM])
    assert centrum.latest_submitted.received_on == today - timedelta(days=5)
    assert centrum.status_text == "Inskickat"
    row = next(r for r in compile_summary(round_).recipients if r.organisation == centrum.organisation.name)
    assert (row.received_on, row.days_late) == (today - timedelta(days=25), 0)
    polisen = round_.recipient_for(ids[POLISEN])
    assert polisen.status_text == "Inskickat för sent, 3 dagar"
