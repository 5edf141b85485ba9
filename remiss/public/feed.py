"""The register's Atom 1.0 feed (RFC 4287): a new entry when a public round is opened and when
the office publishes its feedback on one. Written with ElementTree; every id is a tag URI
(RFC 4151) that stays the same whatever address the feed is read at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from remiss.rounds.models import Round

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
AUTHOR = "Göteborgs Stad, stadsledningskontoret"
# The year from which the tag ids are minted (RFC 4151: a date the authority held the name).
TAG_YEAR = "2026"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str
    summary: str


def rfc3339(moment: datetime) -> str:
    """``2022-01-31T08:00:00Z``: RFC 3339 in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def tag_authority(base_url: str) -> str:
    return (urlsplit(base_url).hostname or "localhost").lower()


def tag(authority: str, specific: str) -> str:
    return f"tag:{authority},{TAG_YEAR}:{specific}"


def round_entries(round_: Round, *, authority: str, round_url: str, feedback_url: str) -> list[Entry]:
    """The entries of one public round: opened, and feedback published."""
    entries = []
    facts = f"Diarienummer {round_.dnr}. Sista svarsdag {round_.deadline.isoformat()}."
    if round_.decision:
        facts += f" Beslut: {round_.decision}."
    if round_.opened_at is not None:
        entries.append(
            Entry(
                id=tag(authority, f"remiss/{round_.id}/oppnad"),
                title=f"Ny remiss: {round_.title}",
                updated=round_.opened_at,
                link=round_url,
                summary=facts,
            )
        )
    if round_.assessment_final_at is not None:
        entries.append(
            Entry(
                id=tag(authority, f"remiss/{round_.id}/aterkoppling"),
                title=f"Återkoppling: {round_.title}",
                updated=round_.assessment_final_at,
                link=feedback_url,
                summary=f"Stadsledningskontorets bedömning av remissvaren är publicerad. {facts}",
            )
        )
    return entries


def write_atom(
    entries: list[Entry],
    *,
    authority: str,
    title: str,
    self_url: str,
    alternate_url: str,
    now: datetime,
) -> bytes:
    """The feed document, newest entry first. ``now`` is used for the feed's ``updated`` only when
    there is no entry."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent, name, text=None, **attributes):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attributes)
        if text is not None:
            element.text = text
        return element

    entries = sorted(entries, key=lambda e: e.updated, reverse=True)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "sv"})
    sub(feed, "id", tag(authority, "remissregister"))
    sub(feed, "title", title)
    sub(feed, "updated", rfc3339(entries[0].updated if entries else now))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    author = sub(feed, "author")
    sub(author, "name", AUTHOR)
    for entry in entries:
        element = sub(feed, "entry")
        sub(element, "id", entry.id)
        sub(element, "title", entry.title)
        sub(element, "updated", rfc3339(entry.updated))
        sub(element, "link", rel="alternate", type="text/html", href=entry.link)
        sub(element, "summary", entry.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
