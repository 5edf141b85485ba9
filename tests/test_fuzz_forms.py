"""Hostile input to every form of every role gives no 500 and leaves nothing half-saved.

Hypothesis sends generated text (control characters, NUL, line separators, 200,000 characters,
formula and markup payloads, surrogate-free Unicode of every plane), numbers and dates (year 1,
year 9999, 30 February, negative, huge) to every field of every POST route, as a visitor the
permission table lets use it, on the role matrix's world (an open round with a submitted and a
reopened answer, a draft, files, a message). A request that is refused (anything but a redirect)
must leave every table's row count and the upload folder as they were.

``make test`` runs a few examples per route; ``make fuzz`` runs many
(``REMISS_FUZZ_EXAMPLES``)."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remiss.extensions import db
from tests import permissions, test_role_matrix
from tests.http import signed_in_client
from tests.test_role_matrix import ROUTES, TABLE_ROLE, url_of

url_values = test_role_matrix.url_values

EXAMPLES = int(os.environ.get("REMISS_FUZZ_EXAMPLES", "3"))

# POST routes that legitimately change data without redirecting (a JSON autosave, a conflict
# page that keeps what merged): their answers are checked for "no 500" only.
CHANGES_WITHOUT_REDIRECT = {"answers.autosave"}

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\u2028\u2029",
            "\r\n\r\nBcc: x@example.se",
            "A" * 200_000,
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "../../etc/passwd",
            "\ufeff\ufffe\uffff",
            "𝕬" * 500,
        ]
    ),
)
HOSTILE_NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["1e309", "NaN", "-0", "0x10", "", " 1 ", "٣"]),
)
HOSTILE_DATE = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "31/12/2026", "2026-13-01", "+10000-01-01"]),
)
HOSTILE = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBER, HOSTILE_DATE)

POST_ROUTES = [route for route in ROUTES if route.values[2] == "POST" and route.values[0] != "auth.logout"]


def _visitor_for(endpoint: str):
    """A visitor the table lets POST ``endpoint``: the matrix's Role or None (anonymous)."""
    who = permissions.PERMISSIONS[endpoint]["POST"]
    for visitor in (permissions.OFFICER, permissions.OWN, permissions.ADMIN, permissions.MANAGER):
        if visitor in who:
            return TABLE_ROLE[visitor]
    return None


def _field_names(client, endpoint: str, url: str) -> list[str]:
    """The names of the fields of the page the form lives on (GET of the same URL, or the page
    it is posted from); the token fields excluded."""
    response = client.get(url)
    page = response.get_data(as_text=True) if response.status_code == 200 else ""
    names = set(re.findall(r'name="([^"]+)"', page)) - {"csrf_token"}
    return sorted(names) or ["text", "title", "comment", "reason", "ground", "number", "deadline"]


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _files(app) -> set[str]:
    folder = app.config["UPLOAD_FOLDER"]
    return {os.path.join(d, f) for d, _, names in os.walk(folder) for f in names}


@pytest.mark.parametrize("endpoint, rule, method", POST_ROUTES)
def test_hostile_input_to_every_form(app, endpoint, rule, method, url_values):
    values, users = url_values
    visitor = _visitor_for(endpoint)
    client = signed_in_client(app, users.get(visitor))
    url = url_of(app, endpoint, values)
    names = _field_names(client, endpoint, url)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({name: HOSTILE for name in names}))
    def post(data):
        with app.app_context():
            before, files_before = _counts(), _files(app)
        response = client.post(url, data=data)
        response.close()
        assert response.status_code < 500, f"{endpoint}: {response.status_code} for {data!r:.300}"
        if response.status_code not in (301, 302, 303) and endpoint not in CHANGES_WITHOUT_REDIRECT:
            with app.app_context():
                assert _counts() == before, f"{endpoint}: refused ({response.status_code}) but rows changed"
            assert _files(app) == files_before, f"{endpoint}: refused but files changed"

    post()
