"""All documents of a round as one ZIP file, for the city's record-keeping (diarieföring): the
round's own documents, and each answer's files in a folder named by the organisation. The files
of the version that counts lie in the organisation's folder; files of earlier submitted versions
in a subfolder per version. Drafts' files are not records yet and are left out. Files the office
has withheld from the public register (a confidential file or a confidential whole answer) are
records all the same and go in: the listing names the legal ground of each.

The ZIP is streamed: the list of files is read from the database first, then the archive is
written piece by piece as the client downloads it, never held whole in memory."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerVersion
from remiss.core.spreadsheets import csv_safe
from remiss.core.time import format_datetime, to_local
from remiss.documents.models import Document
from remiss.documents.service import path_of, zip_compression
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round

ROUND_FOLDER = "Remisshandlingar"
MANIFEST = "Förteckning.txt"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Entry:
    name: str  # the path inside the ZIP
    path: Path  # the stored file
    document: Document
    owner: str  # "Remissen" or the organisation (and version)
    secrecy: str = ""  # the legal ground on which it is withheld from the public, if it is


def safe_part(text: str) -> str:
    """A folder or file name that is safe inside a ZIP on any system."""
    cleaned = _UNSAFE.sub("-", text).strip(" .")
    return cleaned[:150] or "namnlös"


def _unique(name: str, taken: set[str]) -> str:
    path = PurePosixPath(name)
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = str(path.with_name(f"{path.stem} ({n}){path.suffix}"))
    taken.add(candidate.casefold())
    return candidate


def round_archive_entries(round_: Round) -> list[Entry]:
    """What the ZIP holds, in order, with unique names. Two queries however many answers."""
    taken: set[str] = set()
    entries = []
    for document in db.session.scalars(
        sa.select(Document).where(Document.round_id == round_.id).order_by(Document.uploaded_at, Document.id)
    ):
        name = _unique(f"{ROUND_FOLDER}/{safe_part(document.original_name)}", taken)
        entries.append(Entry(name, path_of(document), document, "Remissen", document.secrecy_ground or ""))

    # The number of the version that counts (the latest submitted), per answer of the round.
    latest = (
        sa.select(AnswerVersion.answer_id, sa.func.max(AnswerVersion.number).label("number"))
        .where(AnswerVersion.submitted_at.is_not(None))
        .group_by(AnswerVersion.answer_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Document,
            AnswerVersion.number,
            Organisation.name,
            AnswerVersion.number == latest.c.number,
            AnswerVersion.secrecy_ground,
        )
        .join(AnswerVersion, Document.version_id == AnswerVersion.id)
        .join(latest, latest.c.answer_id == AnswerVersion.answer_id)
        .join(Answer, AnswerVersion.answer_id == Answer.id)
        .join(Recipient, Answer.recipient_id == Recipient.id)
        .join(Organisation, Recipient.organisation_id == Organisation.id)
        .where(Recipient.round_id == round_.id, AnswerVersion.submitted_at.is_not(None))
        .order_by(Organisation.name, AnswerVersion.number.desc(), Document.uploaded_at, Document.id)
    ).all()
    for document, number, organisation, counts, answer_secrecy in rows:
        folder = safe_part(organisation)
        owner = organisation
        if not counts:
            folder += f"/Tidigare versioner/Version {number}"
            owner += f", version {number}"
        name = _unique(f"{folder}/{safe_part(document.original_name)}", taken)
        secrecy = document.secrecy_ground or (f"{answer_secrecy} (hela svaret)" if answer_secrecy else "")
        entries.append(Entry(name, path_of(document), document, owner, secrecy))
    return entries


def manifest(round_: Round, entries: list[Entry]) -> str:
    """The listing, tab-separated: a spreadsheet program opens it as a table, so every field
    that someone typed goes through the formula-safe writer (``csv_safe``)."""
    lines = [
        f"Remisshandlingar för {round_.dnr} {round_.title}",
        "",
        "Fil\tHör till\tSort\tUppladdad\tSHA-256\tSekretess",
    ]
    for entry in entries:
        document = entry.document
        missing = "" if entry.path.is_file() else "\tSAKNAS I ARKIVET"
        fields = (
            entry.name,
            entry.owner,
            document.kind.label,
            format_datetime(document.uploaded_at),
            document.sha256,
            entry.secrecy,
        )
        lines.append("\t".join(csv_safe(field) for field in fields) + missing)
    return "\n".join(lines) + "\n"


class _Sink:
    """A write-only, unseekable stream that hands out what was written since the last take."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def stream_zip(round_: Round, entries: list[Entry]) -> Iterator[bytes]:
    """The ZIP, piece by piece. ``entries`` and the manifest are prepared before the first piece,
    so the generator needs no database session while it runs."""
    text = manifest(round_, entries).encode("utf-8")
    files = [
        (e.name, e.path, to_local(e.document.uploaded_at).timetuple()[:6], zip_compression(e.document))
        for e in entries
    ]

    def generate() -> Iterator[bytes]:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, text)
            yield sink.take()
            for name, path, uploaded, compression in files:
                if not path.is_file():
                    continue  # named as missing in the manifest
                info = zipfile.ZipInfo(name, date_time=uploaded)
                info.compress_type = compression
                with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
                    while chunk := source.read(_CHUNK):
                        target.write(chunk)
                        yield sink.take()
        yield sink.take()

    return generate()


def write_zip(round_: Round, stream) -> None:
    """Write the round's ZIP to a binary ``stream`` (for the command line and tests)."""
    for piece in stream_zip(round_, round_archive_entries(round_)):
        stream.write(piece)
