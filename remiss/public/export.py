""" "Download all answers": one ZIP with every submitted answer's public files, in a folder per
organisation, and ``svar.csv`` listing the answers. Built from the same rules as the register
page (``public_answers``), so a confidential answer or file never goes into it. Every field of
the listing goes through the formula-safe CSV writer (``remiss.core.spreadsheets``), whichever
row and column it is in."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import datetime

from remiss.core.spreadsheets import csv_writer
from remiss.documents import service as documents
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


def write_zip(round_: Round, now: datetime) -> tempfile.SpooledTemporaryFile:
    """The ZIP of ``round_``'s public answers, rewound, ready to send."""
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)
    answers = public_answers(round_)
    listing = io.StringIO()
    writer = csv_writer(listing, delimiter=";", lineterminator="\r\n")
    writer.writerow(LISTING_HEADER)
    stamp = now.timetuple()[:6]
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for answer in answers:
            folder = safe_name(answer.organisation.name)
            names = []
            if not answer.is_confidential:
                for document in answer.documents:
                    if document.secrecy_ground is not None:
                        continue
                    path = documents.path_of(document)
                    if not path.is_file():
                        continue
                    arcname = _unique(f"{folder}/{safe_name(document.original_name)}", used)
                    archive.write(path, arcname)
                    names.append(arcname)
            writer.writerow(_row(answer, names))
        info = zipfile.ZipInfo(LISTING_NAME, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, "\ufeff" + listing.getvalue())
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
