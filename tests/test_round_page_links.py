"""The round page leads to everything about the round: the summary, the e-mail log, each
answer, registering a posted answer, feedback and publicity – and every link works."""

import re

import pytest

from remiss.answers.models import Answer, Position
from remiss.auth.models import Role
from remiss.extensions import db
from tests.factories import make_round, make_user, send


@pytest.fixture
def open_round(app):
    with app.app_context():
        officer = make_user(Role.OFFICER, email="ansvarig@example.se")
        round_ = make_round(officer=officer, recipients=["Socialnämnden Centrum", "Kriminalvården"])
        send(round_)
        answered = round_.recipients[0]
        answered.answer = Answer()
        answered.answer.start_draft().position = Position.ASSENT
        answered.answer.submit(by=None)
        db.session.commit()
        return round_.id, answered.id, round_.recipients[1].id


def links(page: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"]*)"', page)}


def test_officer_reaches_every_part_of_the_round_from_its_page(client, login_as, open_round):
    round_id, answered_id, waiting_id = open_round
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}").text
    found = links(page)
    expected = {
        f"/rounds/{round_id}/summary",
        f"/rounds/{round_id}/messages",
        f"/rounds/{round_id}/publicity",
        f"/rounds/{round_id}/recipients/{answered_id}/versions",
        f"/rounds/{round_id}/recipients/{waiting_id}/register",
    }
    assert expected <= found
    # Not for a recipient that has already answered.
    assert f"/rounds/{round_id}/recipients/{answered_id}/register" not in found
    for href in sorted(found):
        if href.startswith("/rounds/") and not href.endswith(("/export", "/documents")):
            assert client.get(href).status_code == 200, href


def test_manager_reads_but_gets_no_officer_links(client, login_as, open_round):
    round_id, answered_id, waiting_id = open_round
    login_as(Role.MANAGER)
    found = links(client.get(f"/rounds/{round_id}").text)
    assert f"/rounds/{round_id}/summary" in found
    assert f"/rounds/{round_id}/recipients/{answered_id}/versions" in found
    assert f"/rounds/{round_id}/publicity" not in found
    assert f"/rounds/{round_id}/recipients/{waiting_id}/register" not in found
    for href in sorted(found):
        if href.startswith("/rounds/"):
            assert client.get(href).status_code == 200, href
