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

Who gets in is not read from the views: it is the hand-written table in ``tests/permissions.py``
(from ``../shared/domain.md``). A new route fails here until it is in that table and its URL
arguments have a value in ``url_values``; a view whose ``roles_required`` lets in other roles than
the table says fails, so a widened decorator cannot pass."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import url_for

from remiss import create_app
from remiss.accessibility.models import AccessibilityReport
from remiss.answers.models import Answer, MeasurePosition, Position
from remiss.answers.service import set_item
from remiss.auth.models import GroupMapping, Role
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.tasks.models import BackgroundJob
from tests import files, permissions
from tests.factories import make_organisation, make_round, make_user, send

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


# The table's visitors, by the matrix's visitors.
TABLE_VISITOR = {
    None: permissions.ANONYMOUS,
    OTHER_ORGANISATION: permissions.OTHER,
    Role.ADMIN: permissions.ADMIN,
    Role.OFFICER: permissions.OFFICER,
    Role.MANAGER: permissions.MANAGER,
    Role.RESPONDENT: permissions.OWN,
}
TABLE_ROLE = {
    permissions.ADMIN: Role.ADMIN,
    permissions.OFFICER: Role.OFFICER,
    permissions.MANAGER: Role.MANAGER,
    permissions.OWN: Role.RESPONDENT,
    permissions.OTHER: Role.RESPONDENT,
}


def table_roles(endpoint: str, method: str) -> set[Role]:
    """The roles the table lets use ``endpoint`` at all (a respondent of either body counts)."""
    return {TABLE_ROLE[v] for v in permissions.who_may(endpoint, method) if v != permissions.ANONYMOUS}


def allowed_roles(endpoint: str, method: str) -> set[Role] | None:
    """The roles the table lets use ``method`` on ``endpoint``; None where anyone may."""
    if permissions.is_public(endpoint, method):
        return None
    return table_roles(endpoint, method)


def declared_roles(endpoint: str) -> set[Role] | None:
    """The roles the view's ``roles_required`` lets in; None where the view has none."""
    roles = getattr(VIEWS[endpoint], "allowed_roles", None)
    return None if roles is None else set(roles)


def _names(roles) -> str:
    return ", ".join(sorted(role.value for role in roles)) or "nobody"


@pytest.mark.parametrize("endpoint, rule, method", ROUTES)
def test_every_route_is_in_the_permission_table(endpoint, rule, method):
    assert endpoint in permissions.PERMISSIONS, (
        f"{endpoint} ({method} {rule}) is not in tests/permissions.py: say there, from "
        "../shared/domain.md, who may use it"
    )
    assert method in permissions.PERMISSIONS[endpoint], (
        f"{endpoint}: tests/permissions.py does not say who may {method} {rule}"
    )


def test_the_permission_table_names_only_routes_that_exist():
    routes = {(param.values[0], param.values[2]) for param in ROUTES}
    stale = [
        f"{endpoint} {method}"
        for endpoint, methods in permissions.PERMISSIONS.items()
        for method in methods
        if (endpoint, method) not in routes
    ]
    assert not stale, f"tests/permissions.py names routes the app does not have: {stale}"
    for endpoint, methods in permissions.PERMISSIONS.items():
        for method, who in methods.items():
            assert who <= set(permissions.VISITORS), f"{endpoint} {method}: unknown visitor in {who}"
            # A respondent of another body never gets at the invited body's things.
            exists = endpoint in URL_MAP._rules_by_endpoint
            if exists and permissions.OTHER in who and permissions.ANONYMOUS not in who:
                assert not arguments_of(endpoint) - NEUTRAL_ARGUMENTS, (
                    f"{endpoint} {method}: the table lets another body at the invited body's things"
                )


@pytest.mark.parametrize("endpoint, rule, method", ROUTES)
def test_the_view_declares_what_the_table_says(endpoint, rule, method):
    """A decorator wider (or narrower) than the table fails here, before any request."""
    if endpoint not in permissions.PERMISSIONS or method not in permissions.PERMISSIONS[endpoint]:
        pytest.fail(f"{endpoint} {method} is not in tests/permissions.py")
    declared = declared_roles(endpoint)
    expected = table_roles(endpoint, method)
    if permissions.is_public(endpoint, method):
        assert declared is None, (
            f"{endpoint}: the table says anyone may {method} it, but the view requires {_names(declared)}"
        )
        return
    if declared is None:
        # Signed in, with the view checking the object itself (main.index, documents.download):
        # the HTTP matrix below checks every visitor against the table.
        return
    assert declared == expected, (
        f"{endpoint} ({method} {rule}): the view lets in {_names(declared)}, but tests/permissions.py "
        f"says {_names(expected)}. Change the decorator back, or, if ../shared/domain.md says so, the table."
    )


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
        round_.register_choice = True
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
        mapping = GroupMapping(group="matrisgruppen", role=Role.RESPONDENT, organisation=centrum)
        db.session.add(mapping)
        job = BackgroundJob(
            kind="summary.export", title="Export", round_id=round_.id, created_by_id=officer.id
        )
        db.session.add(job)
        report = AccessibilityReport(problem="Knappen syns inte vid 400 %.")
        db.session.add(report)
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
            "mapping_id": mapping.id,
            "job_id": job.id,
            "report_id": report.id,
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
    """Every visitor on every route gets what the permission table says, whatever the view's
    decorator says."""
    values, users = url_values
    if endpoint not in permissions.PERMISSIONS or method not in permissions.PERMISSIONS[endpoint]:
        pytest.fail(f"{endpoint} {method} is not in tests/permissions.py")
    may = permissions.who_may(endpoint, method)
    public = permissions.is_public(endpoint, method)
    roles = table_roles(endpoint, method)
    decorated = declared_roles(endpoint) is not None
    for url in urls_of(app, endpoint, values):
        for visitor in VISITORS:
            response, body = visit(app, users.get(visitor), url, method)
            status, who = response.status_code, who_is(visitor)
            location = response.headers.get("Location", "")
            allowed = TABLE_VISITOR[visitor] in may
            assert status < 500, f"{who} {method} {url}: {status}"

            if visitor is None or visitor is OTHER_ORGANISATION:
                secrets = DRAFT_SECRETS if public else DRAFT_SECRETS + SUBMITTED_SECRETS
                for secret in secrets:
                    assert secret.encode() not in body, f"{who} {method} {url} sees «{secret}»"

            if visitor is None:
                if allowed:
                    assert status != 403 and "/auth/login?next=" not in location, (
                        f"{who} {method} {url}: {status} {location}, but the table lets anyone in"
                    )
                else:
                    assert status == 302 and "/auth/login?next=" in location, (
                        f"{who} {method} {url}: {status}, expected the login page"
                    )
                continue
            role = Role.RESPONDENT if visitor is OTHER_ORGANISATION else visitor
            if not allowed:
                if role not in roles and decorated:
                    assert status == 403, f"{who} {method} {url}: {status}, expected 403 (the table)"
                    assert "Du saknar behörighet" in response.text
                else:
                    # Refused by the view on the object itself: another body's answer, or a
                    # document of a round the visitor does not follow.
                    assert status in (403, 404), (
                        f"{who} {method} {url}: {status}, expected 403 or 404 (tests/permissions.py)"
                    )
                continue
            assert status != 403, f"{who} {method} {url}: refused, but tests/permissions.py lets it in"
            assert "/auth/login?next=" not in location, f"{who} {url}"
            if public:
                continue
            if visitor is Role.RESPONDENT and endpoint not in OWN_NOT_FOUND:
                assert status != 404, f"{who} {method} {url}: its own things are not found"
            if visitor in STAFF or visitor is Role.ADMIN:
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
