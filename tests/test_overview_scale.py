"""The overview's pages are bounded by what they show (issue 16 §4, in the style of
``test_scale_pages``): on a small and a larger database every page makes the same number of
queries and shows no more than a page of rows per section; the Excel file is read in the same
number of queries however many rounds and bodies there are.

Small: 6 rounds, 7 bodies. Large: 45 rounds, 30 bodies. In both, every section has more rows
than a page (``PAGE_SIZE`` 3): open rounds, bodies late (half the rounds are past their
deadline, some with an extension), answers due within the week, bodies with a history."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from remiss.answers.models import Answer, Channel, Position
from remiss.auth.models import Role
from remiss.core.time import local_today
from remiss.extensions import db
from remiss.organisations.models import OrganisationKind
from tests.factories import PASSWORD, make_organisation, make_round, make_user, send
from tests.test_scale_pages import count_queries, measure_on_a_fresh_database

PAGE = 3
SMALL = {"rounds": 6, "bodies": 7}
LARGE = {"rounds": 45, "bodies": 30}


def build(app, size: dict, today: date) -> dict:
    with app.app_context():
        officer = make_user(Role.OFFICER, email="officer@example.se", name="Olle Officer")
        make_user(Role.MANAGER, email="manager@example.se", name="Maja Manager")
        kinds = list(OrganisationKind)
        bodies = [
            make_organisation(f"Nämnd {i:03d} Ålderdom", kind=kinds[i % 3], group=f"Grupp {i % 2}")
            for i in range(size["bodies"])
        ]
        for i in range(size["rounds"]):
            past = i % 2 == 0
            round_ = make_round(
                officer,
                title=f"Förslag {i:03d}",
                dnr=f"{i:04d}/26",
                sent_on=today - timedelta(days=40 + i),
                deadline=today - timedelta(days=3) if past else today + timedelta(days=2 + i % 5),
                recipients=[bodies[(i + k) % len(bodies)] for k in range(4)],
            )
            send(round_)
            first, second, third, fourth = round_.recipients
            # One answer late (or on time, before the deadline), one extended, two waiting.
            first.answer = Answer()
            draft = first.answer.start_draft()
            draft.position = Position.ASSENT
            first.answer.submit(by=None, channel=Channel.EMAIL, received_on=today - timedelta(days=1))
            second.grant_extension(round_.deadline + timedelta(days=1), "Nämndmöte")
            third.answer = Answer()
            third.answer.start_draft()
        db.session.commit()
        return {"body": bodies[0].id}


def measure(app, size: dict) -> dict[str, tuple[int, int]]:
    """(queries, table rows) of each overview page on a database of ``size``."""
    app.config["PAGE_SIZE"] = PAGE
    today = local_today()
    ids = build(app, size, today)
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": "manager@example.se", "password": PASSWORD, "csrf_token": ""}
    )
    assert response.status_code == 302
    since = (today - timedelta(days=60)).isoformat()
    urls = [
        "/overview/",
        f"/overview/?sent_from={since}&kind=namnd&q=%C3%A5lderdom",
        "/overview/?group=Grupp+1&sida_remisser=2&sida_sena=2&sida_veckan=2&sida_instanser=2",
        f"/overview/bodies/{ids['body']}",
        f"/overview/bodies/{ids['body']}?page=2&sent_from={since}",
        "/overview/export",
    ]
    results = {}
    for url in urls:
        client.get(url)  # warm: the first request compiles its queries
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        rows = len(re.findall(rb"<tr>", response.get_data())) if "export" not in url else 0
        results[url.replace(f"/{ids['body']}", "/BODY")] = (len(statements), rows)
    return results


@pytest.fixture
def small(app):
    return measure(app, SMALL)


def test_overview_pages_make_the_same_number_of_queries_on_a_larger_database(app, small, tmp_path):
    large = measure_on_a_fresh_database(app, tmp_path, measure, LARGE)
    assert small.keys() == large.keys()
    for page in small:
        (queries_small, _), (queries_large, rows_large) = small[page], large[page]
        assert queries_large == queries_small, (page, small[page], large[page])
        # Four sections of at most a page each (plus their header rows), or one on a body's page.
        assert rows_large <= 4 * (PAGE + 1), (page, large[page])
    # Both databases fill every section's page.
    assert small["/overview/"][1] == large["/overview/"][1] == 4 * (PAGE + 1)
    assert small["/overview/bodies/BODY"][1] == large["/overview/bodies/BODY"][1] == PAGE + 1
