"""Uploads and downloads under abuse: an EXE renamed, a file over the limit through every real
HTTP path (test client, werkzeug, gunicorn), hostile file names, and files served only to those
allowed, as attachments, with nosniff. The round-document and answer upload forms come with the
rounds and answers areas; their tests reuse tests/uploads.py and tests/http.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.documents import service
from remiss.extensions import db
from remiss.organisations.models import Organisation
from tests import files
from tests.factories import make_organisation, make_round, make_user, send
from tests.http import multipart_body, post_over_socket, signed_in_client
from tests.servers import gunicorn_server, werkzeug_server
from tests.uploads import (
    HOSTILE_NAMES,
    assert_served_as_attachment,
    attach_answer_document,
    attach_round_document,
    file_field,
)

IMPORT = "/admin/organisations/import"


@pytest.fixture
def admin(app):
    with app.app_context():
        user = make_user(Role.ADMIN)
        db.session.commit()
        return user.get_id()


def organisation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def test_an_exe_renamed_csv_is_refused_by_the_import_form(app, client, admin):
    client = signed_in_client(app, admin)
    response = client.post(
        IMPORT, data={"file": file_field(files.exe(), "register.csv")}, follow_redirects=True
    )
    assert "Filen är inte en CSV-fil." in response.text
    assert organisation_count(app) == 0


@pytest.mark.parametrize("name", ["beslut.pdf", "beslut.PDF", "beslut.pdf.exe", "beslut"])
def test_an_exe_is_refused_whatever_it_is_called(ctx, name):
    from remiss.core.errors import DomainError
    from remiss.documents.models import DocumentKind

    round_ = make_round()
    with pytest.raises(DomainError, match="inte en fil av tillåten typ"):
        attach_round_document(round_, files.exe(), name, DocumentKind.APPENDIX)
    db.session.rollback()
    assert not any(p.is_file() for p in service._folder().rglob("*"))


TOO_LARGE = 22 * 1024 * 1024  # over MAX_CONTENT_LENGTH (21 MB)


def _assert_too_large_page(status: int, text: str) -> None:
    assert status == 413
    assert "Filen är för stor" in text
    assert "En fil får vara högst 20 MB" in text
    assert '<html lang="sv">' in text


def test_a_file_over_the_limit_gets_the_swedish_page_from_the_test_client(app, admin):
    client = signed_in_client(app, admin)
    body, content_type = multipart_body({}, {"file": ("stor.csv", files.large_pdf(22), "text/csv")})
    response = client.post(IMPORT, data=body, content_type=content_type)
    _assert_too_large_page(response.status_code, response.text)
    assert organisation_count(app) == 0


@pytest.mark.parametrize("megabytes", [22, 60])
def test_a_file_over_the_limit_gets_the_swedish_page_from_a_real_server(app, admin, megabytes):
    """Over a real socket the browser sends the whole file before reading the answer; werkzeug's
    server must answer with the page, not a reset connection."""
    cookie = "session=" + signed_in_client(app, admin).get_cookie("session").value
    body, content_type = multipart_body({}, {"file": ("stor.csv", b"a" * megabytes * 2**20, "text/csv")})
    with werkzeug_server(app) as url:
        response = post_over_socket(url + IMPORT, body, content_type, cookie)
    _assert_too_large_page(response.status, response.text)
    assert organisation_count(app) == 0


def test_a_file_over_the_limit_gets_the_swedish_page_from_gunicorn(app, admin, tmp_path):
    """gunicorn closes the connection when a request body is left unread; the 413 page reads it."""
    cookie = "session=" + signed_in_client(app, admin).get_cookie("session").value
    body, content_type = multipart_body({}, {"file": ("stor.csv", b"a" * TOO_LARGE, "text/csv")})
    config = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path),
    }
    with gunicorn_server(config) as url:
        response = post_over_socket(url + IMPORT, body, content_type, cookie)
    _assert_too_large_page(response.status, response.text)
    assert organisation_count(app) == 0


@pytest.fixture
def invited(app):
    """An open round sent to Socialnämnden Centrum, and a respondent of each organisation."""
    with app.app_context():
        centrum = make_organisation("Socialnämnden Centrum")
        other = make_organisation("Kriminalvården")
        round_ = make_round(officer=make_user(Role.OFFICER), recipients=[centrum, other])
        send(round_)
        users = {
            "officer": make_user(Role.OFFICER).get_id(),
            "manager": make_user(Role.MANAGER).get_id(),
            "admin": make_user(Role.ADMIN).get_id(),
            "centrum": make_user(Role.RESPONDENT, centrum).get_id(),
            "other": make_user(Role.RESPONDENT, other).get_id(),
        }
        db.session.commit()
        return round_.id, users


@pytest.mark.parametrize("name, expected", HOSTILE_NAMES.items(), ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_are_cleaned_and_served_as_attachments(app, invited, name, expected):
    round_id, users = invited
    data = files.pdf(name)
    with app.app_context():
        from remiss.rounds.models import Round

        document = attach_round_document(db.session.get(Round, round_id), data, name)
        db.session.commit()
        document_id = document.id
        stored = service.path_of(document)
        assert stored.parent.parent == service._folder()  # under the upload folder, by a made name
        assert stored.name == document.stored_name and stored.name.isalnum()
    response = signed_in_client(app, users["officer"]).get(f"/documents/{document_id}")
    assert_served_as_attachment(response, expected, "application/pdf", data)
    assert len(expected) <= 255


def test_round_documents_only_for_those_who_see_the_round(app, invited):
    round_id, users = invited
    data = files.pdf()
    with app.app_context():
        from remiss.rounds.models import Round

        round_ = db.session.get(Round, round_id)
        document_id = attach_round_document(round_, data, "Remissförslag.pdf").id
        draft_round = make_round(officer=make_user(Role.OFFICER), recipients=["Socialnämnden Centrum"])
        draft_document_id = attach_round_document(draft_round, data, "Utkast.pdf").id
        db.session.commit()

    url = f"/documents/{document_id}"
    for who in ("officer", "manager", "centrum", "other"):  # both bodies are invited
        assert_served_as_attachment(
            signed_in_client(app, users[who]).get(url), "Remissförslag.pdf", "application/pdf", data
        )
    assert signed_in_client(app, users["admin"]).get(url).status_code == 404
    anonymous = signed_in_client(app, None).get(url)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]

    # A round not yet sent does not exist for respondents, nor do its files.
    draft_url = f"/documents/{draft_document_id}"
    assert_served_as_attachment(
        signed_in_client(app, users["officer"]).get(draft_url), "Utkast.pdf", "application/pdf"
    )
    response = signed_in_client(app, users["centrum"]).get(draft_url)
    assert response.status_code == 404 and "Sidan finns inte" in response.text


def test_an_answers_file_only_for_its_own_body_and_the_office(app, invited):
    round_id, users = invited
    data = files.pdf("Protokollsutdrag")
    with app.app_context():
        from remiss.rounds.models import Round

        round_ = db.session.get(Round, round_id)
        centrum = round_.recipient_for(make_organisation("Socialnämnden Centrum").id)
        document_id = attach_answer_document(centrum, data, "Protokoll § 12.pdf").id
        db.session.commit()

    url = f"/documents/{document_id}"
    for who in ("officer", "manager", "centrum"):
        assert_served_as_attachment(
            signed_in_client(app, users[who]).get(url), "Protokoll § 12.pdf", "application/pdf", data
        )
    for who in ("other", "admin"):
        response = signed_in_client(app, users[who]).get(url)
        assert response.status_code == 404, who
    assert signed_in_client(app, users["officer"]).get("/documents/999999").status_code == 404


def test_files_are_kept_outside_the_static_folder(app, invited):
    round_id, users = invited
    with app.app_context():
        from remiss.rounds.models import Round

        document = attach_round_document(db.session.get(Round, round_id), files.pdf(), "a.pdf")
        db.session.commit()
        stored = service.path_of(document).resolve()
    static = (app.root_path and app.static_folder) or ""
    assert not str(stored).startswith(str(static))
    client = signed_in_client(app, users["officer"])
    assert client.get(f"/static/{stored.parent.name}/{stored.name}").status_code == 404
