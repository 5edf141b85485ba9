"""Storing uploaded files: content checked (not only the name), kept outside ``static/`` under
generated names, and tied to the database transaction: a file stored in a transaction that
rolls back is removed again, and a deleted document's file goes only when the deletion commits."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import abort, current_app, send_file

from remiss.core.errors import DomainError
from remiss.core.text import file_size
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str
    # A ZIP container already (Word, Excel, OpenDocument): deflating it again in an archive
    # costs time and saves nothing.
    compressed: bool = False


PDF = FileType("pdf", "application/pdf", "PDF")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (DOCX)",
    compressed=True,
)
XLSX = FileType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel (XLSX)",
    compressed=True,
)
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument-text (ODT)", compressed=True)

ROUND_DOCUMENT_TYPES = (PDF, DOCX, ODT, XLSX)
DECISION_TYPES = (PDF, DOCX, ODT)


def zip_compression(document: Document) -> int:
    """How a stored file goes into a ZIP of the tracker's (the public archive, the summary's
    archive): stored as it is when it is a compressed container already, deflated otherwise."""
    compressed = any(t.compressed and t.content_type == document.content_type for t in ROUND_DOCUMENT_TYPES)
    return zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED


MAX_NAME_LENGTH = 255


def _zip_names(head: bytes, stream: BinaryIO) -> list[str] | None:
    if not head.startswith(b"PK\x03\x04"):
        return None
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def detect_type(stream: BinaryIO) -> FileType | None:
    """What the bytes are, whatever the file is called."""
    stream.seek(0)
    head = stream.read(64)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    names = _zip_names(head, stream)
    stream.seek(0)
    if names is None:
        return None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    if names and names[0] == "mimetype":
        with zipfile.ZipFile(stream) as archive:
            mimetype = archive.read("mimetype").strip().decode("ascii", "replace")
        stream.seek(0)
        if mimetype == ODT.content_type:
            return ODT
    return None


def clean_filename(name: str, file_type: FileType) -> str:
    """The name to download the file by: the user's own (Swedish letters kept), without any
    directory part or control characters, at most 255 characters, with the right extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    stem, dot, _extension = name.rpartition(".")
    if not dot:
        stem = name
    stem = stem.strip(" .")
    if not stem:
        stem = "dokument"
    suffix = f".{file_type.extension}"
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_of(document: Document) -> Path:
    return _folder() / document.stored_name[:2] / document.stored_name


def store(
    stream: BinaryIO,
    filename: str,
    *,
    kind: DocumentKind,
    allowed: tuple[FileType, ...],
    uploaded_by=None,
) -> Document:
    """Check and store an upload; return its (unsaved) Document. Raises ``DomainError`` with a
    Swedish message when the file is empty, too large or not of an allowed type. The caller adds
    the document to its owner and commits; a rollback removes the stored file."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    display = filename or "Filen"
    if size == 0:
        raise DomainError(f"{display} är tom.")
    if size > limit:
        raise DomainError(f"{display} är {file_size(size)}. En fil får vara högst {file_size(limit)}.")
    file_type = detect_type(stream)
    if file_type not in allowed:
        kinds = ", ".join(t.label for t in allowed)
        raise DomainError(f"{display} är inte en fil av tillåten typ. Tillåtna filtyper: {kinds}.")
    claimed = filename.rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if claimed and claimed != file_type.extension:
        raise DomainError(
            f"{display} har filändelsen .{claimed} men innehållet är {file_type.label}. "
            "Kontrollera att du valt rätt fil."
        )

    stored_name = secrets.token_hex(16)
    target = _folder() / stored_name[:2] / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    temporary = target.with_suffix(".part")
    with open(temporary, "wb") as out:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
            out.write(chunk)
    os.replace(temporary, target)
    _pending(db.session(), "stored").append(target)

    return Document(
        kind=kind,
        original_name=clean_filename(filename, file_type),
        stored_name=stored_name,
        content_type=file_type.content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
    )


def send(document: Document, *, public: bool = False):
    """The file as a download: always an attachment under its original name, never sniffed;
    a private file is never cached. A file missing from storage is a 404."""
    path = path_of(document)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def store_upload(upload, *, kind: DocumentKind, allowed: tuple[FileType, ...], uploaded_by=None) -> Document:
    """``store`` for a file posted with a form (a ``FileStorage``), under the name it was sent by."""
    return store(upload.stream, upload.filename or "", kind=kind, allowed=allowed, uploaded_by=uploaded_by)


def delete(document: Document) -> None:
    """Delete a document; its file is removed when the deletion commits."""
    _pending(db.session(), "deleted").append(path_of(document))
    db.session.delete(document)


def _pending(session, key: str) -> list[Path]:
    return session.info.setdefault(f"documents_{key}", [])


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _after_commit(session) -> None:
    for path in session.info.pop("documents_deleted", []):
        path.unlink(missing_ok=True)
    session.info.pop("documents_stored", None)


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    for path in session.info.pop("documents_stored", []):
        path.unlink(missing_ok=True)
    session.info.pop("documents_deleted", None)


def discard_uncommitted() -> None:
    """Remove files stored in a request or command that ended without committing them."""
    session = db.session()
    for path in session.info.pop("documents_stored", []):
        path.unlink(missing_ok=True)
    session.info.pop("documents_deleted", None)


# Orphans --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrphanReport:
    removed: list[Path]
    kept_young: int

    def __str__(self) -> str:
        return (
            f"{len(self.removed)} filer utan dokument togs bort, "
            f"{self.kept_young} för nya för att röras ännu."
        )


def remove_orphan_files(now: float | None = None, *, dry_run: bool = False) -> OrphanReport:
    """Remove files in the upload folder that no document row refers to and that are older than
    ``ORPHAN_FILE_AGE`` (partial ``.part`` files of a killed worker, files of a transaction that
    never committed). A younger file may belong to an upload still under way and is left alone.
    Run daily by the scheduler, and as ``flask --app app remove-orphan-files``."""
    import time

    folder = _folder()
    if not folder.is_dir():
        return OrphanReport([], 0)
    now = time.time() if now is None else now
    limit = current_app.config["ORPHAN_FILE_AGE"].total_seconds()
    known = set(db.session.scalars(sa.select(Document.stored_name)))
    removed, young = [], 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.name
        if name in known and path.parent.name == name[:2]:
            continue
        if now - path.stat().st_mtime < limit:
            young += 1
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        removed.append(path)
    return OrphanReport(removed, young)


def init_app(app) -> None:
    import click

    app.teardown_appcontext(lambda exc: discard_uncommitted())

    @app.cli.command("remove-orphan-files")
    @click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
    def remove_orphan_files_command(dry_run: bool) -> None:
        """Remove uploaded files that no document refers to (older than a day)."""
        report = remove_orphan_files(dry_run=dry_run)
        for path in report.removed:
            click.echo(f"{'Skulle ta bort' if dry_run else 'Borttagen'}: {path}")
        click.echo(str(report))
