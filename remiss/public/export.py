""" "Download all answers": one ZIP with every submitted answer's public files, in a folder per
organisation, and ``svar.csv`` listing the answers. Built from the same rules as the register
page (``public_answers``, and ``public_files`` for the files), so a confidential answer or file
never goes into it. Every field of the listing goes through the formula-safe CSV writer
(``remiss.core.spreadsheets``), whichever row and column it is in.

``archive_contents`` describes what the ZIP of a round would hold – a stamp of everything it is
made from (each answer's latest submitted version, the secrecy markings of the answer and its
files, the organisation's name) and the number and size of its files – so that a large round's
archive can be built once, kept under its stamp, and never served after a correction
(``remiss.public.archive_job``)."""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from remiss.core.spreadsheets import csv_writer
from remiss.documents import service as documents
from remiss.documents.models import Document
from remiss.public.service import PublicAnswer, public_answers, secrecy_notice
from remiss.rounds.models import Round

LISTING_NAME = "svar.csv"
LISTING_HEADER = (
    "Organisation",
    "Inkom",
    "Ställningstagande",
    "Beslut",
    "Synpunkt på förslaget som helhet",
    "Övriga synpunkter",
    "Filer",
)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(name: str) -> str:
    """A file or folder name that unpacks the same on Windows, macOS and Linux."""
    cleaned = _UNSAFE.sub(" ", name).strip(" .")
    return cleaned[:120] or "namnlös"


def archive_name(round_: Round) -> str:
    return safe_name(f"Remissvar {round_.dnr.replace('/', '-')} {round_.title}")[:100] + ".zip"


def public_files(answer: PublicAnswer) -> list[Document]:
    """The files of ``answer`` that the public may have: none of a confidential answer, and no
    confidential file. The one filter for the ZIP, wherever it is built."""
    if answer.is_confidential:
        return []
    return [document for document in answer.documents if document.secrecy_ground is None]


# Bump when what write_zip writes changes, so that no archive kept under an old stamp is served.
ARCHIVE_FORMAT = "1"


@dataclass(frozen=True)
class ArchiveContents:
    stamp: str  # changes whenever anything the ZIP is made from changes
    files: int  # public files
    bytes: int  # their size, uncompressed


def archive_contents(answers: list[PublicAnswer]) -> ArchiveContents:
    """What the ZIP of ``answers`` (``public_answers(round_)``) holds: a stamp of every answer's
    latest submitted version with its marking and every file of it with its marking (public or
    not, so that marking or lifting changes it), and the public files' number and size."""
    digest = hashlib.sha256(ARCHIVE_FORMAT.encode())
    files = size = 0
    for answer in sorted(answers, key=lambda a: a.recipient.id):
        version = answer.version
        marks = sorted((d.id, d.secrecy_ground or "") for d in answer.documents)
        part = (
            answer.recipient.id,
            answer.organisation.name,
            version.id,
            version.secrecy_ground or "",
            marks,
        )
        digest.update(repr(part).encode("utf-8"))
        public = public_files(answer)
        files += len(public)
        size += sum(d.size for d in public)
    return ArchiveContents(stamp=digest.hexdigest()[:40], files=files, bytes=size)


def write_zip(
    round_: Round,
    now: datetime,
    out: BinaryIO | None = None,
    *,
    answers: list[PublicAnswer] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BinaryIO:
    """The ZIP of ``round_``'s public answers (``answers``, by default ``public_answers(round_)``)
    written to ``out`` (by default a temporary file, rewound, ready to send). ``progress(done,
    total)`` is called after each answer."""
    rewind = out is None
    if out is None:
        out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)
    answers = public_answers(round_) if answers is None else answers
    listing = io.StringIO()
    writer = csv_writer(listing, delimiter=";", lineterminator="\r\n")
    writer.writerow(LISTING_HEADER)
    stamp = now.timetuple()[:6]
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, answer in enumerate(answers, start=1):
            folder = safe_name(answer.organisation.name)
            names = []
            for document in public_files(answer):
                path = documents.path_of(document)
                if not path.is_file():
                    continue
                arcname = _unique(f"{folder}/{safe_name(document.original_name)}", used)
                archive.write(path, arcname, compress_type=documents.zip_compression(document))
                names.append(arcname)
            writer.writerow(_row(answer, names))
            if progress is not None:
                progress(done, len(answers))
        info = zipfile.ZipInfo(LISTING_NAME, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, "\ufeff" + listing.getvalue())
    if rewind:
        out.seek(0)
    return out


def _unique(name: str, used: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}).{extension}" if dot else f"{name} ({n})"
    used.add(candidate.casefold())
    return candidate


def _row(answer: PublicAnswer, files: list[str]) -> list[str]:
    version = answer.version
    received = version.received_on.isoformat()
    if answer.is_confidential:
        notice = secrecy_notice(version.secrecy_ground)
        return [answer.organisation.name, received, notice, "", "", "", ""]
    return [
        answer.organisation.name,
        received,
        version.position.label if version.position else "",
        version.decision_text,
        version.comment,
        version.other_comments,
        ", ".join(files),
    ]
