"""The defects of issue 11 on the answer side, driven through the routes as a user would: a
closed round tells a body with a draft whom to contact and offers no submit that can only fail;
an archived round refuses reopening whoever asks; a reopened answer reads "Öppnat för rättelse"
to the body too; an answer the office registered itself is not unread."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import AnswerStatus
from remiss.core.errors import DomainError
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round
from tests.answering import CENTRUM, NORDOST, create_open_round, edit_url, load_form, sign_in
from tests.factories import PASSWORD
from tests.http import read_form

OFFICER_EMAIL = "handlaggare@example.goteborg.se"


def recipient_of(round_id: int, organisation: str = CENTRUM) -> Recipient:
    db.session.remove()
    return db.session.scalar(
        sa.select(Recipient)
        .join(Organisation)
        .where(Recipient.round_id == round_id, Organisation.name == organisation)
    )


def the_officer(app):
    """The round's own officer (Hanna Handläggare of ``create_open_round``), signed in."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": OFFICER_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def save_draft(client, round_id, **values):
    response = client.post(edit_url(round_id), data=load_form(client, round_id) | values)
    assert response.status_code == 302, response.text


def submit(client, round_id):
    page = client.get(f"/answers/rounds/{round_id}/preview").text
    submit_url = f"/answers/rounds/{round_id}/submit"
    return client.post(submit_url, data=read_form(page, submit_url))


def close(app, round_id, *, archive=False):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.close()
        if archive:
            round_.archive()
        db.session.commit()


def register(officer, round_id, recipient_id, received_on=None):
    return officer.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/register",
        data={
            "received_on": (received_on or date.today()).isoformat(),
            "channel": "email",
            "position": "tillstyrker",
        },
    )


# a. A closed round --------------------------------------------------------------------------------
def test_a_closed_round_tells_a_body_with_a_draft_whom_to_contact_and_offers_no_submit(app):
    round_id = create_open_round(app, deadline=date.today() - timedelta(days=2))
    client, _ = sign_in(app)
    save_draft(client, round_id, position="tillstyrker", comment="Hann inte skicka")
    assert "Förhandsgranska och skicka in" in client.get(f"/answers/rounds/{round_id}").text
    close(app, round_id)

    contact = f"Kontakta handläggaren Hanna Handläggare ({OFFICER_EMAIL})"
    page = client.get(f"/answers/rounds/{round_id}").text
    assert "Remissen är stängd och tar inte emot fler svar." in page and contact in page
    assert "Förhandsgranska och skicka in" not in page
    assert "Fortsätt med utkastet" not in page
    assert f"/answers/rounds/{round_id}/preview" not in page

    for url in (edit_url(round_id), f"/answers/rounds/{round_id}/preview"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/answers/rounds/{round_id}"
        page = client.get(response.headers["Location"]).text
        assert "Remissen är stängd och tar inte emot fler svar." in page and contact in page
    with app.app_context():
        recipient = recipient_of(round_id)
        assert recipient.status is AnswerStatus.DRAFT and recipient.draft.comment == "Hann inte skicka"


def test_the_officer_still_registers_a_late_answer_on_a_closed_round(app):
    round_id = create_open_round(app, deadline=date.today() - timedelta(days=4))
    close(app, round_id)
    with app.app_context():
        recipient_id = recipient_of(round_id, NORDOST).id
    officer = the_officer(app)
    assert officer.get(f"/rounds/{round_id}/recipients/{recipient_id}/register").status_code == 200
    response = register(officer, round_id, recipient_id)
    assert response.status_code == 302
    page = officer.get(response.headers["Location"]).text
    assert "är registrerat som version 1 (e-post" in page and "4 dagar för sent" in page
    with app.app_context():
        assert recipient_of(round_id, NORDOST).latest_submitted.days_late == 4


# b. Reopening on an archived round ----------------------------------------------------------------
def test_an_archived_round_refuses_reopening_in_the_model_the_page_and_the_route(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, position="avstyrker")
    assert submit(client, round_id).status_code == 302
    with app.app_context():
        recipient_id = recipient_of(round_id).id
    officer = the_officer(app)
    versions_url = f"/rounds/{round_id}/recipients/{recipient_id}/versions"
    assert "Öppna svaret för rättelse" in officer.get(versions_url).text  # while it may
    close(app, round_id, archive=True)

    with app.app_context():
        answer = recipient_of(round_id).answer
        assert not answer.can_reopen
        with pytest.raises(DomainError, match="Remissen är avslutad; svaren kan inte längre rättas."):
            answer.reopen(by=None, reason="Rättelse")
        db.session.rollback()

    assert "Öppna svaret för rättelse" not in officer.get(versions_url).text
    response = officer.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/reopen",
        data={"reason": "Rättelse"},
        follow_redirects=True,
    )
    assert "Remissen är avslutad; svaren kan inte längre rättas." in response.text
    with app.app_context():
        answer = recipient_of(round_id).answer
        assert answer.status is AnswerStatus.SUBMITTED and answer.reopened_at is None


# c. A reopened answer, as the body sees it ---------------------------------------------------------
def test_a_reopened_answer_reads_oppnat_for_rattelse_to_the_body_at_once(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, position="avstyrker")
    submit(client, round_id)
    with app.app_context():
        recipient_id = recipient_of(round_id).id
    assert "<td>Inskickat</td>" in client.get("/answers/").text

    officer = the_officer(app)
    response = officer.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/reopen", data={"reason": "Fel paragraf"}
    )
    assert response.status_code == 302

    # Before anyone starts a new draft:
    round_page = client.get(f"/answers/rounds/{round_id}").text
    assert "Status: <strong>Öppnat för rättelse</strong>" in round_page
    assert "Rätta svaret" in round_page and "Fel paragraf" in round_page
    start = client.get("/answers/").text
    assert "<td>Öppnat för rättelse</td>" in start
    assert "<td>Inskickat</td>" not in start
    with app.app_context():
        recipient = recipient_of(round_id)
        assert recipient.draft is None and recipient.status_text == "Öppnat för rättelse"


# d. What the office registered itself is read -----------------------------------------------------
def test_an_answer_the_officer_registered_is_not_listed_as_unread(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)  # Centrum answers in the tracker: unread until the office reads it
    save_draft(client, round_id, position="avstyrker")
    submit(client, round_id)
    with app.app_context():
        nordost_id = recipient_of(round_id, NORDOST).id
    officer = the_officer(app)
    assert register(officer, round_id, nordost_id).status_code == 302

    with app.app_context():
        assert not recipient_of(round_id, NORDOST).is_unread
        assert recipient_of(round_id, CENTRUM).is_unread
    start = officer.get("/rounds/start").text
    assert "Svar som inte är lästa (1)" in start
    unread = start[
        start.index("Svar som inte är lästa") : start.index("</table>", start.index("Svar som inte är lästa"))
    ]
    assert CENTRUM in unread and NORDOST not in unread

    page = officer.get(f"/rounds/{round_id}").text

    def row(organisation):  # the recipients table's row of ``organisation``
        start = page.index(f'<th scope="row">{organisation}')
        return page[start : page.index("</tr>", start)]

    assert "Oläst" in row(CENTRUM)
    assert "Oläst" not in row(NORDOST)


def test_a_reopened_answer_in_a_closed_round_reads_oppnat_for_rattelse_on_the_start_page(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, position="avstyrker")
    submit(client, round_id)
    close(app, round_id)
    with app.app_context():
        recipient_id = recipient_of(round_id).id
    assert "Öppnat för rättelse" not in client.get("/answers/").text
    the_officer(app).post(
        f"/rounds/{round_id}/recipients/{recipient_id}/reopen", data={"reason": "Fel datum"}
    )
    assert '<span class="badge">Öppnat för rättelse</span>' in client.get("/answers/").text
    page = client.get(f"/answers/rounds/{round_id}").text
    assert "Status: <strong>Öppnat för rättelse</strong>" in page
    assert "Kontakta handläggaren Hanna Handläggare" in page and "Rätta svaret" not in page
