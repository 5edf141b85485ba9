"""Creating and editing a round, and its documents, through the routes as an officer would."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.documents.models import Document
from remiss.documents.service import path_of
from remiss.extensions import db
from remiss.rounds.models import Round, RoundStatus
from tests import files
from tests.factories import make_round, send


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER, name="Hanna Handläggare")


def round_data(officer, **changes):
    data = {
        "title": "Förslag till riktlinje för arbete med avhoppare",
        "dnr": "1370/21",
        "description": "Synpunkter önskas särskilt på ansvarsfördelningen.",
        "decision": "Kommunstyrelsen 2022-12-14 § 1034",
        "officer_id": str(officer.id),
        "sent_on": "2023-01-10",
        "deadline": "2023-03-31",
    }
    data.update(changes)
    return data


def new_round(app, **kwargs) -> int:
    with app.app_context():
        round_ = make_round(**kwargs)
        db.session.commit()
        return round_.id


def test_officer_creates_a_draft_round(app, client, officer):
    form = client.get("/rounds/new").text
    assert "Ny remiss" in form and "Hanna Handläggare" in form
    response = client.post("/rounds/new", data=round_data(officer))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Remissen är skapad som utkast" in page
    assert "Förslag till riktlinje för arbete med avhoppare" in page
    assert "Kommunstyrelsen 2022-12-14 § 1034" in page and "2023-03-31" in page
    with app.app_context():
        round_ = db.session.scalars(sa.select(Round)).one()
        assert round_.status is RoundStatus.DRAFT
        assert round_.officer_id == officer.id
        assert round_.sent_on == date(2023, 1, 10) and round_.deadline == date(2023, 3, 31)
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.round_id == round_.id)).one()
        assert event.action == "round.created" and event.actor_id == officer.id


def test_the_same_case_number_can_be_used_twice(app, client, officer):
    client.post("/rounds/new", data=round_data(officer))
    assert client.post("/rounds/new", data=round_data(officer, title="Reviderat förslag")).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Round.dnr)).all() == ["1370/21", "1370/21"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"deadline": "2023-01-09"}, "Sista svarsdag måste vara efter utskicksdagen."),
        ({"deadline": "2023-01-10"}, "Sista svarsdag måste vara efter utskicksdagen."),
        ({"dnr": "KS 1370-2021"}, "Ange diarienumret som nummer/år, t.ex. 1668/20."),
        ({"dnr": "1370/2021"}, "Ange diarienumret som nummer/år, t.ex. 1668/20."),
        ({"title": ""}, "Ange remissens titel."),
        ({"sent_on": "10/1 2023"}, "Ange utskicksdag (ÅÅÅÅ-MM-DD)."),
        ({"officer_id": "99999"}, "Välj en handläggare i listan."),
    ],
)
def test_bad_facts_are_refused_with_a_swedish_message(app, client, officer, changes, message):
    response = client.post("/rounds/new", data=round_data(officer, **changes))
    assert response.status_code == 200
    assert "Formuläret innehåller fel" in response.text and message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_a_draft_is_edited_in_full(app, client, officer):
    round_id = new_round(app)
    response = client.post(
        f"/rounds/{round_id}/edit", data=round_data(officer, title="Ny titel", deadline="2023-04-30")
    )
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_.title == "Ny titel" and round_.deadline == date(2023, 4, 30)


def test_once_sent_only_description_and_officer_can_be_corrected(app, client, officer, login_as):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"], title="Ursprunglig titel")
        send(round_)
        db.session.commit()
        round_id, deadline = round_.id, round_.deadline
    form = client.get(f"/rounds/{round_id}/edit").text
    assert 'name="title"' not in form and 'name="description"' in form
    assert "kan inte ändras längre" in form
    client.post(
        f"/rounds/{round_id}/edit",
        data=round_data(officer, title="Smygändrad", deadline="2030-01-01", description="Rättad text."),
    )
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_.title == "Ursprunglig titel" and round_.deadline == deadline
        assert round_.description == "Rättad text." and round_.officer_id == officer.id


def test_documents_keep_their_swedish_names_and_can_be_removed(app, client, officer):
    round_id = new_round(app)
    name = "Förslag till riktlinje – bilaga 1.pdf"
    response = client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": "appendix", "file": (io.BytesIO(files.pdf()), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/rounds/{round_id}").text
    assert f"{name} är uppladdad." in page and "Bilaga" in page
    client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": "cover_letter", "file": (io.BytesIO(files.docx()), "Missiv.docx")},
        content_type="multipart/form-data",
    )
    with app.app_context():
        document = db.session.scalars(sa.select(Document).order_by(Document.id)).first()
        document_id, path = document.id, path_of(document)
    assert path.exists()
    download = client.get(f"/documents/{document_id}")
    assert download.status_code == 200 and download.data == files.pdf()
    assert "bilaga%201.pdf" in download.headers["Content-Disposition"]
    download.close()

    response = client.post(f"/rounds/{round_id}/documents/{document_id}/remove")
    assert response.status_code == 302
    assert f"{name} är borttagen." in client.get(f"/rounds/{round_id}").text
    assert not path.exists()
    with app.app_context():
        assert [d.original_name for d in db.session.scalars(sa.select(Document))] == ["Missiv.docx"]


def test_an_exe_renamed_to_pdf_is_refused(app, client, officer):
    round_id = new_round(app)
    response = client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": "draft", "file": (io.BytesIO(files.exe()), "Remissförslag.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Remissförslag.pdf är inte en fil av tillåten typ." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_a_25_mb_file_gets_the_swedish_page(app, client, officer):
    round_id = new_round(app)
    # Encoded in memory: the test client's own temporary file is left open when the app refuses
    # to read a body over MAX_CONTENT_LENGTH.
    boundary, body = encode_multipart(
        {"kind": "draft", "file": FileStorage(io.BytesIO(files.large_pdf(25)), "Stor.pdf")}
    )
    response = client.post(
        f"/rounds/{round_id}/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "Filen är för stor" in response.text and "högst 20 MB" in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_a_file_just_over_20_mb_inside_the_request_limit_is_refused_by_the_service(app, client, officer):
    round_id = new_round(app)
    response = client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": "draft", "file": (io.BytesIO(files.pdf() + b"0" * (20 * 1024 * 1024)), "Stor.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "En fil får vara högst 20 MB." in response.text


@pytest.mark.parametrize("role", [Role.MANAGER, Role.RESPONDENT])
def test_others_cannot_create_or_edit(app, client, login_as, role):
    round_id = new_round(app, recipients=["Socialnämnden Centrum"])
    login_as(role)
    for url in ("/rounds/new", f"/rounds/{round_id}/edit"):
        response = client.post(url, data={"title": "Kapad"})
        assert response.status_code == 403 and "Du saknar behörighet" in response.text
    with app.app_context():
        assert db.session.get(Round, round_id).title != "Kapad"
