"""The register's CSV import as Swedish Excel saves it is accepted (Windows-1252 or UTF-8 with
BOM, semicolons), and whatever is wrong with a file is a Swedish message per bad row – a field of
150,000 characters, a value longer than its column, a NUL byte – with nothing imported."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.organisations.models import Organisation

HEADER = "name;short_name;kind;group;email\r\n"
ROW = "Kulturnämnden;KN;namnd;Nämnder;kultur@example.goteborg.se\r\n"


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def upload(client, data: bytes):
    return client.post(
        "/admin/organisations/import",
        data={"file": (io.BytesIO(data), "register.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_swedish_excel_csv_is_accepted(app, client, admin, encoding):
    page = upload(client, (HEADER + ROW).encode(encoding)).text
    assert "Importen är klar: 1 nya" in page
    with app.app_context():
        assert Organisation.by_name("Kulturnämnden").group == "Nämnder"


@pytest.mark.parametrize(
    "row, message",
    [
        ("A" * 150_000 + ";X;namnd;;a@example.se\r\n", "Rad 2: raden kan inte läsas som CSV"),
        ("B" * 201 + ";X;namnd;;b@example.se\r\n", "Rad 2: name är längre än 200 tecken"),
        ("C;" + "K" * 61 + ";namnd;;c@example.se\r\n", "Rad 2: short_name är längre än 60 tecken"),
        ("Kultur\x00nämnden;KN;namnd;;kultur@example.goteborg.se\r\n", "Importen är klar: 1 nya"),
    ],
)
def test_hostile_rows_are_named_and_nothing_half_imported(app, client, admin, row, message):
    response = upload(client, (HEADER + row).encode("utf-8"))
    assert response.status_code == (200 if message.startswith("Importen") else 422)
    assert message in response.text
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(Organisation.id)))
        assert count == (1 if message.startswith("Importen") else 0)
