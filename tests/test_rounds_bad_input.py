"""What an officer may type or a URL may carry that the rounds pages do not expect: a Swedish
message or a 404, never a 500, and never English from the form library."""

import io
import json

import pytest

from remiss.auth.models import Role
from remiss.extensions import db
from tests.factories import make_organisation, make_round

HUGE = "99999999999999999999"


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER, name="Hanna Handläggare")


@pytest.fixture
def round_id(app):
    with app.app_context():
        make_organisation("Socialnämnden Centrum", group="Socialnämnderna")
        round_ = make_round(recipients=["Socialnämnden Nordost"])
        db.session.commit()
        return round_.id


def test_an_id_too_large_for_the_database_is_not_found(client, officer, round_id):
    for url in (
        f"/rounds/{HUGE}",
        f"/rounds/{round_id}/recipients/{HUGE}/versions",
        f"/rounds/{round_id}/recipients/{HUGE}/extension",
        f"/rounds/{round_id}/structure/areas/{HUGE}/edit",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "query",
    ["year=99999", "year=0", "year=²", "year=abc", f"officer={HUGE}", "officer=²", "officer=abc"],
)
def test_list_filters_with_values_not_offered_are_refused_in_swedish(client, officer, round_id, query):
    response = client.get(f"/rounds/?{query}")
    assert response.status_code == 200
    assert "Välj ett värde i listan." in response.text


@pytest.mark.parametrize("query", ["status=bogus", "sort=bogus"])
def test_list_choices_not_offered_are_refused_in_swedish(client, officer, round_id, query):
    response = client.get(f"/rounds/?{query}")
    assert response.status_code == 200
    assert "Not a valid choice" not in response.text
    assert "Välj ett värde i listan." in response.text


@pytest.mark.parametrize("value", ["abc", "²", HUGE, "-1"])
def test_adding_a_recipient_that_is_not_in_the_list(client, officer, round_id, value):
    response = client.post(f"/rounds/{round_id}/recipients", data={"organisations": value})
    assert response.status_code == 422
    assert "Välj remissinstanser i listan." in response.text


def test_adding_a_group_that_does_not_exist(client, officer, round_id):
    response = client.post(f"/rounds/{round_id}/recipients", data={"select_group": "Påhittade nämnder"})
    assert response.status_code == 422
    assert "Välj en grupp i listan." in response.text


def test_a_group_of_an_unknown_kind_is_refused_in_swedish(client, officer, round_id):
    # What a row is (measure or question) follows its group; the group's kind is chosen.
    response = client.post(
        f"/rounds/{round_id}/structure/areas", data={"kind": "bogus", "number": "9", "title": "X"}
    )
    assert response.status_code == 422
    assert "Not a valid choice" not in response.text
    assert "Välj fokusområde, sektion eller frågor utan rubrik." in response.text


def test_a_document_of_an_unknown_kind_is_refused_in_swedish(client, officer, round_id):
    response = client.post(
        f"/rounds/{round_id}/documents",
        data={"kind": "bogus", "file": (io.BytesIO(b"%PDF-1.4\n"), "a.pdf")},
        follow_redirects=True,
    )
    assert "Not a valid choice" not in response.text
    assert "Välj vilken typ av dokument det är." in response.text


@pytest.mark.parametrize("days", [100_000_000, 10**21])
def test_an_import_with_a_relative_date_out_of_range_names_the_field(app, client, officer, days):
    data = {
        "title": "Riktlinje",
        "dnr": "1370/21",
        "sent_days_ago": days,
        "deadline_in_days": 30,
        "focus_areas": [{"number": "1", "title": "Ett", "measures": []}],
        "recipients": [],
    }
    response = client.post(
        "/rounds/import",
        data={"file": (io.BytesIO(json.dumps(data).encode()), "remiss.json")},
    )
    assert response.status_code == 200
    assert "sent_days_ago: ligger för långt bort" in response.text
    assert "Ingenting importerades" in response.text
