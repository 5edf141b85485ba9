"""The round page leads to everything about the round: the summary, the e-mail log, each
answer, registering a posted answer, feedback and publicity – and every link works."""

import re

import pytest

from remiss.answers.models import Answer, Position
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round
from tests.factories import make_round, make_user, send


@pytest.fixture
def open_round(app):
    with app.app_context():
        officer = make_user(Role.OFFICER, email="ansvarig@example.se")
        round_ = make_round(officer=officer, recipients=["Socialnämnden Centrum", "Kriminalvården"])
        send(round_)
        answered = round_.recipients[0]
        answered.answer = Answer()
        answered.answer.start_draft().position = Position.ASSENT
        answered.answer.submit(by=None)
        db.session.commit()
        return round_.id, answered.id, round_.recipients[1].id


def links(page: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"]*)"', page)}


def test_officer_reaches_every_part_of_the_round_from_its_page(client, login_as, open_round):
    round_id, answered_id, waiting_id = open_round
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}").text
    found = links(page)
    expected = {
        f"/rounds/{round_id}/summary",
        f"/rounds/{round_id}/messages",
        f"/rounds/{round_id}/publicity",
        f"/rounds/{round_id}/recipients/{answered_id}/versions",
        f"/rounds/{round_id}/recipients/{waiting_id}/register",
    }
    assert expected <= found
    # Not for a recipient that has already answered.
    assert f"/rounds/{round_id}/recipients/{answered_id}/register" not in found
    for href in sorted(found):
        if href.startswith("/rounds/") and not href.endswith(("/export", "/documents")):
            assert client.get(href).status_code == 200, href


def test_manager_reads_but_gets_no_officer_links(client, login_as, open_round):
    round_id, answered_id, waiting_id = open_round
    login_as(Role.MANAGER)
    found = links(client.get(f"/rounds/{round_id}").text)
    assert f"/rounds/{round_id}/summary" in found
    assert f"/rounds/{round_id}/recipients/{answered_id}/versions" in found
    assert f"/rounds/{round_id}/publicity" not in found
    assert f"/rounds/{round_id}/recipients/{waiting_id}/register" not in found
    for href in sorted(found):
        if href.startswith("/rounds/"):
            assert client.get(href).status_code == 200, href


def test_the_table_of_bodies_is_paged_and_keeps_the_ones_without_an_account(app, client, login_as):
    """A round to many bodies shows them a page at a time, by name; the section on bodies
    without an account lists the first page of them and leads to all of them in the table."""
    app.config["PAGE_SIZE"] = 2
    names = [f"Nämnd {letter}" for letter in "ABCDE"]
    with app.app_context():
        round_ = make_round(officer=make_user(Role.OFFICER, email="ansvarig@example.se"), recipients=names)
        for name in ("Nämnd B", "Nämnd D"):  # somebody of these can sign in
            make_user(Role.RESPONDENT, name, email=f"{name[-1].lower()}@example.se")
        send(round_)
        db.session.commit()
        round_id = round_.id
    login_as(Role.OFFICER)

    def rows(page: str) -> list[str]:
        return re.findall(r'<th scope="row">(Nämnd \w)<br>', page)

    first = client.get(f"/rounds/{round_id}").text
    assert rows(first) == ["Nämnd A", "Nämnd B"]
    assert "5 remissinstanser, 0 har svarat (1–2 visas)" in first
    assert "Sida 1 av 3" in first
    last = client.get(f"/rounds/{round_id}?remissinstanser=3").text
    assert rows(last) == ["Nämnd E"] and "(5–5 visas)" in last
    assert rows(client.get(f"/rounds/{round_id}?remissinstanser=99").text) == ["Nämnd E"]

    section = first[first.index('id="utan-konto"') :].split("</section>")[0]
    assert "3 remissinstanser utan konto" in section
    assert re.findall(r"<li>(Nämnd \w) ", section) == ["Nämnd A", "Nämnd C"]
    assert "De första 2 visas." in section
    href = re.search(r'href="([^"]*)">Visa alla 3 utan konto i tabellen', section)[1].replace("&amp;", "&")
    assert href == f"/rounds/{round_id}?visa=utan-konto#remissinstanser"
    filtered = client.get(href).text
    assert rows(filtered) == ["Nämnd A", "Nämnd C"]
    assert "5 remissinstanser, 0 har svarat. Här visas de 3 utan konto (1–2)</caption>" in filtered
    assert "<li>Nämnd" not in filtered  # the section does not repeat the table
    next_page = re.search(r'href="([^"]*)" rel="next"', filtered)[1].replace("&amp;", "&")
    assert "visa=utan-konto" in next_page and "remissinstanser=2" in next_page
    second = client.get(next_page).text
    assert rows(second) == ["Nämnd E"]
    assert "Visa alla remissinstanser" in filtered

    # A row's action returns to the same place in the table: the page and the filter.
    [action] = re.findall(r'action="([^"]*/invite[^"]*)"', second)
    action = action.replace("&amp;", "&")
    assert "visa=utan-konto" in action and "remissinstanser=2" in action
    back = client.post(action).headers["Location"]
    assert "visa=utan-konto" in back and "remissinstanser=2" in back and back.endswith("#remissinstanser")
    assert "Inbjudan till Nämnd E skickas igen" in client.get(back).text
    [extension] = re.findall(r'href="([^"]*/extension[^"]*)"', second)
    form = client.get(extension.replace("&amp;", "&")).text
    assert "remissinstanser=2" in re.search(r'<form method="post" action="([^"]*/extension[^"]*)"', form)[1]

    # With fewer bodies without an account than a page, the section still leads to them alone.
    app.config["PAGE_SIZE"] = 4
    few = client.get(f"/rounds/{round_id}").text
    assert "Visa bara dem i tabellen" in few and "De första" not in few

    unknown = client.get(f"/rounds/{round_id}?visa=nagot-annat&remissinstanser=x").text
    assert rows(unknown) == ["Nämnd A", "Nämnd B", "Nämnd C", "Nämnd D"]

    # Once the round is closed, who has an account no longer matters: no section, no filter.
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()
    closed = client.get(href).text
    assert rows(closed) == ["Nämnd A", "Nämnd B", "Nämnd C", "Nämnd D"] and "utan konto" not in closed
