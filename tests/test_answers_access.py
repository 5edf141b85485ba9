"""Isolation: every answers route tried by a respondent of another organisation, a respondent
whose organisation is not invited, an anonymous visitor and a manager."""

from __future__ import annotations

import io

import pytest

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round
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
    the_draft,
)
from tests.factories import make_round

RESPONDENT_ENDPOINTS = {
    "answers.round",
    "answers.edit",
    "answers.autosave",
    "answers.preview",
    "answers.submit",
    "answers.receipt",
    "answers.template",
    "answers.upload_template",
    "answers.remove_document",
}
OFFICER_ENDPOINTS = {"answers.register", "answers.reopen"}
STAFF_ENDPOINTS = {"answers.versions"}
# Open to anyone who holds a personal invitation link: its own rules (who may create an account,
# for which body, until when) are tried in tests/test_invitation_links.py.
INVITATION_ENDPOINTS = {"answers.invitation"}


@pytest.fixture
def centrum_answered(app):
    """An open round where Centrum has submitted version 1 and works on a correction with a file."""
    round_id = create_open_round(app)
    client, _ = sign_in(app, name="Centrums handläggare")
    client.post(edit_url(round_id), data=load_form(client, round_id) | {"position": "tillstyrker"})
    preview = client.get(f"/answers/rounds/{round_id}/preview").text
    client.post(
        f"/answers/rounds/{round_id}/submit", data=read_form(preview, f"/answers/rounds/{round_id}/submit")
    )
    officer, _ = sign_in(app, Role.OFFICER)
    with app.app_context():
        recipient = the_draft_recipient(round_id)
        recipient_id = recipient.id
    officer.post(f"/rounds/{round_id}/recipients/{recipient_id}/reopen", data={"reason": "Rättelse"})
    form = load_form(client, round_id) | {
        "comment": "Centrums hemliga utkast",
        "decision_file": (io.BytesIO(files.pdf()), "Centrums beslut.pdf"),
    }
    assert client.post(edit_url(round_id), data=form, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        document_id = the_draft(app, round_id).documents[0].id
    return {"round_id": round_id, "recipient_id": recipient_id, "document_id": document_id}


def the_draft_recipient(round_id):
    round_ = db.session.get(Round, round_id)
    return next(r for r in round_.recipients if r.organisation.name == CENTRUM)


def answers_routes(app, values):
    """(endpoint, method, url) for every route of the answers area."""
    from flask import url_for

    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("answers.") or rule.endpoint in INVITATION_ENDPOINTS:
                continue
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
            for method in sorted(rule.methods & {"GET", "POST"}):
                routes.append((rule.endpoint, method, url))
    return routes


def test_every_route_is_covered_here(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("answers.")}
    assert endpoints == (
        RESPONDENT_ENDPOINTS | OFFICER_ENDPOINTS | STAFF_ENDPOINTS | INVITATION_ENDPOINTS | {"answers.index"}
    )


def test_another_organisations_respondent_gets_404_everywhere(app, centrum_answered):
    nordost, _ = sign_in(app, organisation=NORDOST)  # invited to the same round
    values = centrum_answered
    for endpoint, method, url in answers_routes(app, values):
        if endpoint in RESPONDENT_ENDPOINTS and endpoint != "answers.remove_document":
            continue  # Nordost's own answer in this round: its own pages
        status = nordost.open(url, method=method, data={}).status_code
        expected = 404 if endpoint == "answers.remove_document" else 403
        if endpoint == "answers.index":
            expected = 200
        assert status == expected, f"{method} {url}: {status}"
    # Centrum's file and draft do not exist for Nordost, by any typed id.
    assert download(nordost, f"/documents/{values['document_id']}").status_code == 404
    assert "Centrums hemliga utkast" not in nordost.get(edit_url(values["round_id"])).text
    assert "Centrums beslut.pdf" not in nordost.get(edit_url(values["round_id"])).text
    assert nordost.get(f"/answers/rounds/{values['round_id']}/receipt").status_code == 404
    assert nordost.get(f"/answers/rounds/{values['round_id']}/receipt?version=1").status_code == 404
    with app.app_context():
        assert the_draft(app, values["round_id"]).documents  # still there


def test_a_respondent_not_invited_gets_404_on_every_respondent_route(app, centrum_answered):
    stranger, _ = sign_in(app, organisation="Kriminalvården")
    for endpoint, method, url in answers_routes(app, centrum_answered):
        status = stranger.open(url, method=method, data={}).status_code
        if endpoint in RESPONDENT_ENDPOINTS:
            assert status == 404, f"{method} {url}: {status}"
    assert download(stranger, f"/documents/{centrum_answered['document_id']}").status_code == 404
    assert "Förslag till handlingsplan" not in stranger.get("/answers/").text


def test_a_round_still_being_prepared_does_not_exist_for_its_recipients(app):
    with app.app_context():
        round_ = make_round(recipients=[CENTRUM])
        db.session.commit()
        round_id = round_.id
    client, _ = sign_in(app)
    for url in (f"/answers/rounds/{round_id}", edit_url(round_id), f"/answers/rounds/{round_id}/template"):
        assert client.get(url).status_code == 404
    assert client.post(edit_url(round_id), data={}).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(app, centrum_answered):
    anonymous = app.test_client()
    for _endpoint, method, url in answers_routes(app, centrum_answered):
        response = anonymous.open(url, method=method, data={})
        assert response.status_code == 302 and "/auth/login?next=" in response.headers["Location"], url


def test_managers_read_but_change_nothing(app, centrum_answered):
    manager, _ = sign_in(app, Role.MANAGER)
    for endpoint, method, url in answers_routes(app, centrum_answered):
        status = manager.open(url, method=method, data={}).status_code
        if endpoint in STAFF_ENDPOINTS:
            assert status == 200, url
        else:
            assert status == 403, f"{method} {url}: {status}"
    page = manager.get(
        f"/rounds/{centrum_answered['round_id']}/recipients/{centrum_answered['recipient_id']}/versions"
    ).text
    assert "Version 1" in page
    assert "Registrera svar" not in page and "Öppna svaret för rättelse" not in page
    # The draft under correction is the organisation's own: not shown to the office.
    assert "Centrums hemliga utkast" not in page


def test_officers_cannot_answer_for_a_recipient(app, centrum_answered):
    officer, _ = sign_in(app, Role.OFFICER)
    for endpoint, method, url in answers_routes(app, centrum_answered):
        if endpoint in RESPONDENT_ENDPOINTS | {"answers.index"}:
            assert officer.open(url, method=method, data={}).status_code == 403, url
