"""Text people type is shown as text: script tags, ``javascript:`` links and HTML in every text
field of the admin forms and the CSV import come back escaped in lists, forms, flash messages
and the page header. (The answer texts are covered by the answers area with
``assert_shown_as_text``.)"""

from __future__ import annotations

import csv
import io

import pytest
from markupsafe import escape

from remiss.auth.models import Role, User
from remiss.extensions import db
from tests.factories import PASSWORD, make_organisation

HOSTILE = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    '<a href="javascript:alert(1)">klicka</a>',
    '"><svg onload=alert(1)>',
    "<b>fet</b> &amp; &lt;",
    "{{ 7*7 }} {% raw %}",
]


def assert_shown_as_text(html: str, value: str) -> None:
    """``value`` is on the page escaped, never as markup."""
    assert str(escape(value)) in html, f"{value!r} is not on the page as text"
    if any(c in value for c in '<>"'):
        assert value not in html, f"{value!r} is on the page as markup"
    assert 'href="javascript:' not in html.lower()


@pytest.mark.parametrize("value", HOSTILE)
def test_organisation_fields(client, login_as, value):
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": f"Nämnd {value}",
            "short_name": value[:60],
            "kind": "namnd",
            "group": value,
            "email": "namnd@example.se",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.text
    assert_shown_as_text(page, f"Organisationen Nämnd {value} är skapad.")  # the flash message
    assert_shown_as_text(page, f"Nämnd {value}")
    assert_shown_as_text(page, value[:60])
    edit = client.get("/admin/organisations/1/edit").text
    assert_shown_as_text(edit, f"Nämnd {value}")


@pytest.mark.parametrize("value", HOSTILE)
def test_account_names_in_the_list_and_the_header(app, client, login_as, value):
    login_as(Role.ADMIN)
    with app.app_context():
        make_organisation("Socialnämnden Centrum")
        db.session.commit()
    response = client.post(
        "/admin/users/new",
        data={
            "name": value,
            "email": "elak@example.se",
            "role": "respondent",
            "organisation_id": "1",
            "active": "y",
        },
        follow_redirects=True,
    )
    assert_shown_as_text(response.text, value)
    with app.app_context():
        user = User.by_email("elak@example.se")
        user.set_password(PASSWORD)
        db.session.commit()
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": "elak@example.se", "password": PASSWORD})
    start = client.get("/", follow_redirects=True).text  # the role's start page
    assert_shown_as_text(start, value)  # the header and the greeting


def test_csv_import_values_are_text(client, login_as):
    login_as(Role.ADMIN)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "short_name", "kind", "group", "email"])
    for i, value in enumerate(HOSTILE):
        writer.writerow([f"Nämnd {i} {value}", f"N{i}", "namnd", value, f"n{i}@example.se"])
    response = client.post(
        "/admin/organisations/import",
        data={"file": (io.BytesIO(buffer.getvalue().encode()), "register.csv")},
        follow_redirects=True,
    )
    assert "Importen är klar: 7 nya" in response.text
    for i, value in enumerate(HOSTILE):
        assert_shown_as_text(response.text, f"Nämnd {i} {value}")


def test_a_bad_csv_row_is_quoted_as_text_in_the_error(client, login_as):
    login_as(Role.ADMIN)
    csv = "name,short_name,kind,group,email\nNämnd,N,<script>alert(1)</script>,,n@example.se\n"
    response = client.post(
        "/admin/organisations/import",
        data={"file": (io.BytesIO(csv.encode()), "register.csv")},
        follow_redirects=True,
    )
    assert_shown_as_text(response.text, "typen ”<script>alert(1)</script>” är okänd")
