"""The office's controls over the register: make a round public or not, mark a part
confidential with its legal ground or lift it; every change audited."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from remiss.answers.models import AnswerVersion, MeasureComment
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.errors import DomainError
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.rounds.models import Round
from tests.factories import send
from tests.register_data import CENTRUM, GROUND, build_world


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def events(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_settings_page_lists_every_submitted_answer_and_its_parts(client, login_as, world):
    login_as(Role.OFFICER)
    response = client.get(f"/rounds/{world.public_id}/publicity")
    assert response.status_code == 200
    page = response.text
    assert "Remissen visas i" in page
    assert "Socialnämnden Centrum" in page and "Kriminalvården" in page
    assert "Sekretessmarkerad</strong> enligt OSL 35 kap. 1 §" in page
    assert "Protokollsutdrag § 14.pdf" in page
    assert "RÄTTELSE" not in page  # the correction in progress is not the office's to mark
    assert 'name="csrf_token"' in page


def test_making_a_round_public_and_not_public_is_audited(app, client, login_as, world):
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{world.hidden_id}/publicity", data={"is_public": "y"})
    assert response.status_code == 302
    assert "Remissen visas nu i det offentliga remissregistret." in client.get(response.location).text
    assert client.get(f"/register/{world.hidden_id}").status_code == 200

    client.post(f"/rounds/{world.hidden_id}/publicity", data={})
    assert client.get(f"/register/{world.hidden_id}").status_code == 404
    assert [e.action for e in events(app, "round.made_public")] == ["round.made_public"]
    assert len(events(app, "round.made_not_public")) == 1


def test_a_draft_made_public_appears_only_once_sent(app, client, login_as, world):
    login_as(Role.OFFICER)
    client.post(f"/rounds/{world.draft_round_id}/publicity", data={"is_public": "y"})
    assert client.get(f"/register/{world.draft_round_id}").status_code == 404
    with app.app_context():
        send(db.session.get(Round, world.draft_round_id))
        db.session.commit()
    assert client.get(f"/register/{world.draft_round_id}").status_code == 200


def test_marking_needs_a_legal_ground(app, client, login_as, world):
    login_as(Role.OFFICER)
    url = f"/rounds/{world.public_id}/publicity/documents/{world.decision_doc}"
    response = client.post(url, data={"ground": "   ", "mark": "y"})
    assert response.status_code == 400
    assert "Ange den rättsliga grunden för sekretessen, till exempel ”OSL 18 kap. 1 §”." in response.text
    assert 'aria-invalid="true"' in response.text
    response = client.post(url, data={"ground": "x" * 301, "mark": "y"})
    assert response.status_code == 400
    assert "Den rättsliga grunden får vara högst 300 tecken." in response.text
    with app.app_context():
        assert db.session.get(Document, world.decision_doc).secrecy_ground is None
    assert events(app, "secrecy.marked") == []


def test_a_refused_marking_shows_the_round_still_public(app, client, login_as, world):
    """After a refused secrecy form the publicity box shows the round as it is, so saving that
    box does not unpublish the round by mistake."""
    login_as(Role.OFFICER)
    url = f"/rounds/{world.public_id}/publicity/documents/{world.decision_doc}"
    page = client.post(url, data={"ground": "   ", "mark": "y"}).text
    box = re.search(r'<input[^>]*name="is_public"[^>]*>', page)[0]
    assert "checked" in box


@pytest.mark.parametrize(
    "kind, key, model, text",
    [
        ("documents", "decision_doc", Document, "Protokollsutdrag § 14.pdf"),
        ("versions", "centrum_version", AnswerVersion, "Nämnden tillstyrker delvis förslaget."),
        ("comments", None, MeasureComment, "Samverkans omfattning behöver beskrivas."),
    ],
)
def test_mark_and_lift_secrecy_on_a_received_answer(app, client, login_as, world, kind, key, model, text):
    if key is None:
        with app.app_context():
            version = db.session.get(AnswerVersion, world.centrum_version)
            item_id = next(c.id for c in version.comments if c.text == text)
    else:
        item_id = getattr(world, key)
    login_as(Role.OFFICER)
    assert text in client.get(f"/register/{world.public_id}").text

    url = f"/rounds/{world.public_id}/publicity/{kind}/{item_id}"
    response = client.post(url, data={"ground": "  OSL 26 kap.  1 § ", "mark": "y"})
    assert response.status_code == 302
    page = client.get(f"/register/{world.public_id}").text
    assert text not in page
    assert "Uppgiften omfattas av sekretess enligt OSL 26 kap. 1 §" in page
    with app.app_context():
        assert db.session.get(model, item_id).secrecy_ground == "OSL 26 kap. 1 §"
    [event] = events(app, "secrecy.marked")[-1:]
    assert event.round_id == world.public_id and event.details["ground"] == "OSL 26 kap. 1 §"
    assert event.object_type == model.__name__ and event.object_id == item_id

    response = client.post(url, data={"lift": "y"})
    assert response.status_code == 302
    assert text in client.get(f"/register/{world.public_id}").text
    assert events(app, "secrecy.lifted")[-1].details["previous"] == "OSL 26 kap. 1 §"


def test_secrecy_controls_are_scoped_to_the_round_and_to_received_answers(client, login_as, world):
    login_as(Role.OFFICER)
    w = world
    for url in (
        f"/rounds/{w.public_id}/publicity/versions/{w.aldre_draft_version}",  # a draft
        f"/rounds/{w.public_id}/publicity/versions/{w.polisen_correction_version}",  # a correction
        f"/rounds/{w.public_id}/publicity/documents/{w.aldre_draft_doc}",
        f"/rounds/{w.public_id}/publicity/documents/{w.hidden_doc}",  # another round's
        f"/rounds/{w.hidden_id}/publicity/versions/{w.centrum_version}",
        f"/rounds/{w.hidden_id}/publicity/comments/{w.secret_comment}",
    ):
        assert client.post(url, data={"ground": GROUND, "mark": "y"}).status_code == 404, url


def test_others_cannot_use_the_controls(client, login_as, world):
    login_as(Role.RESPONDENT, CENTRUM)
    assert client.get(f"/rounds/{world.public_id}/publicity").status_code == 403
    response = client.post(
        f"/rounds/{world.public_id}/publicity/comments/{world.secret_comment}", data={"lift": "y"}
    )
    assert response.status_code == 403


def test_the_marking_is_the_only_change_a_received_answer_accepts(app, world):
    with app.app_context():
        version = db.session.get(AnswerVersion, world.centrum_version)
        version.secrecy_ground = "OSL 21 kap. 1 §"
        version.comments[0].secrecy_ground = "OSL 21 kap. 1 §"
        version.documents[0].secrecy_ground = "OSL 21 kap. 1 §"
        db.session.commit()
        version.comment = "Ändrat i efterhand"
        with pytest.raises(DomainError, match="inskickat svar kan inte ändras"):
            db.session.flush()
        db.session.rollback()
        version.secrecy_ground = None
        version.documents[0].original_name = "nytt namn.pdf"
        with pytest.raises(DomainError, match="inskickat svar kan inte ändras"):
            db.session.flush()


def test_the_controls_need_a_csrf_token(app, client, login_as, world):
    login_as(Role.OFFICER)
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/rounds/{world.public_id}/publicity/documents/{world.decision_doc}"
    response = client.post(url, data={"ground": GROUND, "mark": "y"})
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.text
    with app.app_context():
        assert db.session.get(Document, world.decision_doc).secrecy_ground is None
    response = client.post(f"/rounds/{world.public_id}/feedback/finalise")
    assert response.status_code == 400
