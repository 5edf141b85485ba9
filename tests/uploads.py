"""Helpers for tests of uploads and downloads, for any form that takes a file: build the file
field, attach documents to a round or an answer the way the services do, and check how a file
is served. The real files are in tests/files.py."""

from __future__ import annotations

import io

from werkzeug.http import parse_options_header

from remiss.documents import service
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db

# Names people give files, and names an attacker gives them: what must come out of each.
HOSTILE_NAMES = {
    "../../etc/passwd.pdf": "passwd.pdf",
    "..\\..\\Windows\\system32\\beslut.pdf": "beslut.pdf",
    "beslut\x00.exe.pdf": "beslut.exe.pdf",
    "protokoll\r\nSet-Cookie: x=1.pdf": "protokollSet-Cookie: x=1.pdf",
    "åäöÅÄÖ.pdf": "åäöÅÄÖ.pdf",
    "Yttrande från Socialnämnden Centrum – § 12.pdf": "Yttrande från Socialnämnden Centrum – § 12.pdf",
    "ö" * 300 + ".pdf": "ö" * 251 + ".pdf",
    '"; filename="evil.html.pdf': '"; filename="evil.html.pdf',
}


def file_field(data: bytes, filename: str) -> tuple[io.BytesIO, str]:
    """A value for a file field in ``client.post(..., data={...})``: sent as multipart/form-data."""
    return io.BytesIO(data), filename


def attach_round_document(round_, data: bytes, filename: str, kind=DocumentKind.APPENDIX) -> Document:
    """Store ``data`` through the documents service and attach it to ``round_`` (caller commits)."""
    document = service.store(io.BytesIO(data), filename, kind=kind, allowed=service.ROUND_DOCUMENT_TYPES)
    document.round_id = round_.id  # Round.documents is view-only
    db.session.add(document)
    db.session.flush()
    return document


def attach_answer_document(recipient, data: bytes, filename: str, by=None) -> Document:
    """Store ``data`` as the decision attached to ``recipient``'s draft answer (caller commits)."""
    from remiss.answers.models import Answer

    if recipient.answer is None:
        recipient.answer = Answer()
    version = recipient.answer.start_draft(by=by)
    document = service.store(
        io.BytesIO(data), filename, kind=DocumentKind.DECISION, allowed=service.DECISION_TYPES
    )
    version.documents.append(document)
    db.session.flush()
    return document


def download_name(response) -> str:
    kind, options = parse_options_header(response.headers["Content-Disposition"])
    assert kind == "attachment", response.headers["Content-Disposition"]
    return options["filename"]


def assert_served_as_attachment(response, name: str, content_type: str, data: bytes | None = None) -> None:
    """A download as the tracker must serve it: an attachment under its cleaned name, the right
    type, never sniffed into something else, never cached by shared caches."""
    assert response.status_code == 200, response.status_code
    assert download_name(response) == name
    assert response.mimetype == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    raw = response.headers["Content-Disposition"]
    assert "\x00" not in raw and "\r" not in raw and "\n" not in raw
    body = response.get_data()
    response.close()  # send_file's open file
    if data is not None:
        assert body == data
