"""The register's Atom feed validates and holds only public rounds; the "download all answers"
ZIP holds exactly the public files."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import feedparser
import pytest

from remiss.extensions import db
from remiss.rounds.models import Round
from tests.register_data import CENTRUM, GROUND, KRIMINALVARDEN, POLISEN, build_world

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TAG_URI = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:\S+$")


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def assert_valid_atom(xml: bytes) -> ET.Element:
    """The requirements of RFC 4287 that a reader relies on."""
    feed = ET.fromstring(xml)  # noqa: S314 (our own feed)
    assert feed.tag == f"{ATOM}feed"

    def one(parent, name):
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{parent.tag} must have exactly one {name}"
        return found[0]

    def check_id(text):
        assert TAG_URI.match(text) or text.startswith(("http://", "https://")), text

    check_id(one(feed, "id").text)
    assert one(feed, "title").text
    assert RFC3339.match(one(feed, "updated").text)
    assert one(one(feed, "author"), "name").text
    links = {link.get("rel", "alternate"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"].startswith("http://") and links["alternate"].startswith("http://")
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        ids.append(one(entry, "id").text)
        check_id(ids[-1])
        assert one(entry, "title").text
        assert RFC3339.match(one(entry, "updated").text)
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").startswith("http://")
    assert len(ids) == len(set(ids)), "entry ids are unique"
    return feed


def test_the_feed_is_valid_atom_with_the_newly_opened_public_rounds(client, world):
    response = client.get("/register/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = assert_valid_atom(response.data)
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert sorted(titles) == [
        "Ny remiss: Handlingsplan mot nyrekrytering till kriminella nätverk",
        "Ny remiss: Riktlinje för stöd till avhoppare",
    ]
    assert "Intern riktlinje" not in response.text and "parker" not in response.text

    parsed = feedparser.parse(response.data)  # an independent reader
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Göteborgs Stads remissregister"
    links = {e.link for e in parsed.entries}
    assert links == {
        f"http://localhost/register/{world.public_id}",
        f"http://localhost/register/{world.open_id}",
    }


def test_published_feedback_adds_an_entry_and_ids_do_not_change(app, client, world):
    before = feedparser.parse(client.get("/register/feed.atom").data)
    with app.app_context():
        round_ = db.session.get(Round, world.public_id)
        round_.assessment = "Planen förtydligas."
        round_.assessment_final_at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        db.session.commit()
    response = client.get("/register/feed.atom")
    feed = assert_valid_atom(response.data)
    assert feed.find(f"{ATOM}updated").text >= "2026-03-02T09:30:00Z"
    after = feedparser.parse(response.data)
    assert not after.bozo
    feedback = [e for e in after.entries if e.title.startswith("Återkoppling:")]
    assert len(feedback) == 1
    assert feedback[0].link == f"http://localhost/register/{world.public_id}/feedback"
    assert feedback[0].updated == "2026-03-02T09:30:00Z"
    assert {e.id for e in before.entries} < {e.id for e in after.entries}


def test_an_empty_register_still_has_a_valid_feed(client):
    response = client.get("/register/feed.atom")
    feed = assert_valid_atom(response.data)
    assert feed.findall(f"{ATOM}entry") == []
    assert not feedparser.parse(response.data).bozo


def read_zip(client, round_id) -> zipfile.ZipFile:
    response = client.get(f"/register/{round_id}/answers.zip")
    data = response.data
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_zip_holds_exactly_the_public_files_and_a_listing(client, world):
    archive = read_zip(client, world.public_id)
    assert sorted(archive.namelist()) == [
        f"{POLISEN}/Polisens yttrande.pdf",
        f"{CENTRUM}/Protokollsutdrag § 14.pdf",
        "svar.csv",
    ]
    assert b"Centrums beslut" in archive.read(f"{CENTRUM}/Protokollsutdrag § 14.pdf")
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    for secret in ("hemliga bilaga", "Kriminalvårdens yttrande", "Sekretessbelagt", "RÄTTELSE", "UTKAST"):
        assert secret not in everything

    listing = archive.read("svar.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(listing), delimiter=";"))
    assert rows[0][:3] == ["Organisation", "Inkom", "Ställningstagande"]
    by_organisation = {row[0]: row for row in rows[1:]}
    assert set(by_organisation) == {CENTRUM, POLISEN, KRIMINALVARDEN}  # Äldre only has a draft
    assert by_organisation[CENTRUM][2] == "Tillstyrker delvis"
    assert by_organisation[CENTRUM][4] == "Nämnden tillstyrker delvis förslaget."
    assert by_organisation[CENTRUM][6] == f"{CENTRUM}/Protokollsutdrag § 14.pdf"
    assert by_organisation[POLISEN][4] == "Polisen tillstyrker."
    assert by_organisation[KRIMINALVARDEN][2] == "Uppgiften omfattas av sekretess enligt OSL 35 kap. 1 §"
    assert GROUND not in listing  # no confidential comment is listed (comments are not in the CSV)


def test_no_zip_while_the_round_is_open(client, world):
    response = client.get(f"/register/{world.open_id}/answers.zip")
    assert response.status_code == 404
    assert "när remissen har stängts" in response.text
    assert "answers.zip" not in client.get(f"/register/{world.open_id}").text
