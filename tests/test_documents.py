"""Storing and serving uploaded files."""

import io

import pytest

from remiss.core.errors import DomainError
from remiss.documents import service
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from tests import files
from tests.factories import make_round


def store(data: bytes, name: str, allowed=service.ROUND_DOCUMENT_TYPES):
    return service.store(io.BytesIO(data), name, kind=DocumentKind.APPENDIX, allowed=allowed)


@pytest.mark.parametrize(
    "data, name, content_type",
    [
        (files.pdf(), "Förslag till riktlinje – bilaga 1.pdf", "application/pdf"),
        (files.docx(), "Missiv.docx", service.DOCX.content_type),
        (files.odt(), "Yttrande.odt", service.ODT.content_type),
        (files.xlsx(), "Underlag.xlsx", service.XLSX.content_type),
    ],
)
def test_accepted_types_are_recognised_by_content(ctx, data, name, content_type):
    document = store(data, name)
    assert document.content_type == content_type
    assert document.original_name == name
    assert document.size == len(data)
    assert service.path_of(document).read_bytes() == data


@pytest.mark.parametrize(
    "data, name, message",
    [
        (files.exe(), "beslut.pdf", "inte en fil av tillåten typ"),
        (b"", "tom.pdf", "är tom"),
        (files.pdf(), "beslut.docx", "har filändelsen .docx men innehållet är PDF"),
        (files.xlsx(), "beslut.xlsx", "inte en fil av tillåten typ"),
        (b"PK\x03\x04 not really a zip", "x.docx", "inte en fil av tillåten typ"),
    ],
)
def test_refused_files(ctx, data, name, message):
    with pytest.raises(DomainError, match=message):
        store(data, name, allowed=service.DECISION_TYPES)


def test_too_large_file_gets_a_swedish_message(ctx):
    with pytest.raises(DomainError, match="En fil får vara högst 20 MB"):
        store(files.large_pdf(21), "stor.pdf")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\beslut.pdf", "beslut.pdf"),
        ("besl\x00ut.pdf", "beslut.pdf"),
        ("åäö.pdf", "åäö.pdf"),
        ("", "dokument.pdf"),
        (".pdf", "dokument.pdf"),
        ("utan ändelse", "utan ändelse.pdf"),
    ],
)
def test_download_names_are_cleaned(name, expected):
    assert service.clean_filename(name, service.PDF) == expected


def test_long_names_are_cut_keeping_the_extension():
    cleaned = service.clean_filename("å" * 300 + ".pdf", service.PDF)
    assert len(cleaned) == 255 and cleaned.endswith("å.pdf")


def test_a_rolled_back_upload_leaves_no_file(ctx):
    round_ = make_round()
    db.session.commit()
    document = store(files.pdf(), "bilaga.pdf")
    document.round_id = round_.id
    db.session.add(document)
    path = service.path_of(document)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def test_an_upload_never_committed_is_removed_at_the_end_of_the_request(app):
    with app.app_context():
        document = store(files.pdf(), "bilaga.pdf")
        path = service.path_of(document)
        assert path.exists()
    assert not path.exists()


def test_a_committed_upload_stays_and_deletion_removes_it_on_commit(ctx):
    round_ = make_round()
    document = store(files.pdf(), "bilaga.pdf")
    document.round_id = round_.id
    db.session.add(document)
    db.session.commit()
    path = service.path_of(document)
    assert path.exists()
    service.delete(document)
    assert path.exists()
    db.session.commit()
    assert not path.exists()
