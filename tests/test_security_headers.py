"""Security headers on every page: every GET route as an anonymous visitor and as each role, error
pages and static files. A Content-Security-Policy that allows no inline script and no framing,
a Referrer-Policy, and ``X-Content-Type-Options: nosniff``."""

from __future__ import annotations

import pytest
from flask import abort

from remiss.auth.models import Role
from remiss.core.web import CONTENT_SECURITY_POLICY
from tests import test_role_matrix
from tests.http import signed_in_client
from tests.test_role_matrix import ROUTES, VISITORS, url_of, who_is

url_values = test_role_matrix.url_values  # the fixture: a value for every URL argument

GET_ROUTES = [route for route in ROUTES if route.values[2] == "GET"]
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def assert_secure_headers(response, where: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy")
    assert policy, f"{where}: no Content-Security-Policy"
    directives = csp_directives(policy)
    script = directives.get("script-src", directives.get("default-src"))
    assert script, f"{where}: the CSP does not restrict scripts: {policy}"
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in script, f"{where}: script-src allows {unsafe}: {policy}"
    assert directives.get("object-src") == ["'none'"], f"{where}: {policy}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: {policy}"
    assert headers.get("Referrer-Policy") in REFERRER_POLICIES, f"{where}: {headers.get('Referrer-Policy')}"
    assert headers.get("X-Content-Type-Options") == "nosniff", f"{where}"


def test_the_policy_itself():
    directives = csp_directives(CONTENT_SECURITY_POLICY)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]  # no inline style either
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]


@pytest.mark.parametrize("endpoint, rule, method", GET_ROUTES)
def test_every_page_for_every_role(app, endpoint, rule, method, url_values):
    values, users = url_values
    url = url_of(app, endpoint, values)
    for visitor in VISITORS:
        client = signed_in_client(app, users.get(visitor))
        response = client.get(url)
        response.close()
        assert_secure_headers(response, f"{who_is(visitor)} GET {url} ({response.status_code})")


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/js/app.js", "/static/finns-inte.js"])
def test_static_files(client, path):
    response = client.get(path)
    response.close()
    assert_secure_headers(response, path)


def test_error_pages(app, client, login_as):
    @app.route("/test-error/<int:status>")
    def failing(status):
        if status == 500:
            raise RuntimeError("a bug")
        abort(status)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as(Role.OFFICER)
    pages = {
        "/finns-inte": (404, "Sidan finns inte"),
        "/admin/users/": (403, "Du saknar behörighet"),
        "/auth/logout": (405, "Otillåten åtgärd"),  # GET on a POST-only route
        "/test-error/413": (413, "Filen är för stor"),
        "/test-error/500": (500, "Något gick fel"),
    }
    for path, (status, title) in pages.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert title in response.text, path
        assert_secure_headers(response, f"{status} page")


@pytest.mark.csrf
def test_the_expired_form_page(client):
    response = client.post("/auth/login", data={"email": "a@example.se", "password": "x"})
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.text
    assert_secure_headers(response, "CSRF page")
