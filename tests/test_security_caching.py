"""No private data is kept by a browser or a proxy: every response that is not a public record –
pages, the Excel exports, the answer template and downloads, for every role – is sent as
``private, no-store``; HSTS once the app is configured to sit behind TLS."""

from __future__ import annotations

import pytest

from tests import test_role_matrix
from tests.http import signed_in_client
from tests.test_role_matrix import ROUTES, VISITORS, url_of, who_is

url_values = test_role_matrix.url_values

GET_ROUTES = [route for route in ROUTES if route.values[2] == "GET" and route.values[0] != "static"]


def is_private(response) -> bool:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.parametrize("endpoint, rule, method", GET_ROUTES)
def test_nothing_private_is_cacheable(app, endpoint, rule, method, url_values):
    values, users = url_values
    url = url_of(app, endpoint, values)
    for visitor in VISITORS:
        client = signed_in_client(app, users.get(visitor))
        response = client.get(url)
        response.close()
        where = f"{who_is(visitor)} GET {url} ({response.status_code})"
        if visitor is None and endpoint.startswith("public."):
            # The public register holds public records only; still never served stale.
            assert "no-cache" in response.headers.get("Cache-Control", "") or is_private(response), where
        else:
            assert is_private(response), f"{where}: Cache-Control {response.headers.get('Cache-Control')}"
        assert "ETag" not in response.headers or not is_private(response), where


def test_hsts_only_behind_tls(app, client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    app.config["BEHIND_TLS"] = True
    header = client.get("/auth/login").headers.get("Strict-Transport-Security", "")
    assert header.startswith("max-age=31536000")
