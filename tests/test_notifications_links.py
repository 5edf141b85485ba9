"""Every link an e-mail carries leads to a page that works for the person it is sent to: the
notifications area names other areas' endpoints (RESPONDENT_ROUND_ENDPOINT, OFFICER_ROUND_ENDPOINT,
START_ENDPOINT, documents.download), and a renamed endpoint would otherwise show only in a mailbox."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.notifications import messages
from remiss.notifications.models import Message, MessageKind
from remiss.rounds import operations
from remiss.rounds.models import Round
from tests import files
from tests.factories import make_round, make_user

CENTRUM = "Socialnämnden Centrum"


def links(text: str) -> list[str]:
    return [urlsplit(url).path for url in re.findall(r"http://localhost\S*", text)]


def opens(client, path: str) -> bool:
    with client.get(path, follow_redirects=True) as response:
        return response.status_code == 200


def test_the_links_in_an_invitation_and_a_digest_lead_to_working_pages(app, client, login_as):
    with app.app_context():
        officer = make_user(Role.OFFICER, email="hanna@example.goteborg.se", name="Hanna Handläggare")
        round_ = make_round(officer=officer, recipients=[CENTRUM], deadline=date.today() + timedelta(days=20))
        draft = documents.store(
            io.BytesIO(files.pdf("Förslaget")),
            "Förslag.pdf",
            kind=DocumentKind.DRAFT,
            allowed=documents.ROUND_DOCUMENT_TYPES,
        )
        draft.round = round_
        db.session.add(draft)
        operations.open_round(round_, by=officer, now=utcnow())
        db.session.commit()
        round_id = round_.id
        invitation = db.session.scalar(sa.select(Message).where(Message.kind == MessageKind.INVITATION))
        invitation_links = links(invitation.body_text)
        digest = messages.digest(officer, [db.session.get(Round, round_id)])
        digest_links = links(digest.text)

    # The personal link: a signed-in person of the body lands on the round's answer page.
    assert any(path.startswith("/inbjudan/") for path in invitation_links)
    assert any(path.startswith("/documents/") for path in invitation_links)
    login_as(Role.RESPONDENT, CENTRUM)
    for path in invitation_links:
        assert opens(client, path), path
    client.post("/auth/logout")

    assert f"/rounds/{round_id}" in digest_links
    login_as(Role.OFFICER)
    for path in digest_links:
        assert opens(client, path), path
