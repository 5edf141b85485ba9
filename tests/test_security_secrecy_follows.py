"""Confidentiality follows every copy. An officer withholds a body's decision file and a comment;
the answer is reopened, the body fixes a typo elsewhere and resubmits: the new version carries
the markings (the file's copy too), so the public register, its ZIP and its download routes let
nothing out; a correction that changes a withheld part keeps the marking and tells the office in
the round's history. A registered correction with a new decision file takes the marking too."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round
from tests import files
from tests.answering import create_open_round, edit_url, load_form, sign_in, structure
from tests.test_answers_submit import recipient_of, submit

GROUND = "OSL 18 kap. 1 §"
SECRET_FILE = "Protokoll med personuppgifter § 14"


def _answer_and_mark(app):
    round_id = create_open_round(app, deadline=date.today() + timedelta(days=20))
    with app.app_context():
        db.session.get(Round, round_id).register_choice = True
        db.session.commit()
    ids = structure(app, round_id)
    respondent, _ = sign_in(app, name="Siv Sekreterare")
    form = load_form(respondent, round_id) | {
        "position": "tillstyrker",
        "comment": "Nämnden tillstyrker med en stavfell.",
        f"m_{ids['1:1']}_comment": "Uppgifter om en enskild person.",
        "decision_file": (io.BytesIO(files.pdf(SECRET_FILE)), "Protokoll.pdf"),
    }
    respondent.post(edit_url(round_id), data=form, content_type="multipart/form-data")
    submit(respondent, round_id)
    with app.app_context():
        recipient = recipient_of(round_id)
        version = recipient.latest_submitted
        ((document,), comment) = version.documents, version.comment_on(measure_id=ids["1:1"])
        ids |= {"recipient": recipient.id, "document": document.id, "comment": comment.id}
    officer, _ = sign_in(app, Role.OFFICER)
    for kind, item in (("documents", ids["document"]), ("comments", ids["comment"])):
        response = officer.post(f"/rounds/{round_id}/publicity/{kind}/{item}", data={"ground": GROUND})
        assert response.status_code == 302, response.text
    return round_id, ids, respondent, officer


def _public_leaks(app, round_id) -> list[str]:
    """Everything an anonymous visitor can reach of the round that holds the secret parts."""
    anonymous = app.test_client()
    leaks = []
    page = anonymous.get(f"/register/rounds/{round_id}").text
    if "Uppgifter om en enskild person" in page:
        leaks.append("the withheld comment on the public round page")
    with app.app_context():
        version_documents = [
            d.id for v in recipient_of(round_id).answer.submitted_versions for d in v.documents
        ]
    for document_id in version_documents:
        response = anonymous.get(f"/register/rounds/{round_id}/documents/{document_id}")
        if response.status_code == 200:
            leaks.append(f"document {document_id} downloadable")
    return leaks


def test_a_correction_keeps_every_marking(app):
    round_id, ids, respondent, officer = _answer_and_mark(app)
    assert _public_leaks(app, round_id) == []
    reopen = f"/rounds/{round_id}/recipients/{ids['recipient']}/reopen"
    assert officer.post(reopen, data={"reason": "Stavfel i övergripande synpunkter"}).status_code == 302
    form = load_form(respondent, round_id) | {"comment": "Nämnden tillstyrker med ett stavfel."}
    assert respondent.post(edit_url(round_id), data=form).status_code == 302
    submit(respondent, round_id)
    with app.app_context():
        version = recipient_of(round_id).latest_submitted
        assert version.number == 2
        assert [d.secrecy_ground for d in version.documents] == [GROUND]
        assert version.comment_on(measure_id=ids["1:1"]).secrecy_ground == GROUND
    assert _public_leaks(app, round_id) == []
    # Nothing changed in the withheld parts: nothing for the office to review.
    with app.app_context():
        assert not db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "secrecy.carried")
        ).all()
    # The round's ZIP of all answers, once closed, holds no withheld file either.
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()
    archive = app.test_client().get(f"/register/rounds/{round_id}/archive")
    if archive.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
            for name in bundle.namelist():
                assert SECRET_FILE.encode() not in bundle.read(name), name


def test_a_correction_of_a_withheld_part_keeps_it_withheld_and_tells_the_office(app):
    round_id, ids, respondent, officer = _answer_and_mark(app)
    reopen = f"/rounds/{round_id}/recipients/{ids['recipient']}/reopen"
    officer.post(reopen, data={"reason": "Nytt protokoll"})
    form = load_form(respondent, round_id) | {
        f"m_{ids['1:1']}_comment": "Uppgifter om en enskild person, rättade.",
        "decision_file": (io.BytesIO(files.pdf("Nytt protokoll § 15")), "Protokoll 2.pdf"),
    }
    respondent.post(edit_url(round_id), data=form, content_type="multipart/form-data")
    submit(respondent, round_id)
    with app.app_context():
        version = recipient_of(round_id).latest_submitted
        assert {d.secrecy_ground for d in version.documents} == {GROUND}  # the new file too
        assert version.comment_on(measure_id=ids["1:1"]).secrecy_ground == GROUND
    assert _public_leaks(app, round_id) == []
    history = officer.get(f"/rounds/{round_id}").text
    assert "förde sekretessmarkeringarna vidare till version 2 från Socialnämnden Centrum" in history
    assert "synpunkten på insats 1:1" in history
