"""The structure proposed from the remissförslag itself (a Word ``.docx``): its headings, the
headings written as plain bold text, its numbered lists and the questions it asks, turned into
the lines the paste reads (``service.parse_structure``), so the officer sees the same preview and
can accept, edit or ignore it. A document whose only outline is its table of contents gives the
table of contents (the parser strips the page numbers).

Nothing here trusts the file: it is opened only when it is a zip with a Word document in it, and
only up to a size where a compressed bomb cannot fill the memory."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO

from remiss.core.errors import DomainError

# The uncompressed Word XML read at most; a real draft's document.xml is a few megabytes.
MAX_XML_BYTES = 40 * 1024 * 1024
MAX_LINES = 500
HEADING_MAX = 200  # a bold paragraph longer than this is text, not a heading

_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|rubrik)$", re.IGNORECASE)
_TOC_STYLE = re.compile(r"^(?:toc|innehåll|innehållsförteckning)\s*\d$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^(?:list number|list paragraph|liststycke|numrerad lista)", re.IGNORECASE)
# What the paste reads as structure by its own words or numbers.
_KEYWORD = re.compile(r"^(?:fokusområde|insats|(?:remiss)?fråga|sektion|avsnitt)\s", re.IGNORECASE)
_NUMBERED = re.compile(r"^\d{1,3}(?:[.:]\d{1,3})?[.):]?\s+\S")
_AREA_NUMBER = re.compile(r"^(?:fokusområde\s+)?(\d{1,3})(?=[\s.:)–—-])", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class UnreadableDocument(DomainError):
    pass


@dataclass
class Proposal:
    """The lines proposed, and where they came from, for the preview."""

    lines: list[str] = field(default_factory=list)
    source: str = ""  # "rubriker och listor" or "innehållsförteckningen"
    skipped: list[str] = field(default_factory=list)  # headings left out: nothing under them

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Entry:
    kind: str  # heading, item, question
    text: str
    level: int = 0  # a heading's level; a list item's indent level
    listed: bool = False  # a paragraph of a numbered list (Word numbers it, not the text)


def _check_archive(stream: BinaryIO) -> None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise UnreadableDocument("Dokumentet är för stort för att läsa strukturen ur.")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableDocument("Filen är inte ett Word-dokument (.docx) som kan läsas.") from error
    stream.seek(0)


def _style_name(paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError, AttributeError):
        return ""
    return (style.name or "") if style is not None else ""


def _outline_level(paragraph) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is None:
        return None
    level = ppr.find(f"{_W}outlineLvl")
    if level is None:
        return None
    try:
        value = int(level.get(f"{_W}val"))
    except (TypeError, ValueError):
        return None
    return value + 1 if value < 9 else None


def _numbering(paragraph) -> int | None:
    """The list level when Word numbers or bullets the paragraph, else None."""
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None:
        return None
    ilvl = ppr.numPr.ilvl
    try:
        return int(ilvl.val) if ilvl is not None else 0
    except (TypeError, ValueError):
        return 0


def _all_bold(paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    style_bold = bool(getattr(getattr(paragraph.style, "font", None), "bold", False))
    return all(run.bold or (run.bold is None and style_bold) for run in runs)


def _paragraphs(document):
    """Every paragraph of the body in order, those in content controls (where Word puts its
    table of contents) too; not those in tables."""
    from docx.text.paragraph import Paragraph

    for element in document.element.body.iter(f"{_W}p"):
        if any(ancestor.tag == f"{_W}tbl" for ancestor in element.iterancestors()):
            continue
        yield Paragraph(element, document._body)


def propose_structure(stream: BinaryIO) -> Proposal:
    """Read ``stream`` (a .docx) and propose its structure as lines for the paste's preview."""
    import docx  # python-docx; imported here so that the app starts without reading Word files

    _check_archive(stream)
    try:
        document = docx.Document(stream)
    except Exception as error:  # python-docx raises many kinds on a damaged file
        raise UnreadableDocument("Word-dokumentet kunde inte läsas.") from error

    entries: list[_Entry] = []
    contents: list[str] = []
    for paragraph in _paragraphs(document):
        text = " ".join(paragraph.text.replace("\u00a0", " ").split())
        if not text:
            continue
        style = _style_name(paragraph)
        if _TOC_STYLE.match(style):
            contents.append(paragraph.text.strip())
            continue
        if _TITLE_STYLE.match(style):
            continue  # the document's title is the round's, not a part of it
        heading = _HEADING_STYLE.match(style)
        level = int(heading.group(1)) if heading else _outline_level(paragraph)
        listed = _numbering(paragraph)
        if level is None and listed is None and _all_bold(paragraph) and len(text) <= HEADING_MAX:
            if not text.endswith((".", ",", ";")):
                level = 9  # a heading written as bold text
        if text.endswith("?") and level is None:
            entries.append(_Entry("question", text, listed or 0, listed is not None))
        elif level is not None:
            entries.append(_Entry("heading", text, level))
        elif listed is not None or _LIST_STYLE.match(style):
            entries.append(_Entry("item", text, listed or 0, True))
        if len(entries) > MAX_LINES:
            break

    proposal = Proposal()
    lines = _outline(entries, proposal)
    if lines:
        proposal.lines, proposal.source = lines[:MAX_LINES], "rubriker och listor"
    elif contents:
        proposal.lines, proposal.source = contents[:MAX_LINES], "innehållsförteckningen"
    return proposal


def _structural(entry: _Entry) -> bool:
    return bool(_KEYWORD.match(entry.text) or _NUMBERED.match(entry.text))


def _outline(entries: list[_Entry], proposal: Proposal) -> list[str]:
    """The lines: headings that name a part (``Fokusområde 2 …``, ``2.1 …``) or have list items or
    questions directly under them; the list items numbered under their heading (``2.1``, ``2.2``) as Word
    shows them; questions as they are (the paste numbers them on)."""
    lines: list[str] = []
    area_number: str | None = None
    counter = 0  # under a numbered heading: 2.1, 2.2 …
    loose = 0  # under none: 1., 2. … on through the document, as one list of questions
    for index, entry in enumerate(entries):
        if entry.kind == "heading":
            under = _entries_under(entries, index)
            if not (_structural(entry) or any(e.kind in ("item", "question") for e in under)):
                proposal.skipped.append(entry.text)
                continue
            lines.append(entry.text)
            match = _AREA_NUMBER.match(entry.text)
            area_number = match.group(1) if match else None
            counter = 0
        elif entry.kind == "question":
            lines.append(entry.text)
        elif _structural(entry):
            lines.append(entry.text)
        elif area_number:
            counter += 1
            lines.append(f"{area_number}.{counter} {entry.text}")
        else:
            loose += 1
            lines.append(f"{loose}. {entry.text}")
    return lines


def _entries_under(entries: list[_Entry], index: int) -> list[_Entry]:
    """What stands directly under a heading, up to the next heading of any level: a heading
    over sub-headings only (``Bakgrund`` over the sections) is not a part of the structure."""
    under = []
    for entry in entries[index + 1 :]:
        if entry.kind == "heading":
            break
        under.append(entry)
    return under
