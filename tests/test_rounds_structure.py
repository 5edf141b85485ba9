"""The draft's structure: focus areas with measures or questions, by hand and by paste."""

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import FocusArea, Measure, MeasureKind, Round
from tests.factories import make_round, send

PASTED = """Fokusområde 1: Ett samordnat arbete med helhetsperspektiv
Insats 1:1 Stärka samordningen centralt och lokalt

Fokusområde 2: Kunskapsbaserat arbete och välgrundad kompetens
Insats 2:1 Identifiera de egna verktygen …
Insats 2:2 Utveckla och förstärka cylindermodellen
"""


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER)


def empty_round(app, **kwargs) -> int:
    with app.app_context():
        round_ = make_round(structure={}, **kwargs)
        db.session.commit()
        return round_.id


def structure_of(app, round_id):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return [
            (a.number, a.title, [(m.number, m.title, m.kind.value) for m in a.measures])
            for a in round_.focus_areas
        ]


def test_paste_shows_a_preview_and_saves_only_when_confirmed(app, client, officer):
    round_id = empty_round(app)
    url = f"/rounds/{round_id}/structure/paste"
    preview = client.post(url, data={"text": PASTED, "preview": "1"})
    assert preview.status_code == 200
    assert "Förhandsgranskning" in preview.text
    assert "2 fokusområden och 3 insatser läggs till" in preview.text
    assert "Insats 2:2: Utveckla och förstärka cylindermodellen" in preview.text
    assert structure_of(app, round_id) == []

    response = client.post(url, data={"text": PASTED, "confirm": "1"})
    assert response.status_code == 302
    assert "2 fokusområden och 3 insatser är tillagda" in client.get(response.headers["Location"]).text
    assert structure_of(app, round_id) == [
        (
            "1",
            "Ett samordnat arbete med helhetsperspektiv",
            [("1:1", "Stärka samordningen centralt och lokalt", "measure")],
        ),
        (
            "2",
            "Kunskapsbaserat arbete och välgrundad kompetens",
            [
                ("2:1", "Identifiera de egna verktygen …", "measure"),
                ("2:2", "Utveckla och förstärka cylindermodellen", "measure"),
            ],
        ),
    ]


def test_paste_with_unreadable_lines_names_them_and_saves_nothing(app, client, officer):
    round_id = empty_round(app)
    text = (
        "Fokusområde 1: Förutsättningar\nFråga 1:1 Ekonomiska förutsättningar\nSe bilaga 3\nInsats 2:1 Fel\n"
    )
    # Even a forged confirm saves nothing while lines are unreadable.
    page = client.post(f"/rounds/{round_id}/structure/paste", data={"text": text, "confirm": "1"}).text
    assert "Några rader kunde inte läsas" in page
    assert "Rad 3: ”Se bilaga 3” kan inte läsas." in page
    assert "Rad 4: insats 2:1 står under en rubrik med frågor" in page
    assert "Förhandsgranskning" not in page
    assert structure_of(app, round_id) == []


def test_questions_can_be_pasted(app, client, officer):
    round_id = empty_round(app)
    text = "Fokusområde 1: Förutsättningar\nFråga 1:1 Ekonomiska förutsättningar"
    client.post(f"/rounds/{round_id}/structure/paste", data={"text": text, "confirm": "1"})
    assert structure_of(app, round_id) == [
        ("1", "Förutsättningar", [("1", "Ekonomiska förutsättningar", "question")])
    ]


def test_focus_areas_and_measures_by_hand(app, client, officer):
    round_id = empty_round(app)
    page = client.get(f"/rounds/{round_id}/structure").text
    assert "Nytt fokusområde" in page
    assert (
        client.post(
            f"/rounds/{round_id}/structure/areas", data={"number": "1", "title": "Samordning"}
        ).status_code
        == 302
    )
    with app.app_context():
        area_id = db.session.scalars(sa.select(FocusArea.id)).one()
    for number, title in (("1:1", "Stärka samordningen"), ("1:2", "Delta i insatser")):
        response = client.post(
            f"/rounds/{round_id}/structure/areas/{area_id}/measures",
            data={
                f"area{area_id}-kind": "measure",
                f"area{area_id}-number": number,
                f"area{area_id}-title": title,
            },
        )
        assert response.status_code == 302
    assert structure_of(app, round_id) == [
        (
            "1",
            "Samordning",
            [("1:1", "Stärka samordningen", "measure"), ("1:2", "Delta i insatser", "measure")],
        )
    ]

    # A measure numbered for another focus area, and a duplicate number, are refused.
    for number, message in (
        ("2:1", "Numret ska börja med fokusområdets nummer"),
        ("1:2", "Nummer 1:2 finns redan."),
    ):
        response = client.post(
            f"/rounds/{round_id}/structure/areas/{area_id}/measures",
            data={
                f"area{area_id}-kind": "measure",
                f"area{area_id}-number": number,
                f"area{area_id}-title": "X",
            },
        )
        assert response.status_code == 422 and message in response.text
    response = client.post(f"/rounds/{round_id}/structure/areas", data={"number": "1", "title": "Igen"})
    assert response.status_code == 422 and "Fokusområde 1 finns redan." in response.text


def test_edit_reorder_and_remove(app, client, officer):
    with app.app_context():
        round_ = make_round()
        db.session.commit()
        round_id = round_.id
        first, second = (a.id for a in round_.focus_areas)
        measure_a, measure_b = (m.id for m in round_.focus_areas[0].measures)

    client.post(
        f"/rounds/{round_id}/structure/measures/{measure_b}/edit",
        data={"number": "1:2", "title": "Delta i samordningen"},
    )
    # Moving a measure renumbers: the list reads 1:1, 1:2 from the top.
    page = client.post(f"/rounds/{round_id}/structure/measures/{measure_b}/move/up", follow_redirects=True)
    assert "Insats 1:2 flyttades uppåt och heter nu Insats 1:1." in page.text
    # Moving a focus area renumbers it and its measures.
    client.post(f"/rounds/{round_id}/structure/areas/{first}/move/down")
    assert structure_of(app, round_id) == [
        ("1", "Kunskapsbaserat arbete", [("1:1", "Identifiera verktyg", "measure")]),
        (
            "2",
            "Ett samordnat arbete",
            [("2:1", "Delta i samordningen", "measure"), ("2:2", "Stärka samordningen", "measure")],
        ),
    ]
    # Renumbering a focus area renumbers its measures.
    client.post(
        f"/rounds/{round_id}/structure/areas/{first}/edit", data={"number": "3", "title": "Samordnat"}
    )
    assert structure_of(app, round_id)[1][0] == "3"
    assert [m[0] for m in structure_of(app, round_id)[1][2]] == ["3:1", "3:2"]

    client.post(f"/rounds/{round_id}/structure/measures/{measure_a}/remove")
    client.post(f"/rounds/{round_id}/structure/areas/{second}/remove")
    assert structure_of(app, round_id) == [("3", "Samordnat", [("3:1", "Delta i samordningen", "measure")])]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Measure.id))) == 1
        assert db.session.scalars(sa.select(Measure.kind)).one() is MeasureKind.MEASURE


def test_structure_is_fixed_once_sent(app, client, officer):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        send(round_)
        db.session.commit()
        round_id, area_id = round_.id, round_.focus_areas[0].id
    before = structure_of(app, round_id)
    response = client.post(f"/rounds/{round_id}/structure/areas/{area_id}/remove", follow_redirects=True)
    assert "Strukturen kan bara ändras medan remissen är ett utkast." in response.text
    client.post(f"/rounds/{round_id}/structure/paste", data={"text": "Fokusområde 9: Ny", "confirm": "1"})
    assert structure_of(app, round_id) == before


def test_a_manager_cannot_edit_the_structure(app, client, login_as):
    round_id = empty_round(app)
    login_as(Role.MANAGER)
    response = client.post(f"/rounds/{round_id}/structure/paste", data={"text": PASTED, "confirm": "1"})
    assert response.status_code == 403
    assert structure_of(app, round_id) == []
