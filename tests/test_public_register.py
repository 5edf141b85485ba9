"""The public register: an anonymous visitor finds public rounds and their submitted answers,
but never a draft, a round that is not public, a version under correction or a confidential
part, whether through links, search or typed ids."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from remiss.extensions import db
from remiss.rounds.models import Round
from tests.register_data import ALDRE, CENTRUM, GROUND, KRIMINALVARDEN, POLISEN, build_world


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in ("a", "link") and href:
            self.links.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


# Secret or unpublished things, as they would appear on a page or in a file.
NEVER_SHOWN = (
    "Uppgifter om en enskild familj i Backa",  # a confidential comment
    "Bilaga om enskild",  # a confidential file's name
    "Underlag med personuppgifter",  # a confidential round document
    "Sekretessbelagt resonemang",  # a confidential whole answer
    "Kriminalvårdens yttrande",  # the file of a confidential answer
    "UTKAST som inte är inskickat",  # a draft
    "Utkast till yttrande",  # a draft's file
    "RÄTTELSE under arbete",  # a correction in progress
    "Rättad bilaga",  # its file
    "Intern riktlinje om informationssäkerhet",  # a round that is not public
    "Ej skickad plan för parker",  # a public round that is still a draft
    "Fel bilaga",  # the reopen reason (the audit trail)
    "hanna@example.goteborg.se",
)


def assert_nothing_secret(text: str) -> None:
    for secret in NEVER_SHOWN:
        assert secret not in text, secret


def test_the_register_lists_public_sent_rounds_only(client, world):
    response = client.get("/register/")
    assert response.status_code == 200
    page = response.text
    assert "Handlingsplan mot nyrekrytering till kriminella nätverk" in page
    assert "Riktlinje för stöd till avhoppare" in page
    assert "2 remisser" in page
    assert_nothing_secret(page)


@pytest.mark.parametrize(
    "query, found",
    [
        ("nyrekrytering", {"1668/20"}),
        ("HANDLINGSPLAN kriminella", {"1668/20"}),
        ("1668/20", {"1668/20"}),
        ("0912", {"0912/21"}),
        ("polismyndigheten", {"1668/20", "0912/21"}),
        ("ÄLDRE SAMT VÅRD", {"1668/20"}),  # Swedish capitals fold on SQLite and PostgreSQL alike
        ("äldre samt vård", {"1668/20"}),
        ("informationssäkerhet", set()),  # not public
        ("42/21", set()),
        ("parker", set()),  # public but still a draft
        ("7/22", set()),
    ],
)
def test_search_by_title_case_number_and_organisation(client, world, query, found):
    page = client.get("/register/", query_string={"q": query}).text
    shown = set(re.findall(r"<td>(\d+/\d\d)</td>", page))
    assert shown == found
    assert f"{len(found)} {'remiss' if len(found) == 1 else 'remisser'} för ”{query}”" in page


def test_filter_by_status(client, world):
    page = client.get("/register/", query_string={"status": "open"}).text
    assert set(re.findall(r"<td>(\d+/\d\d)</td>", page)) == {"0912/21"}
    page = client.get("/register/", query_string={"status": "draft"}).text  # unknown: all listed
    assert set(re.findall(r"<td>(\d+/\d\d)</td>", page)) == {"1668/20", "0912/21"}


def test_the_round_page_shows_the_round_and_its_submitted_answers(client, world):
    response = client.get(f"/register/{world.public_id}")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="sv">' in page
    assert "<title>Handlingsplan mot nyrekrytering till kriminella nätverk (dnr 1668/20)" in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert "<h1>Handlingsplan mot nyrekrytering till kriminella nätverk</h1>" in page
    assert "Kommunstyrelsen 2021-10-27 § 820" in page
    assert "Remissförslag.pdf" in page
    for name in (CENTRUM, ALDRE, POLISEN, KRIMINALVARDEN):
        assert name in page
    # Centrum's answer, its comments and its decision.
    assert "Tillstyrker delvis" in page
    assert "Nämnden tillstyrker delvis förslaget." in page
    assert "Samverkans omfattning behöver beskrivas." in page
    assert "Vi saknar ett anhörigperspektiv." in page
    assert "Protokollsutdrag § 14.pdf" in page
    # Polisen's answer under correction shows the last submitted version only.
    assert "Polisen tillstyrker." in page
    assert "Polisens yttrande.pdf" in page
    # Äldre has only a draft: no answer.
    assert "4 remissinstanser" in page and "3 av 4 remissinstanser har svarat" in page
    # Confidential parts: the notice with the legal ground in their place.
    assert page.count(f"Uppgiften omfattas av sekretess enligt {GROUND}") == 3  # comment, file, round doc
    assert "Uppgiften omfattas av sekretess enligt OSL 35 kap. 1 §" in page  # Kriminalvården
    assert_nothing_secret(page)


def test_every_link_from_the_register_is_public_and_leads_to_nothing_secret(client, world):
    """Follow every link on the register's pages, as a crawler would."""
    seen, queue = set(), ["/register/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = response.get_data(as_text=response.mimetype == "text/html")
        response.close()
        assert response.status_code == 200, url
        if response.mimetype == "text/html":
            assert_nothing_secret(response.text)
            for link in links_of(response.text):
                link = re.sub(r"^http://localhost", "", link).split("#")[0]
                if link.startswith("/register/") and link not in seen:
                    queue.append(link)
        elif response.mimetype == "application/pdf":
            assert_nothing_secret(body.decode("utf-8", "replace"))
    downloads = {u for u in seen if "/documents/" in u}
    assert downloads == {
        f"/register/{world.public_id}/documents/{world.draft_doc}",
        f"/register/{world.public_id}/documents/{world.decision_doc}",
        f"/register/{world.public_id}/documents/{world.police_doc}",
    }
    assert f"/register/{world.public_id}/answers.zip" in seen
    assert f"/register/{world.open_id}" in seen


def test_a_public_download_is_the_file_under_its_name(client, world):
    response = client.get(f"/register/{world.public_id}/documents/{world.decision_doc}")
    data = response.data
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert b"Centrums beslut" in data
    assert "Protokollsutdrag" in response.headers["Content-Disposition"]


def test_by_id_nothing_that_is_not_public_exists(client, world):
    w = world
    not_found = [
        f"/register/{w.hidden_id}",
        f"/register/{w.draft_round_id}",
        f"/register/{w.hidden_id}/feedback",
        f"/register/{w.draft_round_id}/feedback",
        f"/register/{w.hidden_id}/answers.zip",
        f"/register/{w.draft_round_id}/answers.zip",
        f"/register/{w.open_id}/answers.zip",  # still open: no ZIP yet
        f"/register/{w.hidden_id}/documents/{w.hidden_doc}",
        f"/register/{w.hidden_id}/documents/{w.hidden_answer_doc}",
        f"/register/{w.draft_round_id}/documents/{w.draft_round_doc}",
        "/register/9999",
    ]
    # Files of the public round that are not public, and other rounds' files through its id.
    for document_id in (
        w.secret_round_doc,
        w.secret_file,
        w.aldre_draft_doc,
        w.correction_doc,
        w.secret_version_doc,
        w.hidden_doc,
        w.hidden_answer_doc,
        w.draft_round_doc,
        9999,
    ):
        not_found.append(f"/register/{w.public_id}/documents/{document_id}")
    # A public round's file through another public round's id.
    not_found.append(f"/register/{w.open_id}/documents/{w.decision_doc}")
    for url in not_found:
        response = client.get(url)
        response.close()
        assert response.status_code == 404, url
        assert_nothing_secret(response.text)


def test_an_earlier_version_of_a_corrected_answer_is_no_longer_public(app, client, world):
    """Once a correction is submitted, the files of the earlier version leave the register."""
    from remiss.answers.models import Channel

    with app.app_context():
        round_ = db.session.get(Round, world.public_id)
        polisen = next(r for r in round_.recipients if r.id == world.polisen_recipient)
        polisen.answer.submit(by=None, channel=Channel.EMAIL)
        db.session.commit()
    page = client.get(f"/register/{world.public_id}").text
    assert "RÄTTELSE under arbete, inte inskickad." in page  # now submitted: public
    assert "Polisen tillstyrker." not in page
    assert client.get(f"/register/{world.public_id}/documents/{world.police_doc}").status_code == 404
    response = client.get(f"/register/{world.public_id}/documents/{world.correction_doc}")
    response.close()
    assert response.status_code == 200


def test_a_round_made_not_public_disappears(app, client, world):
    with app.app_context():
        db.session.get(Round, world.public_id).register_choice = False
        db.session.commit()
    assert client.get(f"/register/{world.public_id}").status_code == 404
    assert client.get(f"/register/{world.public_id}/documents/{world.decision_doc}").status_code == 404
    assert "1668/20" not in client.get("/register/").text
    assert "1668/20" not in client.get("/register/feed.atom").text


def test_robots_txt_lets_search_engines_read_the_register(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Allow: /register/" in response.text
    assert "Disallow: /\n" in response.text


def test_the_register_needs_no_javascript_and_no_login(client, world):
    response = client.get(f"/register/{world.public_id}")
    page = response.text
    assert response.status_code == 200 and 'type="password"' not in page  # not the login form
    assert "<script>" not in page and "onclick" not in page and 'style="' not in page
    # Headings in order, one h1.
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_long_lists_are_paged(app, client):
    from tests.factories import make_round, send

    with app.app_context():
        for n in range(30):
            send(
                make_round(recipients=["Kretslopp och vatten"], title=f"Remiss nummer {n}", dnr=f"{n + 1}/24")
            )
        db.session.commit()
    first = client.get("/register/").text  # every sent round is listed by default
    assert "30 remisser" in first and first.count('<th scope="row">') == 25
    assert 'href="/register/?page=2"' in first
    second = client.get("/register/", query_string={"page": 2}).text
    assert second.count('<th scope="row">') == 5
    assert client.get("/register/", query_string={"page": 99}).status_code == 200


def test_the_round_page_takes_a_fixed_number_of_queries_however_many_answers(app, client, world):
    """An anonymous, crawlable page: it must not load each answer, its comments and files one
    by one."""
    import sqlalchemy as sa

    from remiss.answers.models import MeasurePosition
    from tests.factories import make_organisation
    from tests.register_data import answer, pdf

    def queries() -> int:
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/register/{world.public_id}").status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    with app.app_context():
        round_ = db.session.get(Round, world.public_id)
        round_.reopen()
        for i in range(6):
            organisation = make_organisation(f"Stadsdelsnämnd {i}")
            recipient = round_.recipients[0].__class__(organisation=organisation, contact_email=f"s{i}@x.se")
            round_.recipients.append(recipient)
            version = answer(
                recipient,
                comment=f"Svar {i}",
                measures={"1:1": (MeasurePosition.ASSENT, f"Synpunkt {i}"), "2:1": (None, "Mer")},
            )
            version.documents.append(pdf(f"Beslut {i}.pdf", f"Beslut {i}"))
            recipient.answer.submit(by=None)
        round_.close()
        db.session.commit()
    many = queries()
    assert "Synpunkt 5" in client.get(f"/register/{world.public_id}").text
    assert many == few


def answered_by_all(names: list[str], structure: dict | None = None) -> int:
    """A sent round to the bodies ``names`` (with ``structure``), each of which has submitted an
    answer saying "Svar från <name>"; its id. Inside an app context."""
    from tests.factories import make_round, send
    from tests.register_data import answer

    round_ = make_round(recipients=names, structure=structure)
    send(round_)
    for recipient in round_.recipients:
        answer(recipient, comment=f"Svar från {recipient.organisation.name}")
        recipient.answer.submit(by=None)
    db.session.commit()
    return round_.id


@pytest.mark.parametrize(("measures", "per_page"), [(2, 20), (30, 4)])
def test_a_page_of_answers_holds_a_bounded_number_of_comments(app, client, measures, per_page):
    """Twenty answers a page, fewer when each can hold many comments: a round of two focus areas
    with 30 measures each has 62 places for comments an answer, so 4 answers a page (about 300
    comments), not 20 (1,240)."""
    names = [f"Nämnd {letter}" for letter in "ABCDEFG"]
    with app.app_context():
        structure = {f"Område {a}": [f"Insats {a}.{m}" for m in range(measures)] for a in (1, 2)}
        round_id = answered_by_all(names, structure)

    first = client.get(f"/register/{round_id}").text
    shown = re.findall(r"Svar från (Nämnd \w)", first)
    assert shown == names[:per_page]
    if per_page < len(names):
        assert f"Svar 1–{per_page} av 7, i bokstavsordning." in first
        # The table of bodies leads to each answer on its own page.
        assert f'href="/register/{round_id}?page=2#svar-' in first
        rest = client.get(f"/register/{round_id}", query_string={"page": 2}).text
        assert re.findall(r"Svar från (Nämnd \w)", rest) == names[per_page : 2 * per_page]


def test_each_link_to_an_answer_leads_to_the_page_it_is_on(app, client):
    """The table of bodies links each answer to its page of answers: the page is numbered in
    the database's own order of names (Swedish letters, spaces and hyphens sort by the
    database's collation, not by Python's)."""
    import sqlalchemy as sa

    app.config["PAGE_SIZE"] = 2
    names = ["Östra nämnden", "Ålands nämnd", "bo-nämnden", "Bo nämnden", "Äldrenämnden", "Ab"]
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # A Swedish collation, as a city's database would have: Å before Ä (Python's code
            # points put ä first), so that Ålands nämnd is on page 2 in the database's order
            # and would be on page 3 in Python's.
            db.session.execute(
                sa.text('ALTER TABLE organisation ALTER COLUMN name TYPE varchar(200) COLLATE "sv-SE-x-icu"')
            )
        round_id = answered_by_all(names)

    pages = {n: client.get(f"/register/{round_id}", query_string={"page": n}).text for n in (1, 2, 3, 4)}
    links = re.findall(r'<a href="(?:/register/\d+\?page=(\d+))?#svar-(\d+)">Svar inkom', pages[1])
    assert len(links) == len(names)
    for page, recipient_id in links:
        assert f'id="svar-{recipient_id}"' in pages[int(page or 1)], (page, recipient_id)
