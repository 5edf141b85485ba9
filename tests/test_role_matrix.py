"""Every registered route × every role: who gets in, who gets 403, and anonymous visitors go
to the login page. A new route fails here until its access is declared (through
``roles_required`` on the view, or in PUBLIC / SIGNED_IN below) and its URL arguments have a
value in ``url_values``."""

from __future__ import annotations

import pytest

from remiss import create_app
from remiss.auth.models import Role
from remiss.extensions import db
from tests.factories import make_organisation, make_round, make_user

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

ROLES = [None, *Role]  # None: an anonymous visitor


def _routes():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            routes.append(pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}"))
    return routes, app.view_functions


ROUTES, VIEWS = _routes()


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


@pytest.fixture
def url_values(app):
    """A value for every URL argument used by a route: objects of the first organisation."""
    with app.app_context():
        organisation = make_organisation("Socialnämnden Centrum")
        officer = make_user(Role.OFFICER, email="responsible@example.se")
        round_ = make_round(officer=officer, recipients=[organisation])
        values = {
            "organisation_id": organisation.id,
            "user_id": officer.id,
            "round_id": round_.id,
            "recipient_id": round_.recipients[0].id,
            "token": "not-a-token",
            "document_id": 1,
            "message_id": 1,
            "version_id": 1,
            "comment_id": 1,
            "filename": "css/app.css",
            "area_id": round_.focus_areas[0].id,
            "measure_id": round_.focus_areas[0].measures[0].id,
            "direction": "down",
        }
        users = {role: make_user(role, email=f"matrix-{role.value}@example.se").get_id() for role in Role}
        db.session.commit()
    return values, users


@pytest.mark.parametrize("endpoint, rule, method", ROUTES)
def test_role_matrix(app, endpoint, rule, method, url_values):
    values, users = url_values
    allowed = allowed_roles(endpoint)
    with app.test_request_context():
        from flask import url_for

        arguments = {
            name: values[name]
            for name in app.url_map._rules_by_endpoint[endpoint][0].arguments
            if name in values or pytest.fail(f"{rule}: no test value for <{name}>")
        }
        url = url_for(endpoint, **arguments)

    for role in ROLES:
        client = app.test_client()
        if role is not None:  # signing in itself is tested in test_auth
            with client.session_transaction() as session:
                session["_user_id"] = users[role]
                session["_fresh"] = True
        response = client.open(url, method=method, data={})
        response.close()
        status = response.status_code
        who = role.value if role else "anonymous"
        assert status < 500, f"{who} {method} {url}: {status}"
        if allowed is None:
            continue
        if role is None:
            assert status == 302 and "/auth/login?next=" in response.headers["Location"], (
                f"anonymous {method} {url}: {status}"
            )
        elif role in allowed:
            assert status != 403, f"{who} {method} {url}: refused"
            assert "/auth/login?next=" not in response.headers.get("Location", ""), f"{who} {url}"
        else:
            assert status == 403, f"{who} {method} {url}: {status}, expected 403"
            assert "Du saknar behörighet" in response.text
