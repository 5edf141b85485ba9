"""Submitting: preview, confirmation, receipt; late answers; closed rounds; corrections as new
versions; and the officer registering an answer that came by post or e-mail."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerStatus, AnswerVersion, Channel, Position
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round
from tests import files
from tests.answering import (
    CENTRUM,
    NORDOST,
    create_open_round,
    download,
    edit_url,
    load_form,
    read_form,
    sign_in,
    structure,
)


def preview_url(round_id):
    return f"/answers/rounds/{round_id}/preview"


def submit_url(round_id):
    return f"/answers/rounds/{round_id}/submit"


def recipient_of(round_id: int, organisation: str = CENTRUM) -> Recipient:
    db.session.remove()
    return db.session.scalar(
        sa.select(Recipient)
        .join(Organisation)
        .where(Recipient.round_id == round_id, Organisation.name == organisation)
    )


def save_draft(client, round_id, **values):
    response = client.post(edit_url(round_id), data=load_form(client, round_id) | values)
    assert response.status_code == 302, response.text


def submit(client, round_id):
    """Open the preview and press the submit button on it."""
    page = client.get(preview_url(round_id)).text
    return client.post(submit_url(round_id), data=read_form(page, submit_url(round_id)))


def queued(kind: MessageKind) -> list[Message]:
    return db.session.scalars(sa.select(Message).where(Message.kind == kind)).all()


# Submit and receipt ------------------------------------------------------------------------------
def test_preview_submit_and_receipt(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, user_id = sign_in(app, name="Siv Sekreterare")
    save_draft(
        client,
        round_id,
        position="tillstyrker_delvis",
        comment="Bra i stort.",
        **{
            f"m_{ids['1:1']}_position": "tillstyrker",
            f"m_{ids['1:2']}_position": "avstyrker",
            f"m_{ids['1:2']}_comment": "Saknar finansiering.",
            f"m_{ids['2:1']}_comment": "En synpunkt.",
        },
        decided_by="Socialnämnden Centrum",
        decision_date="2022-01-25",
        decision_paragraph="14",
    )
    preview = client.get(preview_url(round_id)).text
    assert "Förhandsgranska svaret" in preview
    assert "<strong>Tillstyrker delvis</strong>" in preview
    assert "Saknar finansiering." in preview and "Socialnämnden Centrum 2022-01-25 § 14" in preview
    assert 'data-confirm="Skicka in svaret till stadsledningskontoret?' in preview

    response = submit(client, round_id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/answers/rounds/{round_id}/receipt"

    receipt = client.get(response.headers["Location"]).text
    number = re.search(r"<dt>Kvittonummer</dt><dd><strong>(R-\d{8}-[0-9A-F]{8})</strong>", receipt).group(1)
    assert f"Svaret är inskickat. Kvittonummer {number}." in receipt
    assert "<dt>Version</dt><dd>1</dd>" in receipt
    assert "<dt>Inskickat av</dt><dd>Siv Sekreterare</dd>" in receipt
    assert "<dt>I tid</dt><dd>Ja</dd>" in receipt
    assert "1 tillstyrker, 1 avstyrker, 1 med enbart synpunkter" in receipt
    assert re.search(r"<dt>Inskickat</dt><dd class=\"nowrap\">\d{4}-\d\d-\d\d \d\d:\d\d</dd>", receipt)

    with app.app_context():
        answer = recipient_of(round_id).answer
        (version,) = answer.versions
        assert answer.status is AnswerStatus.SUBMITTED
        assert version.receipt_number == number and version.channel is Channel.TRACKER
        assert version.submitted_by_id == user_id and version.days_late == 0
        # The receipt is queued in the same transaction as the submission.
        (message,) = queued(MessageKind.RECEIPT)
        assert number in message.body_text
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.round_id == round_id)) == (
            "answer.submitted"
        )


def test_a_submitted_answer_is_read_only_for_the_respondent(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    colleague, _ = sign_in(app)
    save_draft(client, round_id, position="tillstyrker", comment="Inskickat")
    stale_form = load_form(colleague, round_id)
    assert submit(client, round_id).status_code == 302

    response = client.get(edit_url(round_id), follow_redirects=True)
    assert response.request.path == f"/answers/rounds/{round_id}"
    assert "Svaret är inskickat och kan inte ändras" in response.text
    assert "Börja svara" not in response.text and "Fortsätt med utkastet" not in response.text
    # A colleague with the form still open cannot save over it either.
    response = colleague.post(edit_url(round_id), data=stale_form | {"comment": "Ändrat"})
    assert response.status_code == 409  # nothing saved; the text is shown again to be copied
    assert "skickade in svaret" in response.text and "Ändrat</textarea>" in response.text
    assert client.get(preview_url(round_id)).status_code == 302
    response = client.post(submit_url(round_id), data={"version_token": "new"}, follow_redirects=True)
    assert "Svaret är redan inskickat av" in response.text
    assert "Ingenting nytt skickades in." in response.text
    with app.app_context():
        answer = recipient_of(round_id).answer
        assert [v.comment for v in answer.versions] == ["Inskickat"]
    assert "Inskickat" in client.get("/answers/").text


def test_submitting_without_a_position_is_refused_and_the_draft_kept(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, comment="Utan ställningstagande")
    assert "Ange ert ställningstagande till förslaget som helhet innan ni skickar in" in (
        client.get(preview_url(round_id)).text
    )
    response = submit(client, round_id)
    assert response.headers["Location"] == preview_url(round_id)
    assert "Ange ert ställningstagande till förslaget som helhet." in client.get(preview_url(round_id)).text
    with app.app_context():
        assert recipient_of(round_id).answer.status is AnswerStatus.DRAFT


def test_a_submit_of_a_draft_changed_since_the_preview_is_refused(app):
    round_id = create_open_round(app)
    anna, _ = sign_in(app, name="Anna Andersson")
    bengt, _ = sign_in(app, name="Bengt Berg")
    save_draft(anna, round_id, position="tillstyrker", comment="Annas version")
    preview_form = read_form(anna.get(preview_url(round_id)).text, submit_url(round_id))
    save_draft(bengt, round_id, comment="Bengts version")

    response = anna.post(submit_url(round_id), data=preview_form)
    assert response.headers["Location"] == preview_url(round_id)
    page = anna.get(preview_url(round_id)).text
    assert "Bengt Berg" in page and "ändrade utkastet efter att du öppnade förhandsgranskningen" in page
    assert "Svaret är inte inskickat" in page
    assert "Bengts version" in page
    with app.app_context():
        assert recipient_of(round_id).answer.status is AnswerStatus.DRAFT
    # Having read it again, Anna submits what she now sees.
    assert submit(anna, round_id).status_code == 302
    with app.app_context():
        assert recipient_of(round_id).answer.latest_submitted.comment == "Bengts version"


# Late and closed ---------------------------------------------------------------------------------
def test_a_late_answer_is_accepted_and_marked_with_the_days(app):
    today = date.today()
    round_id = create_open_round(app, deadline=today - timedelta(days=3))
    client, _ = sign_in(app)
    save_draft(client, round_id, position="avstyrker")
    assert "3 dagar sedan" in client.get("/answers/").text
    assert "Svaret tas emot men markeras som 3 dagar för sent." in client.get(preview_url(round_id)).text
    receipt = client.get(submit(client, round_id).headers["Location"]).text
    assert "Inskickat för sent, 3 dagar" in receipt
    with app.app_context():
        recipient = recipient_of(round_id)
        assert recipient.latest_submitted.days_late == 3
        assert recipient.status_text == "Inskickat för sent, 3 dagar"


def test_an_extension_moves_our_deadline(app):
    today = date.today()
    round_id = create_open_round(app, deadline=today - timedelta(days=3))
    with app.app_context():
        recipient_of(round_id).grant_extension(today + timedelta(days=4), "Sammanträde i februari")
        db.session.commit()
    client, _ = sign_in(app)
    start = client.get("/answers/").text
    assert "anstånd" in start and "<td>4</td>" in start
    save_draft(client, round_id, position="avstyrker")
    receipt = client.get(submit(client, round_id).headers["Location"]).text
    assert "<dt>I tid</dt><dd>Ja</dd>" in receipt


def test_submitting_on_a_closed_round_is_refused_and_the_draft_kept(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, position="tillstyrker", comment="Hann inte skicka")
    preview_form = read_form(client.get(preview_url(round_id)).text, submit_url(round_id))
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()

    response = client.post(submit_url(round_id), data=preview_form, follow_redirects=True)
    assert "Remissen är stängd och tar inte emot fler svar. Kontakta" in response.text
    assert "Ert utkast finns kvar men kan inte skickas in." in response.text
    with app.app_context():
        answer = recipient_of(round_id).answer
        assert answer.status is AnswerStatus.DRAFT
        assert answer.draft.comment == "Hann inte skicka" and answer.submitted_versions == []
    # The draft can no longer be previewed for submitting, nor changed.
    response = client.get(preview_url(round_id), follow_redirects=True)
    assert "Remissen är stängd och tar inte emot fler svar" in response.text
    assert "Skicka in svaret" not in response.text
    response = client.get(edit_url(round_id), follow_redirects=True)
    assert "Remissen är stängd och tar inte emot fler svar" in response.text
    assert "Fortsätt med utkastet" not in response.text


# Corrections -------------------------------------------------------------------------------------
def test_a_reopened_answer_is_corrected_as_version_2_and_version_1_stays_readable(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app, name="Siv Sekreterare")
    decision = files.pdf("Protokoll § 14")
    form = load_form(client, round_id) | {
        "position": "avstyrker",
        "comment": "Första versionen",
        "decision_file": (io.BytesIO(decision), "Protokoll.pdf"),
    }
    client.post(edit_url(round_id), data=form, content_type="multipart/form-data")
    submit(client, round_id)
    with app.app_context():
        recipient = recipient_of(round_id)
        recipient_id = recipient.id
        first_receipt = recipient.latest_submitted.receipt_number
        (first_document,) = recipient.latest_submitted.documents
        first_document_id = first_document.id
    versions_url = f"/rounds/{round_id}/recipients/{recipient_id}/versions"
    reopen_url = f"/rounds/{round_id}/recipients/{recipient_id}/reopen"

    officer, _ = sign_in(app, Role.OFFICER, name="Olle Officer")
    manager, _ = sign_in(app, Role.MANAGER)
    assert manager.post(reopen_url, data={"reason": "Nej"}).status_code == 403
    assert "Ange skälet" in officer.post(reopen_url, data={"reason": " "}, follow_redirects=True).text
    response = officer.post(reopen_url, data={"reason": "Nämnden bad om rättelse av § 14"})
    assert response.headers["Location"] == versions_url
    page = officer.get(versions_url).text
    assert "är öppnat för rättelse. Nästa inskickade svar blir version 2." in page
    assert "Öppnat för rättelse" in page
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "answer.reopened")).one()
        assert "Nämnden bad om rättelse av § 14" in event.sentence

    # The respondent's form starts from version 1.
    round_page = client.get(f"/answers/rounds/{round_id}").text
    assert "Rätta svaret" in round_page
    form = load_form(client, round_id)
    assert form["comment"] == "Första versionen" and form["position"] == "avstyrker"
    assert "När ni skickar in blir det version 2" in client.get(edit_url(round_id)).text
    save_draft(client, round_id, position="tillstyrker", comment="Rättad version")
    receipt = client.get(submit(client, round_id).headers["Location"]).text
    assert "<dt>Version</dt><dd>2</dd>" in receipt

    with app.app_context():
        answer = recipient_of(round_id).answer
        assert [(v.number, v.comment, v.position) for v in answer.versions] == [
            (1, "Första versionen", Position.REJECT),
            (2, "Rättad version", Position.ASSENT),
        ]
        assert answer.versions[0].receipt_number == first_receipt
        second_receipt = answer.versions[1].receipt_number
        # The signed decision came along into the correction, as a file of its own.
        assert [d.id for d in answer.versions[0].documents] == [first_document_id]
        (copied,) = answer.versions[1].documents
        assert copied.id != first_document_id and copied.original_name == "Protokoll.pdf"
        copied_id = copied.id
    assert download(client, f"/documents/{first_document_id}").data == decision
    assert download(client, f"/documents/{copied_id}").data == decision

    # Every version stays readable: by the officer, the manager, and the respondent's receipts.
    for reader in (officer, manager):
        page = reader.get(versions_url).text
        assert page.index("Version 2 (gäller)") < page.index("Version 1")
        assert "Första versionen" in page and "Rättad version" in page
        assert first_receipt in page and second_receipt in page
        assert page.count("<dd>Siv Sekreterare</dd>") == 2
    assert "Öppna svaret för rättelse" not in manager.get(versions_url).text
    old = client.get(f"/answers/rounds/{round_id}/receipt?version=1").text
    assert first_receipt in old and "Första versionen" in old
    assert client.get(f"/answers/rounds/{round_id}/receipt?version=3").status_code == 404


def test_the_round_page_and_the_answer_page_agree_on_when_an_answer_can_be_registered(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, position="tillstyrker")
    submit(client, round_id)
    with app.app_context():
        recipient_id = recipient_of(round_id).id
    officer, _ = sign_in(app, Role.OFFICER)
    register_url = f"/rounds/{round_id}/recipients/{recipient_id}/register"
    versions_url = f"/rounds/{round_id}/recipients/{recipient_id}/versions"

    # Submitted: nothing to register until the answer is reopened.
    assert register_url not in officer.get(f"/rounds/{round_id}").text
    assert register_url not in officer.get(versions_url).text
    assert officer.get(register_url).status_code == 302

    officer.post(f"/rounds/{round_id}/recipients/{recipient_id}/reopen", data={"reason": "Per telefon"})
    assert register_url in officer.get(versions_url).text
    assert register_url in officer.get(f"/rounds/{round_id}").text
    assert officer.get(register_url).status_code == 200


def test_only_a_submitted_answer_can_be_reopened(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    save_draft(client, round_id, comment="Bara ett utkast")
    with app.app_context():
        recipient_id = recipient_of(round_id).id
    officer, _ = sign_in(app, Role.OFFICER)
    response = officer.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/reopen", data={"reason": "Fel"}, follow_redirects=True
    )
    assert "Bara ett inskickat svar kan öppnas för rättelse." in response.text


# Answers received by post or e-mail ---------------------------------------------------------------
def test_the_officer_registers_an_answer_that_came_by_post_with_its_document(app):
    round_id = create_open_round(app, deadline=date.today() - timedelta(days=5))
    ids = structure(app, round_id)
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()
        recipient_id = recipient_of(round_id, NORDOST).id
    # Nordost had begun a draft in the tracker before sending its answer by post.
    nordost, _ = sign_in(app, organisation=NORDOST)
    with app.app_context():
        recipient = recipient_of(round_id, NORDOST)
        recipient.answer = Answer()
        recipient.answer.start_draft().comment = "Påbörjat i tjänsten"
        db.session.commit()

    officer, _ = sign_in(app, Role.OFFICER, name="Olle Officer")
    url = f"/rounds/{round_id}/recipients/{recipient_id}/register"
    page = officer.get(url).text
    assert "Registrera svar från Socialnämnden Nordost" in page
    assert "Organisationen har ett påbörjat utkast" in page

    response = officer.post(url, data={"received_on": "", "comment": "Bara text"})
    assert response.status_code == 200
    assert "Ange när svaret kom in." in response.text
    assert "Ange hur svaret kom in: E-post eller Post." in response.text
    assert "Ange ställningstagandet till förslaget som helhet." in response.text
    assert "Bara text" in response.text

    received = date.today() - timedelta(days=3)
    statement = files.docx()
    form = {
        "received_on": received.isoformat(),
        "channel": "post",
        "position": "avstyrker",
        "comment": "Nämnden avstyrker.\r\nSe protokollet.",
        f"m_{ids['1:1']}_position": "avstyrker",
        f"m_{ids['1:1']}_comment": "Otydlig ansvarsfördelning.",
        "other_comments": "Inga övriga.",
        "decided_by": "Socialnämnden Nordost",
        "decision_date": (received - timedelta(days=2)).isoformat(),
        "decision_paragraph": "§ 7",
        "decision_file": (io.BytesIO(statement), "Yttrande Nordost.docx"),
    }
    response = officer.post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/rounds/{round_id}/recipients/{recipient_id}/versions"
    page = officer.get(response.headers["Location"]).text
    assert "är registrerat som version 1 (post, mottaget" in page and "2 dagar för sent" in page
    assert "<dd>Post</dd>" in page and "<dt>Registrerat av</dt><dd>Olle Officer</dd>" in page
    assert "Yttrande Nordost.docx" in page and "Nämnden avstyrker.\nSe protokollet." in page
    assert "Påbörjat i tjänsten" not in page

    with app.app_context():
        recipient = recipient_of(round_id, NORDOST)
        (version,) = recipient.answer.versions
        assert version.channel is Channel.POST and version.received_on == received
        assert version.days_late == 2 and version.position is Position.REJECT
        assert version.decision_text == f"Socialnämnden Nordost {received - timedelta(days=2)} § 7"
        (document,) = version.documents
        document_id = document.id
    # The organisation sees what the office received, and its file.
    assert "Inget svar" not in nordost.get("/answers/").text
    assert received.isoformat() in nordost.get("/answers/").text
    assert download(nordost, f"/documents/{document_id}").data == statement
    # A second registration is refused until the answer is reopened.
    response = officer.get(url, follow_redirects=True)
    assert "Svaret är redan inskickat. Öppna det för rättelse" in response.text


def test_registration_by_e_mail_on_an_open_round_and_its_refusals(app):
    round_id = create_open_round(app)
    with app.app_context():
        recipient_id = recipient_of(round_id).id
        draft_round = Round(
            title="Utkast", dnr="1/22", sent_on=date.today(), deadline=date.today() + timedelta(days=9)
        )
        draft_round.recipients.append(
            Recipient(organisation_id=recipient_of(round_id).organisation_id, contact_email="x@example.se")
        )
        db.session.add(draft_round)
        db.session.commit()
        draft_round_id, draft_recipient_id = draft_round.id, draft_round.recipients[0].id
    officer, _ = sign_in(app, Role.OFFICER)
    url = f"/rounds/{round_id}/recipients/{recipient_id}/register"
    future = (date.today() + timedelta(days=1)).isoformat()
    response = officer.post(url, data={"received_on": future, "channel": "email", "position": "tillstyrker"})
    assert "Mottaget datum kan inte ligga i framtiden." in response.text
    response = officer.post(
        url,
        data={
            "received_on": date.today().isoformat(),
            "channel": "email",
            "position": "tillstyrker",
            "decision_file": (io.BytesIO(files.exe()), "yttrande.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert "inte en fil av tillåten typ" in response.text
    response = officer.post(
        url, data={"received_on": date.today().isoformat(), "channel": "email", "position": "tillstyrker"}
    )
    assert response.status_code == 302
    with app.app_context():
        version = db.session.scalar(sa.select(AnswerVersion))
        assert version.channel is Channel.EMAIL and version.days_late == 0
    response = officer.get(
        f"/rounds/{draft_round_id}/recipients/{draft_recipient_id}/register", follow_redirects=True
    )
    assert "Svar kan bara registreras medan remissen är öppen eller stängd." in response.text
    # A recipient of another round, typed into this round's URL, does not exist here.
    assert officer.get(f"/rounds/{round_id}/recipients/{draft_recipient_id}/register").status_code == 404
