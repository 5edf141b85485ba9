"""Issue 11's defects of a round's life, driven through the routes as an officer would:
documents of a sent round are records (replaced, never deleted), sending without the
remissförslag and closing early ask for an explicit confirmation, a round can be scheduled to
be sent on its sending date, and extensions belong to an open round."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.core.time import format_date
from remiss.documents.models import Document, DocumentKind
from remiss.extensions import db
from remiss.notifications.models import Message
from remiss.rounds.models import Round
from remiss.rounds.operations import send_scheduled_rounds
from tests import files
from tests.factories import make_round, send
from tests.mail import at
from tests.uploads import attach_round_document, file_field


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER, name="Hanna Handläggare")


def a_round(app, *, sent=False, draft_document=False, **kwargs) -> int:
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum", "Socialnämnden Hisingen"], **kwargs)
        if draft_document:
            attach_round_document(round_, files.pdf("Förslaget"), "forslag.pdf", kind=DocumentKind.DRAFT)
        if sent:
            send(round_)
        db.session.commit()
        return round_.id


def documents_of(app, round_id) -> dict[str, int]:
    with app.app_context():
        return {
            d.original_name: d.id
            for d in db.session.scalars(sa.select(Document).where(Document.round_id == round_id))
        }


def invitations(app, round_id) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.round_id == round_id, Message.kind == "invitation"
            )
        )


def status(app, round_id):
    with app.app_context():
        return db.session.get(Round, round_id).status.value


def upload(client, round_id, name, kind="appendix", replaces=""):
    return client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": kind, "file": file_field(files.pdf(name), name), "replaces": replaces},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


# Documents ----------------------------------------------------------------------------------------


def test_a_draft_rounds_document_can_be_deleted(app, client, officer):
    round_id = a_round(app)
    upload(client, round_id, "bilaga.pdf")
    document_id = documents_of(app, round_id)["bilaga.pdf"]
    page = client.get(f"/rounds/{round_id}").text
    assert f"/rounds/{round_id}/documents/{document_id}/remove" in page
    page = client.post(f"/rounds/{round_id}/documents/{document_id}/remove", follow_redirects=True).text
    assert "bilaga.pdf är borttagen." in page
    assert documents_of(app, round_id) == {}


def test_a_sent_rounds_document_cannot_be_deleted_and_stays_downloadable(app, client, officer):
    round_id = a_round(app, sent=True, draft_document=True)
    document_id = documents_of(app, round_id)["forslag.pdf"]
    page = client.get(f"/rounds/{round_id}").text
    assert "/remove" not in page.split('id="dokument"', 1)[1].split('id="remissinstanser"', 1)[0]
    assert "dokumenten är allmänna handlingar och kan inte tas bort" in page

    page = client.post(f"/rounds/{round_id}/documents/{document_id}/remove", follow_redirects=True).text
    assert "Remissen är skickad och dess dokument är allmänna handlingar som inte kan tas bort." in page
    assert documents_of(app, round_id) == {"forslag.pdf": document_id}
    response = client.get(f"/documents/{document_id}")
    assert response.status_code == 200 and b"F\xc3\xb6rslaget" in response.data
    response.close()


def test_a_corrected_document_replaces_the_old_one_which_stays_listed_here_and_in_the_register(
    app, client, officer
):
    round_id = a_round(app, sent=True, draft_document=True)
    with app.app_context():
        db.session.get(Round, round_id).register_choice = True
        db.session.commit()
    old_id = documents_of(app, round_id)["forslag.pdf"]
    page = client.get(f"/rounds/{round_id}").text
    assert 'name="replaces"' in page and "Ersätter" in page

    page = upload(client, round_id, "forslag-rattad.pdf", kind="draft", replaces=str(old_id)).text
    assert "forslag-rattad.pdf är uppladdad och ersätter forslag.pdf." in page
    new_id = documents_of(app, round_id)["forslag-rattad.pdf"]
    assert "Ersatt av forslag-rattad.pdf" in page
    assert "ersatte Remissförslag ”forslag.pdf” med ”forslag-rattad.pdf”" in page  # the history
    for document_id, text in ((old_id, b"F\xc3\xb6rslaget"), (new_id, b"forslag-rattad.pdf")):
        response = client.get(f"/documents/{document_id}")
        assert response.status_code == 200 and text in response.data
        response.close()

    # The one already replaced cannot be replaced a second time.
    page = upload(client, round_id, "tredje.pdf", kind="draft", replaces=str(old_id)).text
    assert "Välj ett av remissens dokument i listan." in page
    assert "tredje.pdf" not in documents_of(app, round_id)

    client.post("/auth/logout")
    register = client.get(f"/register/{round_id}").text
    assert "Ersatt av forslag-rattad.pdf" in register
    for document_id in (old_id, new_id):
        assert f"/register/{round_id}/documents/{document_id}" in register
        response = client.get(f"/register/{round_id}/documents/{document_id}")
        assert response.status_code == 200
        response.close()


# Sending ------------------------------------------------------------------------------------------


def test_sending_without_the_remissforslag_asks_first_and_then_sends(app, client, officer):
    round_id = a_round(app)
    page = client.post(f"/rounds/{round_id}/open").text
    assert "Skicka remissen utan remissförslag?" in page
    assert "Remissinstanserna får då inbjudan utan själva förslaget." in page
    assert 'name="confirm" value="1"' in page and "Skicka ändå" in page
    assert status(app, round_id) == "draft" and invitations(app, round_id) == 0

    page = client.post(f"/rounds/{round_id}/open", data={"confirm": "1"}, follow_redirects=True).text
    assert "Remissen är skickad." in page
    assert status(app, round_id) == "open" and invitations(app, round_id) == 2


def test_with_the_remissforslag_it_is_sent_at_once_and_the_real_date_is_shown(app, client, officer):
    planned = date.today() - timedelta(days=3)
    round_id = a_round(app, draft_document=True, sent_on=planned)
    page = client.post(f"/rounds/{round_id}/open", follow_redirects=True).text
    assert "Remissen är skickad." in page
    with app.app_context():
        assert db.session.get(Round, round_id).sent_on == date.today()
    facts = page.split('class="facts"', 1)[1].split("</dl>", 1)[0]
    assert "Skickad" in facts and planned.isoformat() not in facts


def test_a_scheduled_round_is_sent_on_the_morning_of_its_sending_date(app, client, officer):
    sending_day = date.today() + timedelta(days=3)
    round_id = a_round(app, draft_document=True, sent_on=sending_day, deadline=sending_day + timedelta(30))
    page = client.get(f"/rounds/{round_id}").text
    assert "Schemalägg utskick" in page and "Ta bort schemaläggning" not in page

    page = client.post(f"/rounds/{round_id}/schedule", follow_redirects=True).text
    assert f"Schemalagd att skickas {format_date(sending_day, 'long')}" in page
    assert "Ta bort schemaläggning" in page
    page = client.post(f"/rounds/{round_id}/unschedule", follow_redirects=True).text
    assert "Schemaläggningen är borttagen." in page and "Schemalagd att skickas" not in page
    client.post(f"/rounds/{round_id}/schedule")

    with app.app_context():
        assert send_scheduled_rounds(now=at(sending_day - timedelta(days=1), 6)) == (0, 0)
    assert status(app, round_id) == "draft"
    with app.app_context():
        assert send_scheduled_rounds(now=at(sending_day, 6)) == (1, 0)
        round_ = db.session.get(Round, round_id)
        assert round_.is_open and round_.sent_on == sending_day and not round_.is_scheduled
    assert invitations(app, round_id) == 2
    page = client.get(f"/rounds/{round_id}").text
    assert "skickade remissen till 2 remissinstanser" in page and "Stäng remissen" in page


def test_scheduling_without_the_remissforslag_asks_first(app, client, officer):
    sending_day = date.today() + timedelta(days=3)
    round_id = a_round(app, sent_on=sending_day, deadline=sending_day + timedelta(30))
    page = client.post(f"/rounds/{round_id}/schedule").text
    assert "Schemalägg ändå" in page
    page = client.post(f"/rounds/{round_id}/schedule", data={"confirm": "1"}, follow_redirects=True).text
    assert f"Schemalagd att skickas {format_date(sending_day, 'long')}" in page


# Closing and extensions ---------------------------------------------------------------------------


def grant(client, round_id, recipient_id, until: date):
    return client.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/extension",
        data={"extended_deadline": until.isoformat(), "reason": "Nämnden sammanträder senare"},
        follow_redirects=True,
    )


def recipient_id(app, round_id, name):
    with app.app_context():
        return next(r.id for r in db.session.get(Round, round_id).recipients if r.organisation.name == name)


def test_closing_early_names_the_body_with_an_extension_and_needs_a_confirmation(app, client, officer):
    deadline = date.today() + timedelta(days=5)
    round_id = a_round(app, sent=True, draft_document=True, deadline=deadline)
    centrum = recipient_id(app, round_id, "Socialnämnden Centrum")
    until = deadline + timedelta(days=14)
    assert "har anstånd till" in grant(client, round_id, centrum, until).text

    page = client.post(f"/rounds/{round_id}/close").text
    assert "Stänga remissen i förtid?" in page
    assert f"Sista svarsdagen {format_date(deadline, 'long')} har inte passerats" in page
    assert f"Socialnämnden Centrum har anstånd till {format_date(until, 'long')}." in page
    assert "Stäng ändå" in page and status(app, round_id) == "open"

    page = client.post(f"/rounds/{round_id}/close", data={"confirm": "1"}, follow_redirects=True).text
    assert "Remissen är stängd" in page and status(app, round_id) == "closed"
    assert "stängde remissen i förtid" in page


def test_after_the_deadline_an_extension_still_running_needs_a_confirmation(app, client, officer):
    deadline = date.today() - timedelta(days=2)
    round_id = a_round(app, sent=True, sent_on=deadline - timedelta(days=30), deadline=deadline)
    hisingen = recipient_id(app, round_id, "Socialnämnden Hisingen")
    grant(client, round_id, hisingen, date.today() + timedelta(days=7))
    page = client.post(f"/rounds/{round_id}/close").text
    assert "Socialnämnden Hisingen har anstånd till" in page and "har inte passerats" not in page
    assert status(app, round_id) == "open"


def test_after_the_deadline_with_no_extension_it_closes_at_once(app, client, officer):
    deadline = date.today() - timedelta(days=2)
    round_id = a_round(app, sent=True, sent_on=deadline - timedelta(days=30), deadline=deadline)
    page = client.post(f"/rounds/{round_id}/close", follow_redirects=True).text
    assert "Remissen är stängd" in page and status(app, round_id) == "closed"


def test_extensions_only_while_the_round_is_open(app, client, officer):
    round_id = a_round(app)
    centrum = recipient_id(app, round_id, "Socialnämnden Centrum")
    url = f"/rounds/{round_id}/recipients/{centrum}/extension"
    assert url not in client.get(f"/rounds/{round_id}").text
    page = client.get(url, follow_redirects=True).text
    assert "Anstånd kan bara ges medan remissen är öppen." in page
    page = grant(client, round_id, centrum, date.today() + timedelta(days=90)).text
    assert "Anstånd kan bara ges medan remissen är öppen." in page

    client.post(f"/rounds/{round_id}/open", data={"confirm": "1"})
    assert url in client.get(f"/rounds/{round_id}").text
    client.post(f"/rounds/{round_id}/close", data={"confirm": "1"})
    assert url not in client.get(f"/rounds/{round_id}").text
