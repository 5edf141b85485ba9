"""Every registered route × every role, on real objects of one organisation: who gets in, who
gets 403, anonymous visitors go to the login page, and another organisation gets nothing.

The world (``url_values``): an OPEN, public round sent to Socialnämnden Centrum (org A) and
Socialnämnden Nordost, with a document of its own; Centrum has submitted version 1 of its answer
(with a decision file), the officer has reopened it, and Centrum is working on draft version 2
(with a file of its own); a message to Centrum sits in the outbox. Every URL argument points to
one of these objects. Kriminalvården (org B) is not invited.

The visitors: anonymous, an administrator, an officer, a manager, a respondent of Centrum and a
respondent of Kriminalvården. The respondent of Kriminalvården goes first, while Centrum's
things are all in place, and the respondent of Centrum last (its own posts change them).

A new route fails here until its access is declared (through ``roles_required`` on the view, or
in PUBLIC / SIGNED_IN below) and its URL arguments have a value in ``url_values``."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import url_for

from remiss import create_app
from remiss.answers.models import Answer, MeasurePosition, Position
from remiss.answers.service import set_item
from remiss.auth.models import Role
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind, MessageStatus
from tests import files
from tests.factories import make_organisation, make_round, make_user, send

# Routes anyone may open.
PUBLIC = {
    "static",
    "auth.login",
    "auth.set_password",
    "auth.forgot_password",
    "main.accessibility",
    # The public register of rounds and answers (issue 8).
    "public.robots",
    "public.index",
    "public.round",
    "public.feedback",
    "public.document",
    "public.archive",
    "public.feed",
}
# Routes every signed-in role may open.
SIGNED_IN = {"main.index", "auth.logout", "documents.download"}

# A respondent of Kriminalvården, which is not invited to the round.
OTHER_ORGANISATION = "respondent of another organisation"
ROLES = [None, *Role]  # None: an anonymous visitor
VISITORS = [None, OTHER_ORGANISATION, *Role]

ORGANISATION_A = "Socialnämnden Centrum"
ORGANISATION_B = "Kriminalvården"

# What Centrum wrote: none of it may reach Kriminalvården or an anonymous visitor, except that
# the submitted version is a public record that the public register shows.
DRAFT_SECRETS = ("Utkastets hemliga formulering QX71", "Utkastets hemliga fil QX72")
SUBMITTED_SECRETS = ("Det inskickade svarets text QX73", "Det inskickade beslutets fil QX74")

# URL arguments that carry none of Centrum's objects.
NEUTRAL_ARGUMENTS = {"token", "filename", "direction"}

# Which of Centrum's documents a route works on, where it is not the draft's file.
DOCUMENT_OF = {
    "rounds.remove_document": "round_document_id",
    "public.document_secrecy": "submitted_document_id",
}
# Routes tried with every one of Centrum's documents.
EVERY_DOCUMENT = {"documents.download", "public.document"}
DOCUMENTS = ("draft_document_id", "submitted_document_id", "round_document_id")

# Where Centrum's respondent may rightly get 404 on its own things, and why.
OWN_NOT_FOUND = {
    "feedback.show": "the feedback is shown once the office has made its assessment final",
}
# Officers and managers find every object the arguments point to (so the values are real).
STAFF = {Role.OFFICER, Role.MANAGER}


def _routes():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            routes.append(pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}"))
    return routes, app.view_functions, app.url_map


ROUTES, VIEWS, URL_MAP = _routes()


def allowed_roles(endpoint: str) -> set[Role] | None:
    """The roles that may use ``endpoint``; None for public routes."""
    if endpoint in PUBLIC:
        return None
    if endpoint in SIGNED_IN:
        return set(Role)
    view = VIEWS[endpoint]
    roles = getattr(view, "allowed_roles", None)
    assert roles is not None, f"{endpoint}: declare who may use it (roles_required)"
    return set(roles)


def arguments_of(endpoint: str) -> set[str]:
    return set(URL_MAP._rules_by_endpoint[endpoint][0].arguments)


def urls_of(app, endpoint: str, values: dict) -> list[str]:
    """The URLs to try for ``endpoint``: its arguments filled with Centrum's objects (with each
    of Centrum's documents for the routes in EVERY_DOCUMENT)."""
    names = arguments_of(endpoint)
    for name in names:
        if name not in values:
            pytest.fail(f"{endpoint}: no test value for <{name}>")
    choices = [{}]
    if "document_id" in names:
        if endpoint in EVERY_DOCUMENT:
            choices = [{"document_id": values[key]} for key in DOCUMENTS]
        elif endpoint in DOCUMENT_OF:
            choices = [{"document_id": values[DOCUMENT_OF[endpoint]]}]
    with app.test_request_context():
        return [url_for(endpoint, **({name: values[name] for name in names} | choice)) for choice in choices]


def url_of(app, endpoint: str, values: dict) -> str:
    return urls_of(app, endpoint, values)[0]


def _store(data: bytes, name: str, kind: DocumentKind, by):
    return documents.store(
        io.BytesIO(data), name, kind=kind, allowed=documents.ROUND_DOCUMENT_TYPES, uploaded_by=by
    )


@pytest.fixture
def url_values(app):
    """A value for every URL argument (Centrum's objects, see the module's docstring), and the
    signed-in visitors' ids: ``{Role: id, OTHER_ORGANISATION: id}``."""
    with app.app_context():
        centrum = make_organisation(ORGANISATION_A)
        make_organisation(ORGANISATION_B)
        # No password: the visitors are put in the session directly, so no Argon2 work.
        users = {role: make_user(role, email=f"matrix-{role.value}@example.se", password="") for role in Role}
        users[OTHER_ORGANISATION] = make_user(
            Role.RESPONDENT, ORGANISATION_B, email="matrix-other@example.se", password=""
        )
        colleague = make_user(Role.RESPONDENT, centrum, email="kollega@example.se", password="")
        officer, respondent = users[Role.OFFICER], users[Role.RESPONDENT]

        round_ = make_round(officer=officer, recipients=[centrum, "Socialnämnden Nordost"])
        round_.is_public = True
        round_document = _store(files.pdf("Remissförslaget"), "Förslag.pdf", DocumentKind.DRAFT, officer)
        round_document.round_id = round_.id
        db.session.add(round_document)
        send(round_)
        recipient = round_.recipient_for(centrum.id)
        area = round_.focus_areas[0]
        measure = area.measures[0]

        recipient.answer = Answer()
        first = recipient.answer.start_draft(by=respondent)
        first.position = Position.PARTIAL_ASSENT
        first.comment = SUBMITTED_SECRETS[0]
        first.decided_by = "Socialnämnden Centrum"
        first.decision_date = date.today()
        first.documents.append(
            _store(files.pdf(SUBMITTED_SECRETS[1]), "Beslut.pdf", DocumentKind.DECISION, respondent)
        )
        set_item(first, MeasurePosition.ASSENT.value, SUBMITTED_SECRETS[0], measure_id=measure.id)
        submitted = recipient.answer.submit(by=respondent)
        db.session.flush()
        recipient.answer.reopen(by=officer, reason="Fel paragraf")
        draft = recipient.answer.start_draft(by=respondent)
        draft.comment = DRAFT_SECRETS[0]
        set_item(draft, MeasurePosition.REJECT.value, DRAFT_SECRETS[0], measure_id=measure.id)
        draft.documents.append(
            _store(files.pdf(DRAFT_SECRETS[1]), "Nytt beslut.pdf", DocumentKind.DECISION, respondent)
        )
        message = Message(
            kind=MessageKind.INVITATION,
            round=round_,
            recipient=recipient,
            to_address=centrum.email,
            subject="Remiss: Förslag till handlingsplan",
            body_text="Ni är inbjudna att svara.",
            body_html="<p>Ni är inbjudna att svara.</p>",
            status=MessageStatus.KEPT,
        )
        db.session.add(message)
        db.session.flush()
        values = {
            "organisation_id": centrum.id,
            "user_id": colleague.id,
            "round_id": round_.id,
            "recipient_id": recipient.id,
            "token": "not-a-token",
            "document_id": draft.documents[0].id,
            "draft_document_id": draft.documents[0].id,
            "submitted_document_id": submitted.documents[0].id,
            "round_document_id": round_document.id,
            "message_id": message.id,
            "version_id": submitted.id,
            "comment_id": submitted.comment_on(measure_id=measure.id).id,
            "filename": "css/app.css",
            "area_id": area.id,
            "measure_id": measure.id,
            "direction": "down",
        }
        ids = {who: user.get_id() for who, user in users.items()}
        db.session.commit()
    return values, ids


def who_is(visitor) -> str:
    if visitor is None:
        return "anonymous"
    if visitor is OTHER_ORGANISATION:
        return "Kriminalvården's respondent"
    return visitor.value


def visit(app, user_id: str | None, url: str, method: str):
    client = app.test_client()
    if user_id is not None:  # signing in itself is tested in test_auth
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
    response = client.open(url, method=method, data={})
    body = response.get_data()
    response.close()
    return response, body


@pytest.mark.parametrize("endpoint, rule, method", ROUTES)
def test_role_matrix(app, endpoint, rule, method, url_values):
    values, users = url_values
    allowed = allowed_roles(endpoint)
    carries_objects = bool(arguments_of(endpoint) - NEUTRAL_ARGUMENTS)
    for url in urls_of(app, endpoint, values):
        for visitor in VISITORS:
            response, body = visit(app, users.get(visitor), url, method)
            status, who = response.status_code, who_is(visitor)
            location = response.headers.get("Location", "")
            assert status < 500, f"{who} {method} {url}: {status}"

            if visitor is None or visitor is OTHER_ORGANISATION:
                secrets = DRAFT_SECRETS if endpoint in PUBLIC else DRAFT_SECRETS + SUBMITTED_SECRETS
                for secret in secrets:
                    assert secret.encode() not in body, f"{who} {method} {url} sees «{secret}»"

            if visitor is None:
                if allowed is not None:
                    assert status == 302 and "/auth/login?next=" in location, (
                        f"{who} {method} {url}: {status}"
                    )
                continue
            role = Role.RESPONDENT if visitor is OTHER_ORGANISATION else visitor
            if allowed is not None and role not in allowed:
                assert status == 403, f"{who} {method} {url}: {status}, expected 403"
                assert "Du saknar behörighet" in response.text
                continue
            if visitor is OTHER_ORGANISATION and carries_objects and endpoint not in PUBLIC:
                assert status in (403, 404), f"{who} {method} {url}: {status}, expected 403 or 404"
            elif allowed is not None:
                assert status != 403, f"{who} {method} {url}: refused"
                assert "/auth/login?next=" not in location, f"{who} {url}"
            if visitor is Role.RESPONDENT and allowed is not None and endpoint not in OWN_NOT_FOUND:
                assert status != 404, f"{who} {method} {url}: its own things are not found"
            if visitor in STAFF and allowed is not None:
                assert status != 404, f"{who} {method} {url}: not found"


def test_the_world_is_as_described(app, url_values):
    """The control: Centrum's respondent and the officer do see Centrum's answer, so that the
    absence of the secrets for the others is the access rules' doing."""
    values, users = url_values
    round_id = values["round_id"]
    _, edit = visit(app, users[Role.RESPONDENT], f"/answers/rounds/{round_id}/edit", "GET")
    assert DRAFT_SECRETS[0].encode() in edit
    _, receipt = visit(app, users[Role.RESPONDENT], f"/answers/rounds/{round_id}/receipt", "GET")
    assert SUBMITTED_SECRETS[0].encode() in receipt
    for key, secret in (
        ("draft_document_id", DRAFT_SECRETS[1]),
        ("submitted_document_id", SUBMITTED_SECRETS[1]),
    ):
        response, data = visit(app, users[Role.RESPONDENT], f"/documents/{values[key]}", "GET")
        assert response.status_code == 200 and secret.encode() in data
        response, data = visit(app, users[OTHER_ORGANISATION], f"/documents/{values[key]}", "GET")
        assert response.status_code == 404 and secret.encode() not in data
    versions = f"/rounds/{round_id}/recipients/{values['recipient_id']}/versions"
    _, page = visit(app, users[Role.OFFICER], versions, "GET")
    assert SUBMITTED_SECRETS[0].encode() in page
    response, _ = visit(app, users[OTHER_ORGANISATION], f"/answers/rounds/{round_id}", "GET")
    assert response.status_code == 404
